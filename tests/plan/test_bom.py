"""A BOM a buyer can order from: spares, part numbers, prices, lead times, cost totals,
and the same lines in an Excel workbook beside the CSV."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
import yaml
from openpyxl import load_workbook
from typer.testing import CliRunner

from mpokit.cli import app
from mpokit.errors import InputError
from mpokit.plan import load_spec, make_plan
from mpokit.plan.bom import ORDERABLE, bom_rows, read_prices, spares

ROOT = Path(__file__).resolve().parents[2]
SUPERPOD = ROOT / "examples" / "cluster" / "superpod-1su.yaml"


def _spec(tmp_path: Path, bom: dict, prices: dict | None = None) -> Path:
    data = yaml.safe_load(SUPERPOD.read_text())
    data["bom"] = bom
    if prices is not None:
        (tmp_path / "prices.yaml").write_text(yaml.safe_dump(prices))
        data["bom"]["prices"] = "prices.yaml"
    f = tmp_path / "spec.yaml"
    f.write_text(yaml.safe_dump(data))
    return f


def test_spares_policy_percent_and_minimum() -> None:
    q = np.array([0, 1, 49, 50, 51, 1000])
    assert spares(q, percent=2, minimum=1).tolist() == [0, 1, 1, 1, 2, 20]
    assert spares(q, percent=0, minimum=0).tolist() == [0] * 6


def test_prices_spares_and_totals(tmp_path: Path) -> None:
    base = bom_rows(make_plan(load_spec(SUPERPOD)))
    tx = {r["item"]: r["quantity"] for r in base if r["category"] == "transceiver"}
    prices = {"currency": "EUR", "items": [
        {"item": "800G-2xSR4", "part_number": "MMA4Z00-NS", "unit_price": 1000.0,
         "lead_time_days": 56, "source": "quote Q-1"},
        {"item": "400GBASE-SR4", "part_number": "MMA4Z00-NS400", "unit_price": 500.0,
         "lead_time_days": 28, "source": "quote Q-1"},
    ]}
    plan = make_plan(load_spec(_spec(tmp_path, {"spares_percent": 5, "spares_min": 2},
                                     prices)))
    rows = bom_rows(plan)
    by_item = {r["item"]: r for r in rows}
    twin = by_item["800G-2xSR4"]
    assert twin["quantity"] == tx["800G-2xSR4"]
    assert twin["spares"] == max(int(np.ceil(tx["800G-2xSR4"] * 0.05)), 2)
    assert twin["order_quantity"] == twin["quantity"] + twin["spares"]
    assert twin["extended_price"] == 1000.0 * twin["order_quantity"]
    assert (twin["part_number"], twin["currency"], twin["lead_time_days"]) == (
        "MMA4Z00-NS", "EUR", 56)
    total = rows[-1]
    assert total["category"] == "total"
    single = by_item["400GBASE-SR4"]
    assert total["extended_price"] == twin["extended_price"] + single["extended_price"]
    n_orderable = sum(r["category"] in ORDERABLE for r in rows)
    assert f"2 of {n_orderable} lines priced: the total is INCOMPLETE" in total["item"]
    assert total["lead_time_days"] == 56
    # counts for information carry no spares and no price
    assert by_item["fiber (all cables)"]["spares"] == ""


def test_without_prices_the_total_says_so() -> None:
    rows = bom_rows(make_plan(load_spec(SUPERPOD)))
    assert rows[-1]["extended_price"] == "" and "no prices given" in rows[-1]["item"]
    assert all(r["spares"] == 0 for r in rows if r["category"] in ORDERABLE)


def test_cli_writes_the_same_bom_as_csv_and_excel(tmp_path: Path) -> None:
    spec = _spec(tmp_path, {"spares_percent": 2, "spares_min": 1},
                 {"items": [{"item": "800G-2xSR4", "unit_price": 10.5}]})
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["plan", str(spec), "-o", str(out)])
    assert r.exit_code == 0, r.output
    with open(out / "bom.csv", newline="") as fh:
        lines = list(csv.DictReader(fh))
    ws = load_workbook(out / "bom.xlsx").active
    assert ws is not None
    cells = list(ws.iter_rows(values_only=True))
    header = list(cells[0])
    assert header == list(lines[0].keys())
    assert len(cells) - 1 == len(lines)
    for row, line in zip(cells[1:], lines, strict=True):
        for key, value in zip(header, row, strict=True):
            if value is None:
                assert line[key] == ""
            elif isinstance(value, int | float) and not isinstance(value, bool):
                assert float(line[key]) == pytest.approx(float(value))
            else:
                assert line[key] == value


@pytest.mark.parametrize(("text", "words", "line"), [
    ("currency: EUR\nitem:\n  - {item: X}\n", "did you mean 'items'", 2),
    ("items:\n  - {item: X, unit_prise: 3}\n", "unknown key 'unit_prise'", 2),
    ("items:\n  - {item: X, unit_price: -3}\n", "greater than or equal to 0", 2),
])
def test_bad_price_file_names_its_line(tmp_path: Path, text: str, words: str,
                                       line: int) -> None:
    f = tmp_path / "p.yaml"
    f.write_text(text)
    with pytest.raises(InputError) as info:
        read_prices(f)
    assert words in str(info.value) and info.value.line == line
