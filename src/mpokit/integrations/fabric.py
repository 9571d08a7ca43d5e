"""The logical topology for the fabric managers: ibdiagnet / UFM topology files, Cumulus PTM.

Fabric managers check what is cabled against an expected topology: device port to
device port, panels and trunks invisible. The links come from
:meth:`~mpokit.integrations.plant.Plant.links` (the same walk through panels the
inventory exports use).

* **IBDM topology file** (``ibdiagnet`` topology checks, ``man ibdm-topo-file``): one
  section per system, ``SYSTEM-TYPE SYSTEM-NAME`` then one line per port
  ``LOCAL-PORT -> REM-SYS-TYPE REM-SYS-NAME REM-PORT``, sections separated by an empty
  line. :func:`generate_topo` lists every link once, in the section of its A end.
* **UFM topology file** (NVIDIA UFM cable/topology validation "Topo File"): the same
  syntax with one section per switch listing *every* port of that switch, so a
  switch-to-switch link appears in both switches' sections and HCAs have no section.
* **Cumulus PTM** ``topology.dot``: an undirected Graphviz graph, one edge
  ``"leaf01":"swp1" -- "spine01":"swp1";`` per link (PTM compares it with LLDP).

Port names are templates over the planned port number ``port`` (and ``i = port - 1``):
switches ``P{port}`` (IBDM) / ``swp{port}`` (Cumulus); hosts ``mlx5_{i}/P1`` (IBDM, one
HCA per rail) / ``eth{i}``. docs/integrations.md cites the formats.

>>> from mpokit.integrations.plant import Plant
>>> generate_ptm_dot(Plant("tiny", (), (), ()))
'graph "tiny" {\\n}\\n'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from mpokit.errors import InputError
from mpokit.integrations.plant import Link, Plant, PortRef

__all__ = ["FabricNames", "generate_ptm_dot", "generate_topo", "parse_topo", "write_fabric"]

HOST_ROLES = frozenset({"node"})
HCA_DEFAULT = {"node": "HCA"}


@dataclass(frozen=True)
class FabricNames:
    """How devices and ports are named in the fabric files.

    ``system_types`` maps a role (``leaf``, ``spine``, ``node`` ...) to the IBDM system
    type (its IBNL name, e.g. ``MQM9700``); a role not listed is written as its upper-case
    name, hosts as ``HCA``. Templates take ``{port}`` (planned port number) and ``{i}``
    (``port - 1``).
    """

    system_types: Mapping[str, str] = field(default_factory=lambda: dict(HCA_DEFAULT))
    switch_port: str = "P{port}"
    host_port: str = "mlx5_{i}/P1"
    ptm_switch_port: str = "swp{port}"
    ptm_host_port: str = "eth{i}"

    def system_type(self, role: str) -> str:
        """The IBDM system type of ``role``."""
        return self.system_types.get(role, role.upper())

    def port(self, p: PortRef, role: str, *, ptm: bool = False) -> str:
        """The port name of ``p`` (a device interface) in the fabric file."""
        host = role in HOST_ROLES
        tpl = ((self.ptm_host_port if host else self.ptm_switch_port) if ptm
               else (self.host_port if host else self.switch_port))
        try:
            n = int(p.name)
        except ValueError:
            return p.name
        return tpl.format(port=n, i=n - 1)


def _links(plant: Plant) -> tuple[list[Link], dict[str, str]]:
    roles = {d.name: d.role for d in plant.devices}
    links = list(plant.links())
    for lk in links:
        for end in (lk.a, lk.b):
            if roles.get(end.device) == "ocs":
                raise InputError(
                    f"link {lk.a.device}:{lk.a.name} runs into optical circuit switch "
                    f"{end.device}; the switch-to-switch links behind an OCS depend on its "
                    "circuit state, which the plan does not fix",
                    field="fabric.spine", fix="export the inventory (netbox, nautobot) for "
                    "OCS plans; give the fabric managers the topology of the circuit state "
                    "you set")
    # the switch end first where one end is a host: sections are per switch
    out = [lk if roles.get(lk.a.device) not in HOST_ROLES else Link(lk.b, lk.a, lk.hops)
           for lk in links]
    return out, roles


def _quote(name: str) -> str:
    if any(ch.isspace() for ch in name):
        raise InputError(f"device or port name {name!r} holds a space, which the topology "
                         "file format cannot carry", field="name",
                         fix="rename it in the plan spec")
    return name


def generate_topo(plant: Plant, names: FabricNames | None = None, *,
                  both_ends: bool = False) -> str:
    """The IBDM topology file text (``both_ends``: UFM style, a section per switch with
    every port of that switch).

    Parameters
    ----------
    plant
        The plant.
    names
        System types and port-name templates.
    both_ends
        List a switch-to-switch link in both switches' sections and give hosts no section
        (the UFM topo-file layout); otherwise every link once, in its A end's section.

    Returns
    -------
    str
        The file text.

    Raises
    ------
    InputError
        An OCS in the plan, or a name with a space.

    Examples
    --------
    >>> from mpokit.integrations.plant import Plant
    >>> generate_topo(Plant("x", (), (), ()))
    ''
    """
    nm = names or FabricNames()
    links, roles = _links(plant)
    sections: dict[str, list[str]] = {}

    def line(near: PortRef, far: PortRef) -> None:
        rn, rf = roles.get(near.device, ""), roles.get(far.device, "")
        sections.setdefault(near.device, []).append(
            f"   {_quote(nm.port(near, rn))} -> {_quote(nm.system_type(rf))} "
            f"{_quote(far.device)} {_quote(nm.port(far, rf))}")

    for lk in links:
        line(lk.a, lk.b)
        if both_ends and roles.get(lk.b.device) not in HOST_ROLES:
            line(lk.b, lk.a)
    out = []
    for dev in sorted(sections):
        out.append(f"{_quote(nm.system_type(roles.get(dev, '')))} {_quote(dev)}")
        out += sections[dev]
        out.append("")
    return "\n".join(out)


def parse_topo(text: str) -> list[tuple[str, str, str, str, str, str]]:
    """Read an IBDM topology file: ``(type, system, port, rem type, rem system, rem port)``.

    Parameters
    ----------
    text
        The file text.

    Returns
    -------
    list of tuple
        One row per port line, in file order.

    Raises
    ------
    InputError
        A port line outside a section, or a line that is not ``PORT -> TYPE NAME PORT``.

    Examples
    --------
    >>> parse_topo("MQM9700 leaf01\\n   P1 -> HCA node01 mlx5_0/P1\\n")
    [('MQM9700', 'leaf01', 'P1', 'HCA', 'node01', 'mlx5_0/P1')]
    """
    rows = []
    system: tuple[str, str] | None = None
    for n, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            system = None if not raw.strip() else system
            continue
        if not raw[0].isspace():
            head = raw.split()
            if len(head) < 2:
                raise InputError("a system line needs SYSTEM-TYPE SYSTEM-NAME", line=n,
                                 fix="see man ibdm-topo-file")
            system = (head[0], head[1])
            continue
        parts = raw.split()
        arrow = next((k for k, t in enumerate(parts) if t.endswith("->")), -1)
        if system is None or arrow != 1 or len(parts) != 5:
            raise InputError(f"not a port line of a system section: {raw.strip()!r}", line=n,
                             fix="PORT -> REM-SYS-TYPE REM-SYS-NAME REM-PORT")
        rows.append((system[0], system[1], parts[0], parts[2], parts[3], parts[4]))
    return rows


def generate_ptm_dot(plant: Plant, names: FabricNames | None = None) -> str:
    """The Cumulus PTM ``topology.dot`` text: one undirected edge per link.

    Parameters
    ----------
    plant
        The plant.
    names
        Port-name templates (``ptm_switch_port``, ``ptm_host_port``).

    Returns
    -------
    str
        The DOT text.
    """
    nm = names or FabricNames()
    links, roles = _links(plant)
    out = [f'graph "{_dot(plant.site)}" {{']
    for lk in links:
        ra, rb = roles.get(lk.a.device, ""), roles.get(lk.b.device, "")
        out.append(f'  "{_dot(lk.a.device)}":"{_dot(nm.port(lk.a, ra, ptm=True))}" -- '
                   f'"{_dot(lk.b.device)}":"{_dot(nm.port(lk.b, rb, ptm=True))}";')
    out.append("}")
    return "\n".join(out) + "\n"


def _dot(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"')


def write_fabric(plant: Plant, out: str | Path, which: str,
                 names: FabricNames | None = None, *, force: bool = False) -> Path:
    """Write one fabric file into the folder ``out``: ``ufm`` (``ufm.topo``),
    ``ibdiagnet`` (``ibdiagnet.topo``) or ``ptm`` (``topology.dot``).

    Parameters
    ----------
    plant
        The plant.
    out
        A new or empty folder, or an earlier mpokit output.
    which
        ``ufm``, ``ibdiagnet`` or ``ptm``.
    names
        System types and port-name templates.
    force
        Write beside files mpokit did not write.

    Returns
    -------
    Path
        ``out``.
    """
    from mpokit._files import write_output_texts

    if which == "ptm":
        name, text = "topology.dot", generate_ptm_dot(plant, names)
    elif which in ("ufm", "ibdiagnet"):
        name, text = f"{which}.topo", generate_topo(plant, names, both_ends=which == "ufm")
    else:
        raise InputError(f"unknown fabric format {which!r}", field="format",
                         fix="use ufm, ibdiagnet or ptm")
    return write_output_texts(out, {name: text}, force=force)
