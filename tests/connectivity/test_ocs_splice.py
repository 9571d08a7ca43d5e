"""Optical circuit switches and splices in a channel.

    [DR4]--cord A--(OCS in | circuit | OCS out)--cord A--[DR4]

An OCS port is a receptacle with a pinned ferrule; a circuit is a crossover, so every
port can be cabled alike whichever ports a circuit joins.
"""

from __future__ import annotations

import pytest

from mpokit.connectivity.io import parse_channel
from mpokit.verify import check_channel

from .builders import adapter, channel, cord, trunk


@pytest.mark.parametrize("module", ["400GBASE-DR4", "800G-2xDR4"])
def test_identical_cabling_on_both_ocs_ports_passes(module: str) -> None:
    spec = parse_channel(channel(module, module, cord("A"), {"ocs": {"loss_db": 1.5}},
                                 cord("A")))
    r = check_channel(spec)
    assert r.ok, [f.message for f in r.findings]
    # the circuit is one part: its 1.5 dB counts once, beside 6 m of OS2
    assert r.extra["loss"]["total_db"] == pytest.approx(1.5 + 0.4 * 0.006, abs=1e-6)


def test_pinned_plug_into_an_ocs_port_is_a_gender_fault() -> None:
    spec = parse_channel(channel("400GBASE-DR4", "400GBASE-DR4", cord("A", ("female", "male")),
                                 {"ocs": {}}, cord("A")))
    r = check_channel(spec, loss=False)
    assert [f.code for f in r.findings] == ["gender"]
    assert r.findings[0].at == 1


def test_lc_ocs_with_a_b_cords_passes() -> None:
    lc = {"cord": {"connector": "LC", "type": "A-B", "fiber": "OS2", "length_m": 5}}
    r = check_channel(parse_channel(channel("400GBASE-FR4", "400GBASE-FR4", lc, {"ocs": {}}, lc)),
                      loss=False)
    assert r.ok


def test_mass_fusion_splice_keeps_positions() -> None:
    spec = parse_channel(channel(
        "400GBASE-DR4", "400GBASE-DR4", cord("B"), adapter("A"), trunk("A"),
        {"splice": {"loss_db": 0.1}}, trunk("A"), adapter("A"), cord("A")))
    r = check_channel(spec)
    assert r.ok
    loss = r.extra["loss"]
    # two TIA-grade adapters (0.75 dB worst each), one 0.1 dB splice, 166 m of OS2
    assert loss["total_db"] == pytest.approx(0.75 * 2 + 0.1 + 0.4 * 0.166, abs=1e-6)


def test_splice_at_the_start_is_a_design_error() -> None:
    from mpokit.errors import DesignError

    spec = parse_channel(channel("400GBASE-DR4", "400GBASE-DR4", {"splice": {}}, cord("B")))
    with pytest.raises(DesignError, match="splice"):
        check_channel(spec, loss=False)
