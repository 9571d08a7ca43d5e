"""Catalogues are data: every record has provenance, lookups suggest close names."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mpokit.errors import CatalogError, InputError
from mpokit.standards import (
    breakouts,
    cassettes,
    connector,
    connectors,
    polishes,
    transceiver,
    transceivers,
)

REQUIRED = ["10GBASE-SR", "100GBASE-SR4", "100GBASE-DR", "400GBASE-SR4", "400GBASE-DR4",
            "400GBASE-SR8", "400GBASE-FR4", "800GBASE-DR8", "800G-2xDR4", "800G-2xSR4",
            "1.6TBASE-DR8"]


@pytest.mark.parametrize("cat", [connectors, polishes, transceivers, cassettes, breakouts])
def test_every_record_has_source_and_status(cat) -> None:  # type: ignore[no-untyped-def]
    for rec in cat():
        assert rec.source.strip()
        assert rec.status in {"verified", "derived", "vendor", "typical"}


@pytest.mark.parametrize("name", REQUIRED)
def test_required_transceivers_exist(name: str) -> None:
    t = transceiver(name)
    for p in t.ports:
        assert len(p.tx) == len(p.rx) == t.lanes


def test_twin_port_modules_have_two_mpo12_ports() -> None:
    for name in ("800G-2xDR4", "800G-2xSR4"):
        assert [p.connector for p in transceiver(name).ports] == ["MPO-12", "MPO-12"]


@pytest.mark.parametrize(
    "name,rows,cols,fibers,key",
    [("MPO-8", 1, 12, 8, "centred"), ("MPO-12", 1, 12, 12, "centred"),
     ("MPO-16", 1, 16, 16, "offset"), ("MPO-24", 2, 12, 24, "centred"),
     ("MPO-32", 2, 16, 32, "offset"), ("LC", 1, 2, 2, "latch")],
)
def test_connector_geometry(name: str, rows: int, cols: int, fibers: int, key: str) -> None:
    c = connector(name)
    assert (c.rows, c.columns, c.fibers, c.key) == (rows, cols, fibers, key)
    xy = c.xy_um
    assert xy.shape == (rows * cols, 2)
    assert abs(xy[:, 0].mean()) < 1e-9  # centred on the ferrule
    if c.family == "MPO":
        assert xy[1, 0] - xy[0, 0] == pytest.approx(250.0)  # 250 um pitch, 1 on the left


def test_unknown_name_suggests() -> None:
    with pytest.raises(CatalogError) as ei:
        transceiver("800GBASE-DR9")
    assert "800GBASE-DR8" in ei.value.suggestions


def test_sr4_module_view_converts_to_plug_frame() -> None:
    # IEEE: looking into the SR4 receptacle key up, Tx on the left (1-4). On the cable
    # plug (face view, key up) the same fibers are positions 9-12.
    from mpokit.connectivity.geometry import mate_map

    t = transceiver("100GBASE-SR4")
    m = mate_map(connector("MPO-12"), "up-up")
    plug_tx = sorted(int(m[p - 1]) + 1 for p in t.ports[0].tx)
    assert plug_tx == [9, 10, 11, 12]


def test_user_catalogue_extends_and_validates(tmp_path: Path) -> None:
    from mpokit.standards import Catalog, Transceiver

    # a catalogue of its own, so the process-wide one stays as shipped
    cat: Catalog[Transceiver] = Catalog("transceiver", Transceiver, "transceivers")
    p = tmp_path / "mine.yaml"
    rec = {"name": "TEST-SR2", "pmd": "TEST-SR2", "media": "MM", "lane_rate_gbps": 50,
           "ports": [{"connector": "MPO-12", "polish": "UPC", "tx": [1, 2], "rx": [12, 11]}],
           "source": "test", "status": "typical"}
    p.write_text(yaml.safe_dump({"transceivers": [rec]}))
    cat.extend(p)
    assert cat.get("test-sr2").lanes == 2
    assert "TEST-SR2" not in transceivers()
    rec["colour"] = "red"
    p.write_text(yaml.safe_dump({"transceivers": [rec]}))
    with pytest.raises(InputError, match="unknown key 'colour'"):
        cat.extend(p)


def test_apc_cassette_with_key_up_key_up_rear_is_rejected() -> None:
    from pydantic import ValidationError

    from mpokit.standards import Cassette

    rec = cassettes().get("MPO12-LC6-A-APC").model_dump()
    rec["rear_adapter"] = "B"
    with pytest.raises(ValidationError, match="16-degree"):
        Cassette.model_validate(rec)


@pytest.mark.parametrize("model", [c.name for c in cassettes()])
def test_every_cassette_passes_a_duplex_channel_with_some_cabling(model: str) -> None:
    """Each shipped cassette, used at both ends, works with one of the TIA trunk types."""
    from mpokit.connectivity import parse_channel
    from mpokit.verify import check_channel

    cas = cassettes().get(model)
    lc = {"cord": {"connector": "LC", "type": "A-B", "fiber": "OM4", "length_m": 2}}
    ok = []
    for trunk_type in ("A", "B", "C"):
        for last in ("A-B", "A-A"):
            spec = parse_channel({"a": "10GBASE-SR", "b": "10GBASE-SR", "path": [
                lc, {"cassette": {"model": model, "port": 1}},
                {"trunk": {"connector": cas.rear.connector, "type": trunk_type,
                           "polish": cas.rear.polish, "ends": ["female", "female"],
                           "fiber": "OM4", "length_m": 20}},
                {"cassette": {"model": model, "port": 1 if trunk_type != "B" else cas.front.ports}},
                {"cord": {"connector": "LC", "type": last, "fiber": "OM4", "length_m": 2}}]})
            ok.append(check_channel(spec, loss=False, fixes=False).ok)
    assert any(ok), model
