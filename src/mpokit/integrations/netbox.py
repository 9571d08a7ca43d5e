"""NetBox (4.5 and later): bulk-import files and the REST API push through pynetbox.

Import files follow NetBox's own bulk import: CSV with the import form's field names
(related objects by name, ``side_a_device``/``side_a_type``/``side_a_name`` for cable
ends) and, for device types with their port templates, NetBox's YAML device-type import
(the device-type library layout: ``interfaces``, ``rear-ports``, ``front-ports``,
``port-mappings``). docs/integrations.md lists the sources.

Since NetBox 4.5 a front port maps to rear-port positions through ``port-mappings``
(``rear_ports`` in the REST API) instead of its own ``rear_port`` field; these files
target that layout.

>>> NetboxDialect().name
'NetBox'
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mpokit.errors import InputError
from mpokit.integrations.plant import Cable, Hop, Plant, PortRef
from mpokit.integrations.push import ApiError, Body, Key, Stage, cable_key
from mpokit.integrations.records import (
    BREAKOUT_PROFILES,
    ROLE_COLORS,
    Inventory,
    PanelPort,
    cable_type,
    inventory,
    panel_ports,
    port_type,
    slug,
)

__all__ = ["NetboxDialect", "PynetboxApi", "netbox_files", "read_trace", "write_netbox"]

_PORT_ENDPOINT = {"interface": "dcim/interfaces", "front": "dcim/front-ports",
                  "rear": "dcim/rear-ports"}
_PORT_CT = {"interface": "dcim.interface", "front": "dcim.frontport", "rear": "dcim.rearport"}


def _csv(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return ""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def device_type_docs(inv: Inventory) -> list[dict[str, Any]]:
    """The device types as NetBox YAML import documents (one per type)."""
    docs = []
    for t in inv.device_types:
        doc: dict[str, Any] = {"manufacturer": inv.manufacturer, "model": t.model,
                               "slug": slug(t.model), "u_height": t.u_height}
        if t.interfaces:
            doc["interfaces"] = [{"name": n, "type": "other"} for n in t.interfaces]
        if t.rear_ports:
            doc["rear-ports"] = [{"name": n, "type": port_type(t.port_type), "positions": p}
                                 for n, p in t.rear_ports]
        if t.front_ports:
            doc["front-ports"] = [{"name": f, "type": port_type(t.front_type), "positions": 1}
                                  for f, _r, _p in t.front_ports]
            doc["port-mappings"] = [{"front_port": f, "front_port_position": 1,
                                     "rear_port": r, "rear_port_position": p}
                                    for f, r, p in t.front_ports]
        docs.append(doc)
    return docs


def netbox_files(plant: Plant) -> dict[str, str]:
    """The plant as NetBox import files, in import order (file name -> text).

    Parameters
    ----------
    plant
        The plant (:func:`~mpokit.integrations.plant.load_plant`).

    Returns
    -------
    dict of str to str
        ``01-sites.csv`` ... ``07-cables.csv`` (``05-device-types.yaml`` is YAML).

    Examples
    --------
    >>> from mpokit.integrations.plant import Plant
    >>> netbox_files(Plant("hall", (), (), ()))["01-sites.csv"]
    'name,slug,status\\nhall,hall,active\\n'
    """
    import yaml

    inv = inventory(plant)
    site = inv.site
    texts = {
        "01-sites.csv": _csv([{"name": site, "slug": slug(site), "status": "active"}]),
        "02-racks.csv": _csv([{"site": site, "name": r, "status": "active",
                               "u_height": inv.rack_units} for r in inv.racks]),
        "03-manufacturers.csv": _csv([{"name": inv.manufacturer,
                                       "slug": slug(inv.manufacturer)}]),
        "04-device-roles.csv": _csv([{"name": r, "slug": slug(r),
                                      "color": ROLE_COLORS.get(r, "9e9e9e")}
                                     for r in inv.roles]),
        "05-device-types.yaml": yaml.safe_dump_all(device_type_docs(inv), sort_keys=False)
        if inv.device_types else "",
        "06-devices.csv": _csv([
            {"name": d.name, "role": d.role, "manufacturer": inv.manufacturer,
             "device_type": d.device_type, "status": "active", "site": site,
             "rack": d.rack, "position": d.ru if d.ru is not None else "",
             "face": "front" if d.ru else ""} for d in inv.devices]),
        "07-cables.csv": _csv([
            {"side_a_site": site, "side_a_device": c.a[0].device,
             "side_a_type": _PORT_CT[c.a[0].kind], "side_a_name": c.a[0].name,
             "side_b_site": site, "side_b_device": c.b[0].device,
             "side_b_type": _PORT_CT[c.b[0].kind], "side_b_name": c.b[0].name,
             "type": cable_type(c), "status": "connected", "profile": "",
             "label": c.label, "length": f"{c.length_m:g}", "length_unit": "m"}
            for c in inv.cables]),
    }
    return {k: v for k, v in texts.items() if v}


def write_netbox(plant: Plant, out: str | Path, *, force: bool = False) -> Path:
    """Write :func:`netbox_files` into the folder ``out`` (all files or none).

    Parameters
    ----------
    plant
        The plant.
    out
        A new or empty folder, or an earlier mpokit output.
    force
        Write beside files mpokit did not write.

    Returns
    -------
    Path
        ``out``.
    """
    from mpokit._files import write_output_texts

    return write_output_texts(out, netbox_files(plant), force=force)


class PynetboxApi:
    """NetBox's REST API through pynetbox (``pip install mpokit[integrations]``).

    Parameters
    ----------
    url
        The NetBox base URL.
    token
        An API token.
    session
        A ``requests.Session`` for pynetbox to use (tests mount a playback adapter).
    """

    def __init__(self, url: str, token: str, *, session: Any = None) -> None:
        import pynetbox

        self.url = url.rstrip("/")
        self.nb = pynetbox.api(self.url, token=token)
        if session is not None:
            self.nb.http_session = session

    @property
    def version(self) -> tuple[int, int] | None:
        """The server's API version (``API-Version`` header), None when unreadable."""
        import pynetbox
        import requests

        try:
            text = str(self.nb.version)
        except (pynetbox.RequestError, requests.RequestException):
            return None
        m = re.match(r"(\d+)\.(\d+)", text)
        return (int(m.group(1)), int(m.group(2))) if m else None

    def _endpoint(self, endpoint: str) -> Any:
        app, name = endpoint.split("/")
        return getattr(getattr(self.nb, app), name.replace("-", "_"))

    def _call(self, endpoint: str, fn: Any) -> Any:
        import pynetbox
        import requests

        try:
            return fn()
        except pynetbox.RequestError as exc:
            status = getattr(getattr(exc, "req", None), "status_code", 0) or 0
            raise ApiError(status, getattr(exc, "error", str(exc)),
                           url=f"{self.url}/api/{endpoint}/") from None
        except requests.RequestException as exc:
            raise ApiError(0, str(exc), url=f"{self.url}/api/{endpoint}/") from None

    def find(self, endpoint: str, **filters: Any) -> list[Body]:
        """Every object of ``endpoint`` matching ``filters``."""
        ep = self._endpoint(endpoint)
        return self._call(endpoint, lambda: [dict(r) for r in ep.filter(**filters)])

    def create(self, endpoint: str, bodies: list[Body]) -> list[Body]:
        """Create ``bodies`` in one bulk request."""
        ep = self._endpoint(endpoint)
        made = self._call(endpoint, lambda: ep.create(bodies))
        return [dict(r) for r in (made if isinstance(made, list) else [made])]

    def trace(self, endpoint: str, obj_id: Any) -> list[Any]:
        """The cable trace of port ``obj_id`` of ``endpoint`` (``dcim/interfaces``): NetBox's
        segments, each ``[near ends, cable, far ends]``."""
        from pynetbox.core.query import Request

        req = Request(key=f"{obj_id}/trace", base=f"{self.url}/api/{endpoint}",
                      token=self.nb.token, http_session=self.nb.http_session)
        return self._call(endpoint, lambda: list(req.get()))


def _id(obj: Any) -> Any:
    return obj.get("id") if isinstance(obj, dict) else obj


class NetboxDialect:
    """The push stages spelled for NetBox's REST API (4.5 and later)."""

    name = "NetBox"
    breakouts = True  # a harness is one cable with a breakout profile (REST API only)

    def __init__(self, version: tuple[int, int] | None = None) -> None:
        self.version = version  # the server's API version (major, minor), when known
        self.port_of: dict[Any, PortRef] = {}
        self.panel: dict[PortRef, PanelPort] = {}

    def stages(self, inv: Inventory, ids: dict[tuple[str, Key], Any]) -> Iterable[Stage]:
        self._check_profiles(inv)
        site = inv.site
        yield Stage("site", "dcim/sites", [(site, {"name": site, "slug": slug(site),
                                                   "status": "active"}, site)],
                    lambda o: o["name"], {"name": site})
        sid = ids[("site", site)]
        yield Stage("rack", "dcim/racks", [(r, {"name": r, "site": sid, "status": "active",
                                                "u_height": inv.rack_units}, r)
                                           for r in inv.racks],
                    lambda o: o["name"], {"site_id": sid} if sid else None,
                    compare=("u_height",))
        yield Stage("manufacturer", "dcim/manufacturers",
                    [(inv.manufacturer, {"name": inv.manufacturer,
                                         "slug": slug(inv.manufacturer)}, inv.manufacturer)],
                    lambda o: o["name"], {"name": inv.manufacturer})
        yield Stage("role", "dcim/device-roles", [(r, {"name": r, "slug": slug(r),
                                                       "color": ROLE_COLORS.get(r, "9e9e9e")},
                                                   r) for r in inv.roles],
                    lambda o: o["name"], {"name": list(inv.roles)})
        man = ids[("manufacturer", inv.manufacturer)]
        yield Stage("device type", "dcim/device-types",
                    [(t.model, {"manufacturer": man, "model": t.model, "slug": slug(t.model),
                                "u_height": t.u_height}, t.model) for t in inv.device_types],
                    lambda o: o["model"], {"manufacturer_id": man} if man else None)
        dts = [(t, ids[("device type", t.model)]) for t in inv.device_types]
        known = [dt for _t, dt in dts if dt]
        flt = {"device_type_id": known} if known else None
        yield Stage("interface template", "dcim/interface-templates",
                    [((t.model, n), {"device_type": dt, "name": n, "type": "other"},
                      f"{t.model} {n}") for t, dt in dts for n in t.interfaces],
                    lambda o: (self._dt_model(o, dts), o["name"]), flt)
        yield Stage("rear port template", "dcim/rear-port-templates",
                    [((t.model, n), {"device_type": dt, "name": n, "positions": p,
                                     "type": port_type(t.port_type)}, f"{t.model} {n}")
                     for t, dt in dts for n, p in t.rear_ports],
                    lambda o: (self._dt_model(o, dts), o["name"]), flt, compare=("positions",))
        yield Stage("front port template", "dcim/front-port-templates",
                    [((t.model, f), {"device_type": dt, "name": f, "positions": 1,
                                     "type": port_type(t.front_type),
                                     "rear_ports": [{"position": 1, "rear_port_position": pos,
                                                     "rear_port": ids.get(
                                                         ("rear port template", (t.model, r)))}]},
                      f"{t.model} {f}") for t, dt in dts for f, r, pos in t.front_ports],
                    lambda o: (self._dt_model(o, dts), o["name"]), flt)
        yield Stage("device", "dcim/devices", [(d.name, {
            "name": d.name, "device_type": ids[("device type", d.device_type)],
            "role": ids[("role", d.role)], "site": sid, "rack": ids[("rack", d.rack)],
            "position": d.ru, "face": "front" if d.ru else "", "status": "active"}, d.name)
            for d in inv.devices], lambda o: o["name"], {"site_id": sid} if sid else None,
            compare=("position",))
        devs = {d.name: ids[("device", d.name)] for d in inv.devices}
        names = {v: k for k, v in devs.items()}
        self.panel = panel_ports(inv)
        for kind in ("interface", "rear", "front"):
            ports = sorted({p for c in inv.cables for p in (*c.a, *c.b) if p.kind == kind})
            yield Stage(f"{kind} port", _PORT_ENDPOINT[kind], [
                (p, self._port_body(p, devs[p.device], ids), f"{p.device} {p.name}")
                for p in ports],
                self._port_key(names, kind),
                {"site_id": sid} if sid else None)
            for p in ports:
                self.port_of[(_PORT_CT[kind], ids.get((f"{kind} port", p)))] = p
        yield Stage("cable", "dcim/cables", [(cable_key(c), self._cable_body(c, ids), c.label)
                                             for c in inv.cables],
                    self._cable_key, {"site_id": sid} if sid else None, compare=("label",))

    def _cable_body(self, c: Cable, ids: dict[tuple[str, Key], Any]) -> Body:
        def terms(ports: tuple[PortRef, ...]) -> list[Body]:
            return [{"object_type": _PORT_CT[p.kind], "object_id": ids[(f"{p.kind} port", p)]}
                    for p in ports]

        body: Body = {"a_terminations": terms(c.a), "b_terminations": terms(c.b),
                      "status": "connected", "type": cable_type(c), "label": c.label,
                      "length": round(c.length_m, 2), "length_unit": "m"}
        if len(c.b) > 1:  # a breakout harness: the switch port's lanes to each NIC port
            body["profile"] = BREAKOUT_PROFILES[len(c.b)][0]
        return body

    def _check_profiles(self, inv: Inventory) -> None:
        """Refuse, before anything is written, harnesses the server has no profile for."""
        if self.version is None:
            return  # unknown: the server's own validation names the cable if it refuses
        for c in inv.cables:
            if len(c.b) > 1:
                profile, since = BREAKOUT_PROFILES[len(c.b)]
                if self.version < since:
                    have = ".".join(map(str, self.version))
                    raise InputError(
                        f"cable {c.label!r} is a 1:{len(c.b)} breakout harness, recorded with "
                        f"NetBox's cable profile {profile!r}, which NetBox {have} does not "
                        f"have (since {since[0]}.{since[1]})", field="kind",
                        fix=f"upgrade NetBox to {since[0]}.{since[1]} or later, or export the "
                        "fabric files (ufm, ibdiagnet, ptm) for this plan")

    def _port_key(self, names: dict[Any, str], kind: str) -> Any:
        def key(o: Body) -> PortRef:
            return PortRef(names.get(_id(o["device"]), "?"), str(o["name"]), kind)  # type: ignore[arg-type]

        return key

    def _dt_model(self, o: Body, dts: list[tuple[Any, Any]]) -> str:
        want = _id(o["device_type"])
        return next((t.model for t, dt in dts if dt == want), "?")

    def _port_body(self, p: PortRef, dev: Any, ids: dict[tuple[str, Key], Any]) -> Body:
        body: Body = {"device": dev, "name": p.name, "type": "other"}
        if p.kind == "interface":
            return body
        pp = self.panel[p]
        body.update(type=pp.type, positions=pp.positions)
        if p.kind == "front":
            body["rear_ports"] = [{"position": 1, "rear_port_position": pp.rear_position,
                                   "rear_port": ids.get(("rear port", pp.rear))}]
        return body

    def _cable_key(self, o: Body) -> Any:
        ends = []
        for side in ("a", "b"):
            terms = o.get(f"{side}_terminations") or [{}]
            t = terms[0]
            ends.append(self.port_of.get((t.get("object_type"), t.get("object_id")),
                                         PortRef("?", str(t.get("object_id")), "rear")))
        a, b = sorted(ends)
        return (a, b)


def read_trace(api: PynetboxApi, plant: Plant, start: PortRef,
               devices: dict[Any, str] | None = None,
               positions: dict[Any, int] | None = None) -> list[list[Hop]]:
    """NetBox's cable trace from interface ``start`` as :class:`Hop` rows, one list per
    far end, as :meth:`~mpokit.integrations.plant.Plant.trace` gives them.

    NetBox's trace names the ports it passes but not their positions; a front port's
    rear-port position is read from the site's front ports (``rear_ports`` mapping), so a
    trace that reached the wrong front port of a far panel shows as a wrong name there.

    Parameters
    ----------
    api
        A connection to the server the plant was pushed to.
    plant
        The plant (its site names the NetBox site).
    start
        The interface to trace from.
    devices
        Server device id -> name (read from the server when not given).
    positions
        Server front port id -> its rear-port position (read when not given); pass both
        when tracing many links.

    Returns
    -------
    list of list of Hop
        Per far end, one hop per cable, with the rear-port position of the front port at
        either end (a trunk leg between rear ports carries the position of the front port
        before it). A breakout harness is one cable with several far ends: one path each
        (NetBox ends a trace there). ``[]`` when ``start`` has no cable.

    Raises
    ------
    ApiError
        The interface is not on the server, or the server refused a request.

    Examples
    --------
    >>> read_trace(api, plant, PortRef("leaf01", "5", "interface"))  # doctest: +SKIP
    [[Hop(near=PortRef(device='leaf01', name='5', kind='interface'), ...)]
    """
    site = slug(plant.site)
    if devices is None:
        devices = {d["id"]: d["name"] for d in api.find("dcim/devices", site=site)}
    if positions is None:
        positions = {f["id"]: int(f["rear_ports"][0]["rear_port_position"])
                     for f in api.find("dcim/front-ports", site=site) if f.get("rear_ports")}
    found = api.find("dcim/interfaces", site=site, device=start.device, name=start.name)
    if not found:
        raise ApiError(404, f"interface {start.name} of {start.device} not on the server",
                       url=f"{api.url}/api/dcim/interfaces/")
    hops: list[Hop] = []
    for near_ends, cable, far_ends in api.trace("dcim/interfaces", found[0]["id"]):
        if not near_ends or not cable or not far_ends:
            break  # the path ends at a port without a cable
        a = _ref(near_ends[0], devices)
        fars = [(_ref(f, devices), f["id"]) for f in far_ends]
        ends = [near_ends[0]["id"]] if a.kind == "front" else [
            i for b, i in fars if b.kind == "front"]
        pos = (positions.get(ends[0], 1) if ends else
               hops[-1].position if hops and a.kind == fars[0][0].kind == "rear" else 1)
        if len(fars) > 1:  # a breakout: NetBox's trace ends with the harness's far ends
            return [[*hops, Hop(a, str(cable.get("label") or ""), b, pos)] for b, _i in fars]
        hops.append(Hop(a, str(cable.get("label") or ""), fars[0][0], pos))
    return [hops] if hops else []

def _ref(obj: Body, devices: dict[Any, str]) -> PortRef:
    url = str(obj.get("url", ""))
    kind = "front" if "/front-ports/" in url else "rear" if "/rear-ports/" in url else (
        "interface")
    dev = obj.get("device")
    name = devices.get(_id(dev), "") or (str(dev.get("name") or "") if isinstance(dev, dict)
                                         else "")
    return PortRef(name, str(obj["name"]), kind)  # type: ignore[arg-type]
