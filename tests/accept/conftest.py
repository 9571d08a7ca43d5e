"""Accept fixtures: a real planned fabric (3 tiers: cords, panel adapters, trunks)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mpokit.accept import PlanDesigns, plan_designs, read_plan
from mpokit.connectivity import ChannelSet, parse_channels
from mpokit.plan import ClusterSpec, make_plan, write_plan
from tests.store.conftest import db_url, pg_cluster

__all__ = ["db_url", "pg_cluster"]  # the store's SQLite + PostgreSQL fixtures

SPEC = {"cluster": {"name": "acc", "nodes": 64, "rails": 2, "nic_speed_gbps": 400},
        "fabric": {"topology": "rail-optimized", "scalable_unit": 32, "tiers": 3,
                   "switch": {"ports": 32, "port_speed_gbps": 400, "cages": 32}}}


@pytest.fixture(scope="session")
def plan_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``mpokit plan`` output of a 64-node, 2-rail, 3-tier fabric (384 channels)."""
    out = tmp_path_factory.mktemp("plan") / "plan"
    write_plan(make_plan(ClusterSpec.model_validate(SPEC)), out)
    return out


@pytest.fixture(scope="session")
def plan(plan_dir: Path) -> PlanDesigns:
    return read_plan(plan_dir)


def cord_plan(names: tuple[str, ...] = ("x", "y"), kind: str = "B") -> PlanDesigns:
    """Direct Type ``kind`` MPO-12 OM4 cords, one channel per name::

        [SR4 x] --cord 7 m-- [SR4]
    """
    return plan_designs(ChannelSet.from_specs(parse_channels({"channels": [
        {"name": n, "a": "400GBASE-SR4", "b": "400GBASE-SR4", "path": [
            {"cord": {"connector": "MPO-12", "type": kind, "fiber": "OM4", "length_m": 7}}]}
        for n in names]})))


def rows(label: str, far: list[int], loss: float = 0.3, wl: int = 850) -> str:
    """Generic-layout CSV rows of one link: fiber p arrives at ``far[p-1]``."""
    return "".join(f"{label},{p},{wl},{loss},7.0,{f},PASS\n" for p, f in enumerate(far, 1))


HEADER = "label,fiber,wavelength_nm,loss_db,length_m,far_fiber,verdict\n"
TYPE_B = [13 - p for p in range(1, 13)]
