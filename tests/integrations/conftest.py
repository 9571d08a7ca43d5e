"""Plans for the integration tests: made once per session, written like `mpokit plan`.

``tiny``: 4 nodes on 2 rails, 2 leaves, 1 spine; node-leaf cords, leaf-spine structured
(cord -- MPO panel -- trunk of 8 legs -- MPO panel -- cord)::

    [leaf01 5] --cord A-- [1B01-PP01 F01][R01] ==trunk leg 1/8==
        [R01][1A01-PP01 F01] --cord B-- [spine01 1]
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mpokit.integrations import Plant, load_plant, plant_from_plan

TINY = {
    "cluster": {"name": "tiny", "nodes": 4, "rails": 2, "nic_speed_gbps": 400},
    "fabric": {"scalable_unit": 4, "switch": {"ports": 8, "port_speed_gbps": 400, "cages": 8}},
    "cabling": {"leaf_spine": "structured"},
}


@pytest.fixture(scope="session")
def tiny_plan():  # type: ignore[no-untyped-def]
    from mpokit.plan import ClusterSpec, make_plan

    return make_plan(ClusterSpec.model_validate(TINY))


@pytest.fixture(scope="session")
def tiny_dir(tiny_plan, tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    from mpokit.plan import write_plan

    return write_plan(tiny_plan, tmp_path_factory.mktemp("plan") / "tiny", channels=False)


@pytest.fixture(scope="session")
def tiny(tiny_dir: Path) -> Plant:
    return load_plant(tiny_dir)


@pytest.fixture(scope="session")
def tiny_mem(tiny_plan) -> Plant:  # type: ignore[no-untyped-def]
    return plant_from_plan(tiny_plan)


# devices of several heights: 8-RU nodes, 1-RU leaves, 2-RU spines, 1-RU cores and panels
TALL = Path(__file__).resolve().parents[2] / "examples" / "cluster" / "switch-per-tier.yaml"


@pytest.fixture(scope="session")
def tall_plan():  # type: ignore[no-untyped-def]
    from mpokit.plan import load_spec, make_plan

    return make_plan(load_spec(TALL))


@pytest.fixture(scope="session")
def tall_dir(tall_plan, tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    from mpokit.plan import write_plan

    return write_plan(tall_plan, tmp_path_factory.mktemp("plan") / "tall", channels=False)


@pytest.fixture(scope="session")
def tall(tall_dir: Path) -> Plant:
    return load_plant(tall_dir)


# far halls: some leaf-spine links take duplex FR4 over LC cords and MPO-LC cassettes
HALLS = {
    "cluster": {"name": "halls", "nodes": 127, "rails": 8, "nic_speed_gbps": 400},
    "fabric": {"topology": "rail-optimized", "scalable_unit": 32,
               "switch": {"ports": 64, "port_speed_gbps": 400, "cages": 32}},
    "layout": {"rows_per_hall": 1, "hall_gap_m": 250},
}


@pytest.fixture(scope="session")
def halls_plan():  # type: ignore[no-untyped-def]
    from mpokit.plan import ClusterSpec, make_plan

    return make_plan(ClusterSpec.model_validate(HALLS))


@pytest.fixture(scope="session")
def halls_dir(halls_plan, tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    from mpokit.plan import write_plan

    return write_plan(halls_plan, tmp_path_factory.mktemp("plan") / "halls", channels=False)


@pytest.fixture(scope="session")
def nautobot(tmp_path_factory):  # type: ignore[no-untyped-def]
    """A real Nautobot server for this test session (see ``nautobot_server.py``).

    Skipped only outside CI when Nautobot cannot be installed or started here; in CI
    (``CI=true``) a failure to start is a test error. ``MPOKIT_NAUTOBOT_URL`` and
    ``MPOKIT_NAUTOBOT_TOKEN`` point the tests at an empty throwaway server of your own
    instead (they create objects on it).
    """
    import os
    import subprocess

    from tests.integrations import nautobot_server as ns

    if os.environ.get("MPOKIT_NAUTOBOT_URL"):  # a running throwaway server of your own
        yield ns.NautobotServer(tmp_path_factory.mktemp("nb-ext"),
                                url=os.environ["MPOKIT_NAUTOBOT_URL"],
                                token=os.environ.get("MPOKIT_NAUTOBOT_TOKEN", ""))
        return
    log = tmp_path_factory.mktemp("nautobot") / "nautobot.log"
    in_ci = os.environ.get("CI", "").lower() == "true"
    why = ns.ensure_venv(log)
    if why:
        if in_ci:
            pytest.fail(why)
        pytest.skip(why)
    try:
        srv = ns.start(log)
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        if in_ci:
            raise
        pytest.skip(f"nautobot could not start here: {exc}")
    yield srv
    srv.stop()
