"""Per-channel loss and reach inside one design: lengths differ, verdicts may too."""

from __future__ import annotations

import numpy as np

from mpokit.plan.cabling import Design
from mpokit.plan.verify import check_design


def _dr8_design(lengths: list[float]) -> Design:
    n = len(lengths)
    return Design(
        "node_leaf", "direct", None, "800GBASE-DR8", 0, "800GBASE-DR8", 0,
        [("cord", {"connector": "MPO-16", "type": "B", "polish": "APC",
                   "ends": ["female", "female"], "fiber": "OS2"}, 0)],
        np.zeros(n, int), np.ones(n, int), np.full(n, 5), np.ones(n, int),
        np.array(lengths, dtype=float)[:, None],
    )


def test_only_the_channel_beyond_reach_fails() -> None:
    d = _dr8_design([3.0, 450.0, 900.0])
    r = check_design(d)
    assert r.ok  # polarity and mating are fine
    # 800GBASE-DR8: 500 m reach (verified), so only the 900 m channel fails
    assert r.loss_counts == {"reach": (1, "error")}
    assert r.channel_errors.tolist() == [False, False, True]


def test_margins_follow_each_channels_fiber_length() -> None:
    d = _dr8_design([3.0, 450.0])
    check_design(d)
    assert d.loss_margin_db is not None
    # 3.0 dB limit, no internal matings, OS2 at 0.4 dB/km: margin = 3.0 - 0.4 * L / 1000
    assert np.allclose(d.loss_margin_db, [3.0 - 0.4 * 0.003, 3.0 - 0.4 * 0.45], atol=1e-9)
