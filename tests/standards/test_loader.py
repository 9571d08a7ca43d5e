"""One loader for every catalogue: same errors (file:line:field, "did you mean") everywhere.

Each catalogue is exercised through the loader it really uses: the built-in file must load,
a misspelt key in a user file must be reported on its line with a suggestion, and an unknown
name must be answered with close matches.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from mpokit.errors import CatalogError, InputError
from mpokit.loss.grades import Defaults, grade, grades
from mpokit.loss.limits import applications, fibers
from mpokit.plan.catalog import PlanCatalog, plan_catalog
from mpokit.qc import profiles
from mpokit.standards import Catalog, connectors, polishes, transceivers
from mpokit.standards import parts as std_parts
from mpokit.standards.catalog import (
    catalog_input_error,
    check_sections,
    load_section,
    read_document,
)

SRC = Path(__file__).resolve().parents[2] / "src" / "mpokit"

# (catalogue getter, an existing name, a misspelling of it, the first record's first key)
REGISTRY: list[tuple[str, Callable[[], Catalog[Any]], str, str]] = [
    ("connectors", connectors, "MPO-16", "MPO-61"),
    ("polishes", polishes, "APC", "APCC"),
    ("transceivers", transceivers, "400GBASE-SR8", "400GBASE-SR8x"),
    ("cassettes", std_parts.cassettes, "MPO12-LC6-B", "MPO12-LC6-Bx"),
    ("breakouts", std_parts.breakouts, "MPO8-4xLC", "MPO8-4xLCC"),
    ("fibers", fibers, "OM4", "OM44"),
    ("applications", applications, "400GBASE-SR8", "400GBASE-SR8x"),
    ("grades", grades, "C", "C"),
    ("optics", lambda: plan_catalog().optics, "400G-DR4", "400G-DR44"),
    ("panels", lambda: plan_catalog().panels, "1U-MPO-48", "1U-MPO-84"),
    ("profiles", profiles._builtin_catalog, "mt-apc", "mt-acp"),
]


@pytest.mark.parametrize(("key", "get", "name", "typo"), REGISTRY, ids=[r[0] for r in REGISTRY])
def test_every_catalogue_loads_and_answers_unknown_names(
    key: str, get: Callable[[], Catalog[Any]], name: str, typo: str
) -> None:
    cat = get()
    assert len(cat) > 0 and name in cat
    for rec in cat:
        # every record carries its provenance (QC profiles carry it per limit)
        statuses = ([lim.status for lim in rec.limits.values()] if key == "profiles"
                    else [rec.status])
        assert set(statuses) <= {"verified", "derived", "vendor", "typical"}
    if typo != name:
        with pytest.raises(CatalogError) as info:
            cat.get(typo)
        assert name.upper() in (s.upper() for s in info.value.suggestions)


@pytest.mark.parametrize(("key", "get", "name", "typo"), REGISTRY, ids=[r[0] for r in REGISTRY])
def test_misspelt_key_in_a_user_file_names_file_line_and_field(
    tmp_path: Path, key: str, get: Callable[[], Catalog[Any]], name: str, typo: str
) -> None:
    del typo
    rec: dict[str, Any] = get().get(name).model_dump(mode="json", exclude_none=True)
    # a fresh catalogue of the same kind, so the shared one stays as shipped
    fresh: Catalog[Any] = Catalog(get().kind, get().model, get().key)
    rec["sourse"] = rec.pop("source", "x")
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump({get().key: [rec]}, sort_keys=False))
    lines = path.read_text().splitlines()
    want = next(i for i, s in enumerate(lines, 1) if "sourse" in s)
    with pytest.raises(InputError) as info:
        fresh.extend(path)
    err = info.value
    assert err.file == str(path) and err.line == want
    assert err.field is not None and err.field.endswith("sourse")
    # records whose model has a top-level 'source' get it suggested
    if "source" in get().model.model_fields:
        assert err.fix == "did you mean 'source'?"


def test_grade_defaults_section_errors_carry_the_line() -> None:
    from mpokit._yaml import load_yaml

    data, lines = load_yaml("defaults:\n  connection: C\n  splise: S\n", file="g.yaml")
    with pytest.raises(InputError) as info:
        load_section(data, lines, "defaults", Defaults)
    assert info.value.line == 3 and info.value.field == "defaults.splise"


def test_unknown_section_is_refused_with_did_you_mean() -> None:
    from mpokit._yaml import load_yaml

    data, lines = load_yaml("optics: []\npanles: []\n", file="p.yaml")
    with pytest.raises(InputError) as info:
        check_sections(data, lines, PlanCatalog.SECTIONS, "plan catalogue")
    assert info.value.line == 2 and info.value.fix == "did you mean 'panels'?"
    data, lines = load_yaml("- just\n- a list\n", file="p.yaml")
    with pytest.raises(InputError, match="mapping of section names"):
        check_sections(data, lines, PlanCatalog.SECTIONS, "plan catalogue")


def test_read_document_fills_defaults_and_names_lines(tmp_path: Path) -> None:
    class Doc(BaseModel, extra="forbid"):
        name: str
        value: int

    f = tmp_path / "doc.yaml"
    f.write_text("value: 3\n")
    assert read_document(f, Doc, {"name": "doc"}) == Doc(name="doc", value=3)
    f.write_text("value: 3\nvalu: 4\n")
    with pytest.raises(InputError) as info:
        read_document(f, Doc, {"name": "doc"})
    assert info.value.line == 2
    f.write_text("- 1\n")
    with pytest.raises(InputError, match="expected a mapping"):
        read_document(f, Doc)


def test_catalog_error_becomes_an_input_error_of_the_field() -> None:
    with pytest.raises(CatalogError) as info:
        grade("Q")
    err = catalog_input_error(info.value, field="cabling.connector_grade", file="s.yaml", line=9)
    assert str(err).startswith("s.yaml:9: cabling.connector_grade: unknown grade 'Q'")
    assert err.fix is not None and "mpokit catalog" in err.fix  # no close match: how to list
    with pytest.raises(CatalogError) as info:
        grade("AA")
    assert catalog_input_error(info.value).fix == "did you mean 'A'?"


def _loader_calls(tree: ast.AST) -> list[str]:
    """Names of YAML-reading calls a module makes itself."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
            if name in ("safe_load", "load_all", "safe_load_all"):
                out.append(name)
    return out


@pytest.mark.parametrize("module", ["loss/grades.py", "loss/limits.py", "qc/profiles.py",
                                    "plan/catalog.py", "standards/connectors.py",
                                    "standards/parts.py"])
def test_catalogue_modules_do_not_parse_yaml_themselves(module: str) -> None:
    tree = ast.parse((SRC / module).read_text())
    assert _loader_calls(tree) == []
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert "yaml" not in imported
