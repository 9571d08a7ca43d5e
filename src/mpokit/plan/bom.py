"""The bill of materials a buyer orders from: quantities by part, spares, part numbers,
prices, lead times and cost totals, as rows (``bom.csv``) and an Excel workbook.

Spares follow the spec's ``bom`` section: per orderable line, ``max(ceil(quantity x
spares_percent / 100), spares_min)``. Part numbers, unit prices and lead times come from a
buyer file (``bom.prices``, relative to the spec) keyed by the BOM item and, for cables,
the length. A line without a price is never costed as zero: the total says how many lines
it covers.

>>> spares(np.array([10, 200, 0]), percent=2.0, minimum=1).tolist()
[1, 4, 0]
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import Field

from mpokit._yaml import read_yaml, validate_model
from mpokit.errors import InputError
from mpokit.standards import Strict
from mpokit.standards.catalog import check_sections

if TYPE_CHECKING:
    from mpokit.plan.planner import Plan

__all__ = ["BuyerItem", "BuyerPrices", "bom_rows", "read_prices", "spares",
           "write_bom_workbook"]

ORDERABLE = ("switch", "transceiver", "cord", "trunk", "breakout", "dac", "acc", "panel",
             "cassette", "adapter", "campus_cable", "splice_enclosure", "odf", "pigtail")
"""BOM categories a buyer orders (others are counts for information: ferrules, fiber)."""


COLUMNS = ("category", "item", "length_m", "quantity", "spares", "order_quantity", "unit",
           "part_number", "unit_price", "extended_price", "currency", "lead_time_days")


class BuyerItem(Strict):
    """What the buyer knows about one BOM item (and length, for cables)."""

    item: str = Field(min_length=1, description="The BOM item text, e.g. '800G-2xDR4'.")
    length_m: float | None = Field(default=None, gt=0, le=100_000)
    part_number: str | None = None
    unit_price: float | None = Field(default=None, ge=0, le=1e9)
    lead_time_days: int | None = Field(default=None, ge=0, le=3650)
    source: str = Field(default="", description="Quote or price list this comes from.")


class BuyerPrices(Strict):
    """A buyer file: currency and items."""

    currency: str = Field(default="USD", min_length=1, max_length=8)
    items: tuple[BuyerItem, ...] = ()

    def lookup(self) -> dict[tuple[str, float | None], BuyerItem]:
        """Items by (item, length in m or None).

        Returns
        -------
        dict
            ``(item, length_m)`` -> :class:`BuyerItem`; a length-free entry of a cable item
            applies to every length.
        """
        return {(i.item, i.length_m): i for i in self.items}


def read_prices(path: str | os.PathLike[str]) -> BuyerPrices:
    """Read a buyer file (``currency``, ``items``) through the catalogue loader's checks.

    Parameters
    ----------
    path
        The YAML file.

    Returns
    -------
    BuyerPrices
        The validated file (errors name the file, line and field).

    Examples
    --------
    >>> import os, tempfile
    >>> f = os.path.join(tempfile.mkdtemp(), "p.yaml")
    >>> _ = open(f, "w").write("currency: EUR\\nitems:\\n  - {item: X, unit_price: 2}\\n")
    >>> read_prices(f).items[0].unit_price
    2.0
    """
    data, lines = read_yaml(path)
    check_sections(data, lines, ("currency", "items"), "price")
    return validate_model(data, BuyerPrices, lines)


def spares(quantity: np.ndarray, *, percent: float, minimum: int) -> np.ndarray:
    """Spares per line: ``max(ceil(quantity x percent / 100), minimum)``, none for 0.

    Parameters
    ----------
    quantity
        Ordered quantity of each line.
    percent
        Spares as a percentage of the quantity.
    minimum
        At least this many spares on every line with a quantity.

    Returns
    -------
    numpy.ndarray
        Integer spares per line.
    """
    q = np.asarray(quantity, dtype=np.int64)
    pct = np.ceil(q * percent / 100 - 1e-9).astype(np.int64)
    return np.where(q > 0, np.maximum(pct, minimum), 0)


def _base_rows(plan: Plan) -> list[dict[str, Any]]:
    cab = plan.cabling
    rows: list[dict[str, Any]] = []
    # switches by model (a model used at two tiers is one line)
    per_model: dict[str, int] = {}
    s = plan.summary
    for tier, model in s.get("switch_models", {}).items():
        per_model[model] = per_model.get(model, 0) + s["switches"][tier]
    for model, q in per_model.items():
        rows.append({"category": "switch", "item": model, "length_m": "", "quantity": q,
                     "unit": "ea"})
    for model, q in sorted(cab.transceivers.items()):
        rows.append({"category": "transceiver", "item": model, "length_m": "", "quantity": q,
                     "unit": "ea"})
    cols = cab.cables.cols
    if len(cab.cables):
        # exact keys: (part, length in cm) combined with a base taken from the data (the
        # longest length + 1), never a fixed one that a long cable overflows
        cm_all = np.round(cols["length_m"] * 100).astype(np.int64)
        base = int(cm_all.max(initial=0)) + 1
        if len(cab.parts) * base >= 2**62:  # pragma: no cover - beyond any real plan
            raise InputError("cable lengths too long to count", field="layout")
        uniq, counts = np.unique(cols["part"] * base + cm_all, return_counts=True)
        for key, q in zip(uniq.tolist(), counts.tolist(), strict=True):
            part, cm = divmod(key, base)
            p = cab.parts[part]
            rows.append({"category": p.kind, "item": p.description,
                         "length_m": cm / 100, "quantity": q, "unit": "ea"})
    for model, per_rack in sorted(cab.rack_panels.items()):
        rows.append({"category": "panel", "item": model, "length_m": "",
                     "quantity": int(per_rack.sum()), "unit": "ea"})
    for model, q in sorted(cab.cassettes.items()):
        rows.append({"category": "cassette", "item": model, "length_m": "", "quantity": q,
                     "unit": "ea"})
    for model, q in sorted(cab.adapters.items()):
        rows.append({"category": "adapter", "item": model, "length_m": "", "quantity": q,
                     "unit": "ea"})
    if plan.campus is not None:  # trunk reels, closures, ODFs, splices (plan.campus)
        rows += plan.campus.bom_rows()
    rows.append({"category": "mt_ferrule", "item": "MT ferrules in cable plugs", "length_m": "",
                 "quantity": s["mt_ferrules"], "unit": "ea"})
    rows.append({"category": "fiber", "item": "fiber (all cables)", "length_m": "",
                 "quantity": s["fiber_m_total"], "unit": "m"})
    return rows


def bom_rows(plan: Plan, prices: BuyerPrices | None = None) -> list[dict[str, Any]]:
    """Bill of materials: transceivers, cables by part and length, panels, cassettes,
    adapters, then ferrule and fiber counts and, last, the cost total.

    Parameters
    ----------
    plan
        The plan (its spec's ``bom`` section gives the spares policy).
    prices
        The buyer's part numbers, prices and lead times (None: the spec's ``bom.prices``
        file if any).

    Returns
    -------
    list of dict
        One mapping per line with ``category``, ``item``, ``length_m``, ``quantity``,
        ``spares``, ``order_quantity``, ``unit``, ``part_number``, ``unit_price``,
        ``extended_price``, ``currency``, ``lead_time_days``; the last row (category
        ``total``) carries the cost of the priced lines and says how many are priced.
    """
    pol = plan.spec.bom
    if prices is None and pol.prices is not None:
        prices = read_prices(pol.prices)
    table = prices.lookup() if prices else {}
    currency = prices.currency if prices else ""
    rows = _base_rows(plan)
    orderable = [r for r in rows if r["category"] in ORDERABLE]
    sp = spares(np.asarray([r["quantity"] for r in orderable], dtype=np.int64),
                percent=pol.spares_percent, minimum=pol.spares_min)
    total = 0.0
    priced = 0
    lead = 0
    for r in rows:
        r.update({"spares": "", "order_quantity": "", "part_number": "", "unit_price": "",
                  "extended_price": "", "currency": "", "lead_time_days": ""})
    for r, s in zip(orderable, sp.tolist(), strict=True):
        r["spares"] = s
        r["order_quantity"] = r["quantity"] + s
        length = r["length_m"] if isinstance(r["length_m"], float) else None
        hit = table.get((r["item"], length)) or table.get((r["item"], None))
        if hit is None:
            continue
        r["part_number"] = hit.part_number or ""
        r["lead_time_days"] = "" if hit.lead_time_days is None else hit.lead_time_days
        lead = max(lead, hit.lead_time_days or 0)
        if hit.unit_price is not None:
            r["unit_price"] = hit.unit_price
            r["extended_price"] = round(hit.unit_price * r["order_quantity"], 2)
            r["currency"] = currency
            total += r["extended_price"]
            priced += 1
    n = len(orderable)
    note = ("all lines priced" if priced == n and n else
            f"{priced} of {n} lines priced: the total is INCOMPLETE" if priced else
            "no prices given (bom.prices)")
    rows.append({"category": "total", "item": f"cost total ({note})", "length_m": "",
                 "quantity": "", "unit": "", "spares": "", "order_quantity": "",
                 "part_number": "", "unit_price": "",
                 "extended_price": round(total, 2) if priced else "",
                 "currency": currency if priced else "",
                 "lead_time_days": lead if lead else ""})
    return [{c: r[c] for c in COLUMNS} for r in rows]


def write_bom_workbook(rows: list[dict[str, Any]], path: str | os.PathLike[str]) -> None:
    """Write the BOM as an Excel workbook (one sheet, typed cells, a frozen header).

    Parameters
    ----------
    rows
        :func:`bom_rows` output.
    path
        The ``.xlsx`` file to write (inside the output folder being prepared).

    Raises
    ------
    InputError
        openpyxl is not installed (it comes with ``pip install 'mpokit[plan]'``).
    """
    try:
        from openpyxl import Workbook
        from openpyxl.styles import Font
    except ImportError:  # pragma: no cover - openpyxl comes with the plan extra
        raise InputError("the Excel BOM needs openpyxl",
                         fix="pip install 'mpokit[plan]'") from None
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "BOM"
    ws.append(list(COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append([None if r.get(c, "") == "" else r[c] for c in COLUMNS])
    ws.freeze_panes = "A2"
    for col, width in zip("ABCDEFGHIJKL", (12, 48, 10, 10, 8, 14, 6, 18, 12, 16, 9, 14),
                          strict=True):
        ws.column_dimensions[col].width = width
    wb.save(os.fspath(path))
