"""Temperature in the budget: cold-case and hot-case loss of every channel, as arrays.

A cable's attenuation is specified at room temperature (:data:`REFERENCE_C`). Its
temperature-cycling qualification bounds how much the attenuation may rise anywhere in
its operating range: ``cold`` dB/km towards the low end, ``hot`` dB/km towards the high
end (:class:`~mpokit.standards.environments.CableConstruction`). mpokit does not
interpolate inside that range (no data supports a shape): a segment reaching below the
reference temperature gets the whole cold figure, one reaching above it the whole hot
figure -- a bound, never an optimistic guess. A segment reaching outside the operating
range has no bound: its change is ``nan`` (unmeasurable) and the route check reports a
``temperature`` finding.

>>> from mpokit.standards.environments import environment_catalog
>>> c = environment_catalog().constructions.get("RR-OSP-1728")
>>> segment_change_db_per_km(c, -30, 40)
(0.15, 0.05)
>>> m = cold_hot_margins(np.array([1.0]), np.array([0.2]), np.array([[500.0]]),
...                      np.array([0.15]), np.array([0.05]))
>>> round(float(m.cold_margin_db[0]), 3), round(float(m.hot_margin_db[0]), 3)
(0.725, 0.775)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mpokit.standards.environments import CableConstruction

__all__ = ["REFERENCE_C", "CaseMargins", "cold_hot_margins", "segment_change_db_per_km"]

REFERENCE_C = 23.0
"""Temperature at which cable attenuation is specified and measured (room temperature)."""


def segment_change_db_per_km(construction: CableConstruction, t_min_c: float,
                             t_max_c: float) -> tuple[float, float]:
    """Bound on the attenuation rise of ``construction`` over ``[t_min_c, t_max_c]``.

    Parameters
    ----------
    construction
        The cable construction (its operating range and qualified changes).
    t_min_c, t_max_c
        The segment's temperature range.

    Returns
    -------
    tuple[float, float]
        (cold, hot) dB/km: 0 where the segment stays on the reference side, ``nan`` where
        it leaves the operating range (unmeasurable).

    Examples
    --------
    >>> from mpokit.standards.environments import environment_catalog
    >>> c = environment_catalog().constructions.get("TB-24-OFNP")
    >>> segment_change_db_per_km(c, 24, 30), segment_change_db_per_km(c, -10, 30)[0]
    ((0.0, 0.3), nan)
    """
    lo, hi = construction.operating_temperature_c
    ch = construction.attenuation_change_db_per_km
    cold = ch.cold if t_min_c < REFERENCE_C else 0.0
    hot = ch.hot if t_max_c > REFERENCE_C else 0.0
    if t_min_c < lo:
        cold = math.nan
    if t_max_c > hi:
        hot = math.nan
    return cold, hot


@dataclass(frozen=True)
class CaseMargins:
    """Cold-case and hot-case margins of many channels (shape (n,), dB)."""

    cold_delta_db: np.ndarray
    hot_delta_db: np.ndarray
    cold_margin_db: np.ndarray
    hot_margin_db: np.ndarray

    @property
    def ok(self) -> np.ndarray:
        """Per channel: both margins known and non-negative."""
        eps = 1e-9
        return (self.cold_margin_db >= -eps) & (self.hot_margin_db >= -eps)

    @property
    def unmeasurable(self) -> np.ndarray:
        """Per channel: a segment outside its cable's operating range (no bound)."""
        return np.isnan(self.cold_margin_db) | np.isnan(self.hot_margin_db)


def cold_hot_margins(margin_db: np.ndarray, extra_db: np.ndarray, lengths_m: np.ndarray,
                     cold_db_per_km: np.ndarray, hot_db_per_km: np.ndarray) -> CaseMargins:
    """Margins of many channels at the cold and at the hot end of their routes.

    Parameters
    ----------
    margin_db
        Shape (n,): each channel's margin at the reference temperature (worst case).
    extra_db
        Shape (n,): loss added outside that budget (e.g. a campus route's fiber, splices
        and ODF connections); 0 when none.
    lengths_m
        Shape (n, s): each channel's length in each of ``s`` temperature segments.
    cold_db_per_km, hot_db_per_km
        Shape (s,) (or (n, s)): each segment's change bound
        (:func:`segment_change_db_per_km`).

    Returns
    -------
    CaseMargins
        Deltas and margins; ``nan`` where a segment has no bound.

    Examples
    --------
    >>> m = cold_hot_margins(np.array([0.5, 0.5]), np.zeros(2), np.array([[0.0], [1000.0]]),
    ...                      np.array([np.nan]), np.array([0.1]))
    >>> m.unmeasurable.tolist(), m.hot_margin_db.round(2).tolist()
    ([False, True], [0.5, 0.4])
    """
    lengths_km = np.asarray(lengths_m, dtype=float) / 1000.0
    cold_k = np.asarray(cold_db_per_km, dtype=float)
    hot_k = np.asarray(hot_db_per_km, dtype=float)
    # a segment a channel does not cross adds nothing, even when unbounded
    cold = np.where(lengths_km > 0, lengths_km * cold_k, 0.0).sum(axis=1)
    hot = np.where(lengths_km > 0, lengths_km * hot_k, 0.0).sum(axis=1)
    base = np.asarray(margin_db, dtype=float) - np.asarray(extra_db, dtype=float)
    return CaseMargins(cold, hot, base - cold, base - hot)
