"""Cold-case and hot-case budgets: bounds from the construction's cycling figures."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mpokit.loss.temperature import REFERENCE_C, cold_hot_margins, segment_change_db_per_km
from mpokit.standards.environments import environment_catalog

CONS = environment_catalog().constructions


def test_change_applies_on_each_side_of_the_reference() -> None:
    c = CONS.get("RR-OSP-3456")  # cold 0.15, hot 0.05 dB/km over -40..70 C
    assert segment_change_db_per_km(c, -40, 70) == (0.15, 0.05)
    assert segment_change_db_per_km(c, REFERENCE_C, 30) == (0.0, 0.05)  # never below 23 C
    assert segment_change_db_per_km(c, 0, REFERENCE_C) == (0.15, 0.0)


def test_outside_the_operating_range_is_unmeasurable() -> None:
    c = CONS.get("RR-OSP-3456")
    cold, hot = segment_change_db_per_km(c, -45, 75)
    assert math.isnan(cold) and math.isnan(hot)


def test_margins_vectorised_over_channels() -> None:
    margin = np.array([1.0, 1.0, 0.2])
    extra = np.array([0.0, 0.5, 0.0])
    lengths = np.array([[100.0, 0.0], [100.0, 2000.0], [50.0, 2000.0]])  # hall, duct
    cold = np.array([0.3, 0.15])
    hot = np.array([0.3, 0.05])
    m = cold_hot_margins(margin, extra, lengths, cold, hot)
    assert m.cold_delta_db == pytest.approx([0.03, 0.33, 0.315])
    assert m.hot_delta_db == pytest.approx([0.03, 0.13, 0.115])
    assert m.cold_margin_db == pytest.approx([0.97, 0.17, -0.115])
    assert m.hot_margin_db == pytest.approx([0.97, 0.37, 0.085])
    assert m.ok.tolist() == [True, True, False]


def test_unbounded_segment_only_hits_channels_crossing_it() -> None:
    m = cold_hot_margins(np.ones(2), np.zeros(2), np.array([[10.0, 0.0], [10.0, 5.0]]),
                         np.array([0.1, np.nan]), np.array([0.1, 0.1]))
    assert m.unmeasurable.tolist() == [False, True]
    assert m.ok.tolist() == [True, False]  # unmeasurable never passes


def test_per_channel_rates_broadcast() -> None:
    rates = np.array([[0.1], [0.3]])  # (n, s): each channel its own construction
    m = cold_hot_margins(np.ones(2), np.zeros(2), np.array([[1000.0], [1000.0]]), rates, rates)
    assert m.cold_margin_db == pytest.approx([0.9, 0.7])
