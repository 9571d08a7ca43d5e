"""Nautobot (2.x / 3.x): bulk-import CSVs, the REST API push, and reading a cable trace back.

CSV files follow Nautobot's CSV import, which since 2.0 is the REST API serializer's
fields, with related objects named by their natural-key fields joined by ``__``
(``location__name``, ``device_type__model``); see docs/integrations.md. The push talks
to ``/api/`` with httpx and a token (``Authorization: Token <key>``).

>>> d = NautobotDialect()
>>> d.name
'Nautobot'
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from mpokit.errors import InputError
from mpokit.integrations.plant import Hop, Plant, PortRef
from mpokit.integrations.push import ApiError, Body, Key, Stage, cable_key
from mpokit.integrations.records import (
    ROLE_COLORS,
    Inventory,
    PanelPort,
    cable_type,
    inventory,
    panel_ports,
    port_type,
)

__all__ = [
    "HttpApi", "NautobotDialect", "length_cm", "nautobot_csvs", "nautobot_length", "read_trace",
    "write_nautobot",
]

LOCATION_TYPE = "Site"
_PORT_ENDPOINT = {"interface": "dcim/interfaces", "front": "dcim/front-ports",
                  "rear": "dcim/rear-ports"}
_PORT_CT = {"interface": "dcim.interface", "front": "dcim.frontport", "rear": "dcim.rearport"}


def length_cm(length_m: float) -> int:
    """A cable length for Nautobot, whose ``Cable.length`` is a whole number: in cm.

    Parameters
    ----------
    length_m
        The planned length in m.

    Returns
    -------
    int
        The length in cm (exact for lengths given to the cm, as the plan's are).

    Examples
    --------
    >>> length_cm(1.5)
    150
    """
    return round(float(length_m) * 100)


#: Nautobot's ``Cable.length`` is a PositiveSmallIntegerField (nautobot/dcim/models/cables.py)
_SMALLINT_MAX = 32767


def nautobot_length(length_m: float) -> tuple[int, str]:
    """A cable length as Nautobot can hold it: a whole number up to 32767 and its unit.

    In cm while that fits (up to 327.67 m); longer cables (a campus trunk) in whole
    metres, rounded to the nearest metre (found by the real-server test: a 500 m trunk in
    cm is refused).

    Parameters
    ----------
    length_m
        The planned length in m.

    Returns
    -------
    tuple of (int, str)
        The length and its unit (``cm`` or ``m``).

    Raises
    ------
    InputError
        A length over 32,767 m.

    Examples
    --------
    >>> nautobot_length(1.5), nautobot_length(512.3)
    ((150, 'cm'), (512, 'm'))
    """
    cm = length_cm(length_m)
    if cm <= _SMALLINT_MAX:
        return cm, "cm"
    m = round(float(length_m))
    if m > _SMALLINT_MAX:
        raise InputError(f"a cable of {length_m:g} m is longer than Nautobot can record "
                         f"({_SMALLINT_MAX} m)", field="length_m",
                         fix="split the route into cables Nautobot can hold")
    return m, "m"


def _rows_csv(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return ""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def nautobot_csvs(plant: Plant) -> dict[str, str]:
    """The plant as Nautobot CSV import files, in import order (file name -> text).

    Parameters
    ----------
    plant
        The plant (:func:`~mpokit.integrations.plant.load_plant`).

    Returns
    -------
    dict of str to str
        ``01-location-types.csv`` ... ``10-devices.csv``: import them in name order.
        Cables are not among them: Nautobot's CSV import names a cable's ends only by
        UUID (given by name, Nautobot 3.2.7 creates cables without ends, silently); push
        them with :func:`~mpokit.integrations.push.push` (``mpokit push``).

    Examples
    --------
    >>> from mpokit.integrations.plant import Plant
    >>> sorted(nautobot_csvs(Plant("hall", (), (), ())))[:2]
    ['01-location-types.csv', '02-locations.csv']
    """
    inv = inventory(plant)
    site = inv.site
    files: dict[str, list[dict[str, Any]]] = {
        "01-location-types.csv": [{"name": LOCATION_TYPE, "nestable": "false",
                                   "content_types": "dcim.device,dcim.rack"}],
        "02-locations.csv": [{"name": site, "location_type__name": LOCATION_TYPE,
                              "status__name": "Active"}],
        "03-racks.csv": [{"name": r, "location__name": site, "status__name": "Active",
                          "u_height": inv.rack_units} for r in inv.racks],
        "04-manufacturers.csv": [{"name": inv.manufacturer}],
        "05-roles.csv": [{"name": r, "color": ROLE_COLORS.get(r, "9e9e9e"),
                          "content_types": "dcim.device"} for r in inv.roles],
        "06-device-types.csv": [{"manufacturer__name": inv.manufacturer, "model": t.model,
                                 "u_height": t.u_height} for t in inv.device_types],
        "07-interface-templates.csv": [
            {"device_type__manufacturer__name": inv.manufacturer, "device_type__model": t.model,
             "name": n, "type": "other"} for t in inv.device_types for n in t.interfaces],
        "08-rear-port-templates.csv": [
            {"device_type__manufacturer__name": inv.manufacturer, "device_type__model": t.model,
             "name": n, "type": port_type(t.port_type), "positions": p}
            for t in inv.device_types for n, p in t.rear_ports],
        "09-front-port-templates.csv": [
            {"device_type__manufacturer__name": inv.manufacturer, "device_type__model": t.model,
             "name": f, "type": port_type(t.front_type),
             "rear_port_template__device_type__manufacturer__name": inv.manufacturer,
             "rear_port_template__device_type__model": t.model,
             "rear_port_template__name": r, "rear_port_position": pos}
            for t in inv.device_types for f, r, pos in t.front_ports],
        "10-devices.csv": [
            {"name": d.name, "device_type__manufacturer__name": inv.manufacturer,
             "device_type__model": d.device_type, "role__name": d.role,
             "location__name": site, "rack__location__name": site, "rack__name": d.rack,
             "position": d.ru if d.ru is not None else "", "face": "front" if d.ru else "",
             "status__name": "Active"} for d in inv.devices],
    }
    return {k: _rows_csv(v) for k, v in files.items() if v}


def write_nautobot(plant: Plant, out: str | Path, *, force: bool = False) -> Path:
    """Write :func:`nautobot_csvs` into the folder ``out`` (all files or none).

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

    return write_output_texts(out, nautobot_csvs(plant), force=force)


class HttpApi:
    """Nautobot's (or any DRF-style) REST API over httpx, token authentication.

    Parameters
    ----------
    url
        The server's base URL (``https://nautobot.example.com``).
    token
        An API token.
    client
        An httpx client to use (tests pass one with a mock transport).
    """

    def __init__(self, url: str, token: str, *, client: Any = None,
                 scheme: str = "Token", timeout_s: float = 120.0) -> None:
        import httpx

        self.base = url.rstrip("/")
        self.client = client or httpx.Client(timeout=timeout_s)
        self.headers = {"Authorization": f"{scheme} {token}", "Accept": "application/json",
                        "Content-Type": "application/json"}

    def _send(self, method: str, path: str, **kw: Any) -> Any:
        import httpx

        url = path if path.startswith("http") else f"{self.base}/api/{path.strip('/')}/"
        try:
            r = self.client.request(method, url, headers=self.headers, **kw)
        except httpx.HTTPError as exc:
            raise ApiError(0, str(exc) or type(exc).__name__, url=url) from None
        if r.status_code >= 400:
            try:
                detail: Any = r.json()
            except ValueError:
                detail = r.text[:500]
            raise ApiError(r.status_code, detail, url=url)
        return r.json() if r.content else None

    def find(self, endpoint: str, **filters: Any) -> list[Body]:
        """Every object of ``endpoint`` matching ``filters`` (follows ``next`` pages)."""
        out: list[Body] = []
        params: dict[str, Any] | None = {**filters, "limit": 1000}
        url = endpoint
        while url:
            page = self._send("GET", url, params=params)
            out += page["results"]
            url, params = page.get("next") or "", None
        return out

    def create(self, endpoint: str, bodies: list[Body]) -> list[Body]:
        """Create ``bodies`` in one bulk request."""
        made = self._send("POST", endpoint, json=bodies)
        return list(made) if isinstance(made, list) else [made]

    def get(self, path: str) -> Any:
        """GET one path under ``/api/``."""
        return self._send("GET", path)


def _id(obj: Any) -> Any:
    return obj.get("id") if isinstance(obj, dict) else obj


class NautobotDialect:
    """The push stages spelled for Nautobot's REST API (2.x and 3.x)."""

    name = "Nautobot"

    def __init__(self) -> None:
        self.port_of: dict[Any, PortRef] = {}
        self.panel: dict[PortRef, PanelPort] = {}

    def stages(self, inv: Inventory, ids: dict[tuple[str, Key], Any]) -> Iterable[Stage]:
        yield Stage("status", "extras/statuses", [
            (name, {"name": name, "color": color, "content_types": cts}, name)
            for name, color, cts in (
                ("Active", "4caf50", ["dcim.location", "dcim.rack", "dcim.device",
                                      "dcim.interface"]),
                ("Connected", "4caf50", ["dcim.cable"]))],
            lambda o: o["name"], {"name": ["Active", "Connected"]})
        yield Stage("location type", "dcim/location-types",
                    [(LOCATION_TYPE, {"name": LOCATION_TYPE, "nestable": False,
                                      "content_types": ["dcim.device", "dcim.rack"]},
                      LOCATION_TYPE)], lambda o: o["name"], {"name": LOCATION_TYPE})
        active = self._status(ids)
        yield Stage("location", "dcim/locations", [(inv.site, {
            "name": inv.site, "location_type": ids[("location type", LOCATION_TYPE)],
            "status": active}, inv.site)], lambda o: o["name"], {"name": inv.site})
        loc = ids[("location", inv.site)]
        yield Stage("rack", "dcim/racks", [(r, {"name": r, "location": loc, "status": active,
                                                "u_height": inv.rack_units}, r)
                                           for r in inv.racks],
                    lambda o: o["name"], {"location": loc} if loc else None,
                    compare=("u_height",))
        yield Stage("manufacturer", "dcim/manufacturers",
                    [(inv.manufacturer, {"name": inv.manufacturer}, inv.manufacturer)],
                    lambda o: o["name"], {"name": inv.manufacturer})
        yield Stage("role", "extras/roles", [(r, {"name": r, "color": ROLE_COLORS.get(
            r, "9e9e9e"), "content_types": ["dcim.device"]}, r) for r in inv.roles],
            lambda o: o["name"])
        man = ids[("manufacturer", inv.manufacturer)]
        yield Stage("device type", "dcim/device-types",
                    [(t.model, {"manufacturer": man, "model": t.model, "u_height": t.u_height},
                      t.model) for t in inv.device_types],
                    lambda o: o["model"], {"manufacturer": man} if man else None)
        dts = [(t, ids[("device type", t.model)]) for t in inv.device_types]
        known = [dt for _t, dt in dts if dt]
        flt = {"device_type": known} if known else None
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
                    [((t.model, f), {"device_type": dt, "name": f, "type": port_type(
                        t.front_type), "rear_port_template": ids.get(
                        ("rear port template", (t.model, r))), "rear_port_position": pos},
                      f"{t.model} {f}") for t, dt in dts for f, r, pos in t.front_ports],
                    lambda o: (self._dt_model(o, dts), o["name"]), flt,
                    compare=("rear_port_position",))
        yield Stage("device", "dcim/devices", [(d.name, {
            "name": d.name, "device_type": ids[("device type", d.device_type)],
            "role": ids[("role", d.role)], "location": loc, "rack": ids[("rack", d.rack)],
            "position": d.ru, "face": "front" if d.ru else "", "status": active}, d.name)
            for d in inv.devices], lambda o: o["name"],
            {"location": loc} if loc else None, compare=("position",))
        devs = {d.name: ids[("device", d.name)] for d in inv.devices}
        names = {v: k for k, v in devs.items()}
        self.panel = panel_ports(inv)
        for kind in ("interface", "rear", "front"):
            ports = sorted({p for c in inv.cables for p in (*c.a, *c.b) if p.kind == kind})
            yield Stage(f"{kind} port", _PORT_ENDPOINT[kind], [
                (p, self._port_body(p, devs[p.device], ids), f"{p.device} {p.name}")
                for p in ports],
                self._port_key(names, kind),
                {"location": loc} if loc else None)
            for p in ports:
                self.port_of[(kind, ids.get((f"{kind} port", p)))] = p
        yield Stage("cable", "dcim/cables", [(cable_key(c), {
            "termination_a_type": _PORT_CT[c.a[0].kind],
            "termination_a_id": ids[(f"{c.a[0].kind} port", c.a[0])],
            "termination_b_type": _PORT_CT[c.b[0].kind],
            "termination_b_id": ids[(f"{c.b[0].kind} port", c.b[0])],
            "status": self._status(ids, "Connected"), "type": cable_type(c),
            "label": c.label, "length": nautobot_length(c.length_m)[0],
            "length_unit": nautobot_length(c.length_m)[1]}, c.label)
            for c in inv.cables], self._cable_key,
            {"location_id": loc} if loc else None, compare=("label",))  # cables: by id

    def _status(self, ids: dict[tuple[str, Key], Any], name: str = "Active") -> Any:
        return ids.get(("status", name))

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
            body["status"] = self._status(ids)
        elif p.kind == "rear":
            body.update(type=self.panel[p].type, positions=self.panel[p].positions)
        else:
            pp = self.panel[p]
            body.update(type=pp.type, rear_port=ids.get(("rear port", pp.rear)),
                        rear_port_position=pp.rear_position)
        return body

    def _cable_key(self, o: Body) -> Any:
        ends = []
        for side in ("a", "b"):
            ct = str(o[f"termination_{side}_type"])
            kind = {v: k for k, v in _PORT_CT.items()}.get(ct, ct)
            ends.append(self.port_of.get((kind, str(o[f"termination_{side}_id"])),
                                         PortRef("?", str(o[f"termination_{side}_id"]), "rear")))
        a, b = sorted(ends)
        return (a, b)


def read_trace(api: HttpApi, plant: Plant, start: PortRef,
               devices: dict[Any, str] | None = None) -> list[Hop]:
    """Nautobot's cable trace from interface ``start`` as :class:`Hop` rows.

    Parameters
    ----------
    api
        A connection to the server the plant was pushed to.
    plant
        The plant (its site names the Nautobot location whose devices are looked up).
    start
        The interface to trace from.
    devices
        Server device id -> name (read from the server when not given; pass it when
        tracing many links).

    Returns
    -------
    list of Hop
        One hop per cable, with the rear-port position the server reports (1 when the
        segment does not pass a rear port).

    Raises
    ------
    ApiError
        The interface is not on the server, or the server refused the request.
    """
    if devices is None:
        devices = {d["id"]: d["name"] for d in api.find("dcim/devices", location=plant.site)}
    found = api.find("dcim/interfaces", location=plant.site, device=start.device,
                     name=start.name)
    if not found:
        raise ApiError(404, f"interface {start.name} of {start.device} not on the server",
                       url=api.base)
    segments = api.get(f"dcim/interfaces/{found[0]['id']}/trace")
    hops: list[Hop] = []
    for near, cable, far in segments:
        if cable is None or far is None:
            continue
        a, b = _ref(near, devices), _ref(far, devices)
        # a rear-to-rear cable (a trunk leg) carries the position of the front port before
        pos = (int(far.get("rear_port_position") or near.get("rear_port_position") or 0)
               or (hops[-1].position if hops and a.kind == b.kind == "rear" else 1))
        hops.append(Hop(a, str(cable.get("label") or ""), b, pos))
    return hops


def _ref(obj: Body, devices: dict[Any, str]) -> PortRef:
    url = str(obj.get("url", ""))
    kind: Literal["interface", "front", "rear"] = (
        "front" if "/front-ports/" in url else "rear" if "/rear-ports/" in url else "interface")
    dev = obj.get("device")
    name = devices.get(_id(dev), "") if dev is not None else ""
    if not name and isinstance(dev, dict):
        name = str(dev.get("name") or dev.get("display") or "")
    return PortRef(name, str(obj["name"]), kind)
