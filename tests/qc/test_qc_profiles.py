"""Limit profiles: data integrity, lookup, user files, checks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mpokit.errors import CatalogError, InputError
from mpokit.qc.profiles import (
    MT_PARAMETERS,
    ROUND_PARAMETERS,
    builtin_profiles,
    default_profile_name,
    evaluate,
    get_profile,
)


@pytest.mark.parametrize("name", sorted(builtin_profiles()))
def test_every_builtin_limit_has_source_and_status(name: str) -> None:
    profile = builtin_profiles()[name]
    assert profile.limits
    allowed = MT_PARAMETERS if profile.kind == "mt" else ROUND_PARAMETERS
    for key, limit in profile.limits.items():
        assert key in allowed
        assert limit.source.strip()
        assert limit.status in ("verified", "derived", "vendor", "typical")


def test_required_defaults_exist() -> None:
    assert {"mt-pc", "mt-apc", "round-pc", "round-upc", "round-apc"} <= set(builtin_profiles())


def test_verified_facts() -> None:
    for name in ("mt-pc", "mt-apc"):
        ax = get_profile(name).limits["angle_x_deg"]
        assert (ax.min, ax.max, ax.status) == (-0.15, 0.15, "verified")
    ay = get_profile("mt-apc").limits["angle_y_deg"]
    assert (ay.min, ay.max, ay.status) == (7.8, 8.2, "verified")


def test_fiber_height_limits_are_not_claimed_as_standard() -> None:
    for profile in builtin_profiles().values():
        for key in ("height_nm", "height_diff_nm", "adjacent_diff_nm", "fiber_height_nm"):
            if key in profile.limits:
                assert profile.limits[key].status == "typical"


def test_unknown_name_suggests() -> None:
    with pytest.raises(CatalogError, match="did you mean 'mt-apc'"):
        get_profile("mt-acp")


def test_user_profile_file(tmp_path: Path) -> None:
    path = tmp_path / "buyer.yaml"
    path.write_text("kind: mt\nlimits:\n  height_nm: {min: 500, max: 2500, status: vendor,"
                    " source: 'buyer spec 12'}\n")
    profile = get_profile(str(path))
    assert profile.name == "buyer" and profile.limits["height_nm"].max == 2500


@pytest.mark.parametrize(("text", "message"), [
    ("kind: mt\nlimits:\n  hieght_nm: {max: 1, status: typical, source: x}\n",
     "did you mean 'height_nm'"),
    ("kind: mt\nlimits:\n  height_nm: {max: 1, status: typical, source: x, unit: nm}\n",
     r"bad.yaml:3: limits.height_nm.unit: unknown key 'unit'"),
    ("kind: mt\nlimits:\n  height_nm: {max: 1, status: guessed, source: x}\n", "status"),
    ("kind: mt\nlimits:\n  height_nm: {status: typical, source: x}\n", "needs 'min', 'max'"),
    ("kind: mt\nlimits:\n  radius_mm: {max: 1, status: typical, source: x}\n",
     "do not apply to kind 'mt'"),
    ("kind: mt\nlimits: [\n", "not valid YAML"),
])
def test_bad_user_profile(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(InputError, match=message):
        get_profile(str(path))


def test_default_profile_name() -> None:
    assert default_profile_name("mt", 8.0) == "mt-apc"
    assert default_profile_name("mt", 0.0) == "mt-pc"
    assert default_profile_name("round", 8.0) == "round-apc"


def test_per_fiber_check_names_worst_and_failed_fibers() -> None:
    checks = evaluate(get_profile("mt-pc"),
                      {"height_nm": np.array([1500.0, 900.0, 2000.0, 3600.0, 800.0]),
                       "angle_x_deg": 0.2})
    by = {c.parameter: c for c in checks}
    assert not by["height_nm"].ok
    assert by["height_nm"].failed == (2, 4, 5)
    assert by["height_nm"].location == "fiber 5" and by["height_nm"].value == 800.0
    assert not by["angle_x_deg"].ok and by["angle_x_deg"].limit.status == "verified"


def test_nan_value_fails() -> None:
    (check,) = evaluate(get_profile("round-pc"), {"radius_mm": float("nan")})
    assert not check.ok and check.to_dict()["value"] is None
