"""Fabric-manager files read back by parsers that are not mpokit's: every link once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mpokit.errors import InputError
from mpokit.integrations import Plant
from mpokit.integrations.fabric import (
    FabricNames,
    generate_ptm_dot,
    generate_topo,
    parse_topo,
    write_fabric,
)


def _planned(plant: Plant) -> set[frozenset[tuple[str, str]]]:
    return {frozenset({(lk.a.device, lk.a.name), (lk.b.device, lk.b.name)})
            for lk in plant.links()}


_NUM = re.compile(r"(\d+)")


def _port_number(name: str) -> str:
    """``P7`` -> 7, ``swp7`` -> 7, ``mlx5_1/P1`` -> 2 (rail = HCA index + 1), ``eth1`` -> 2."""
    if name.startswith("mlx5_"):
        return str(int(name[5:].split("/")[0]) + 1)
    if name.startswith("eth"):
        return str(int(name[3:]) + 1)
    return _NUM.findall(name)[-1]


def _read_topo(text: str) -> list[tuple[str, str, str, str]]:
    """An independent reader of the IBDM layout (man ibdm-topo-file)."""
    out, system = [], None
    for line in text.splitlines():
        if not line.strip():
            system = None
        elif not line[0].isspace():
            system = line.split()[1]
        else:
            m = re.fullmatch(r"\s+(\S+) -> (\S+) (\S+) (\S+)", line)
            assert m and system, line
            out.append((system, m.group(1), m.group(3), m.group(4)))
    return out


def test_ibdiagnet_topo_has_every_link_once(tiny: Plant) -> None:
    rows = _read_topo(generate_topo(tiny))
    got = [frozenset({(s, _port_number(p)), (r, _port_number(q))}) for s, p, r, q in rows]
    assert len(got) == len(set(got))  # no link twice
    assert set(got) == _planned(tiny)


def test_ufm_topo_lists_switch_links_from_both_switches(tiny: Plant) -> None:
    rows = _read_topo(generate_topo(tiny, both_ends=True))
    systems = {s for s, *_ in rows}
    assert systems == {"leaf01", "leaf02", "spine01"}  # hosts get no section
    got = [frozenset({(s, _port_number(p)), (r, _port_number(q))}) for s, p, r, q in rows]
    assert set(got) == _planned(tiny)
    switch_links = [g for g in got if not any(d.startswith("node") for d, _ in g)]
    assert len(switch_links) == 2 * len(set(switch_links)) == 16


def test_system_types_and_port_templates(tiny: Plant) -> None:
    names = FabricNames(system_types={"leaf": "MQM9700", "spine": "MQM9700", "node": "HCA"})
    text = generate_topo(tiny, names)
    assert "MQM9700 leaf01\n   P1 -> HCA node01 mlx5_0/P1\n" in text
    assert parse_topo(text)[0] == ("MQM9700", "leaf01", "P1", "HCA", "node01", "mlx5_0/P1")


def test_ptm_dot_read_by_pydot_and_networkx(tiny: Plant) -> None:
    pydot = pytest.importorskip("pydot")
    (graph,) = pydot.graph_from_dot_data(generate_ptm_dot(tiny))
    assert graph.get_type() == "graph"  # PTM reads undirected graphs
    got = []
    for e in graph.get_edges():
        (a_dev, a_port), (b_dev, b_port) = (
            tuple(x.strip('"') for x in e.get_source().split(":")),
            tuple(x.strip('"') for x in e.get_destination().split(":")))
        got.append(frozenset({(a_dev, _port_number(a_port)), (b_dev, _port_number(b_port))}))
    assert len(got) == len(set(got)) and set(got) == _planned(tiny)
    nx = pytest.importorskip("networkx")
    g = nx.nx_pydot.from_pydot(graph)
    assert g.number_of_edges() == len(tiny.links())


def test_ocs_plans_are_refused_for_fabric_files(tmp_path: Path) -> None:
    from mpokit.integrations import load_plant
    from tests.integrations.test_plant import ROW, _write

    plant = load_plant(_write(tmp_path / "p", [{**ROW, "b_device": "ocs01"}]))
    with pytest.raises(InputError, match="optical circuit switch ocs01"):
        generate_topo(plant)


def test_write_fabric_is_one_file_per_format(tiny: Plant, tmp_path: Path) -> None:
    for fmt, name in (("ufm", "ufm.topo"), ("ibdiagnet", "ibdiagnet.topo"),
                      ("ptm", "topology.dot")):
        out = write_fabric(tiny, tmp_path / fmt, fmt)
        assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [name]
    with pytest.raises(InputError, match="unknown fabric format"):
        write_fabric(tiny, tmp_path / "x", "lldp")
