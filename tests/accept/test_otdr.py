"""SR-4731 files with known events: written by our generator, read by otdrs, attributed."""

from __future__ import annotations

import otdrs
import pytest

from mpokit.accept import attribute, parse_sor, read_sor
from mpokit.accept.sor import SorEvent, generate_sor
from mpokit.errors import InputError
from tests.accept.conftest import cord_plan

EVENTS = (SorEvent(0.0, 0.25, -52.0), SorEvent(35.5, 0.0, None),
          SorEvent(70.0, 0.4, -48.0), SorEvent(90.0, 0.0, -14.0, end=True))


def _sor(**kw: object) -> bytes:
    args = {"label": "x", "fiber": 3, "wavelength_nm": 850, "launch_m": 150.0} | kw
    return generate_sor(*EVENTS, **args)  # type: ignore[arg-type]


def test_events_read_back_at_their_distances() -> None:
    t = parse_sor(_sor(), file="t.sor")
    assert (t.label, t.fiber, t.wavelength_nm) == ("x", 2, 850.0)
    assert [round(e.distance_m, 1) for e in t.events] == [0.0, 35.5, 70.0, 90.0]
    assert [e.loss_db for e in t.events] == [0.25, 0.0, 0.4, 0.0]
    assert [e.reflectance_db for e in t.events] == [-52.0, None, -48.0, -14.0]
    assert [e.end for e in t.events] == [False, False, False, True]


def test_otdrs_accepts_the_checksum_and_its_own_rewrite_holds_the_same_events() -> None:
    data = _sor()
    sor = otdrs.parse_bytes(data)
    assert str(sor.validate_checksum(data).status).endswith("Valid")
    again = parse_sor(bytes(sor.to_bytes()), file="rewritten.sor")
    assert again.events == parse_sor(data).events


@pytest.mark.parametrize("cut", [10, 100, 400, -60])
def test_truncated_files_are_refused(cut: int) -> None:
    data = _sor()
    with pytest.raises(InputError, match="not a readable SR-4731 OTDR file") as exc:
        parse_sor(data[:cut], file="cut.sor")
    assert exc.value.file == "cut.sor" and "export the trace" in str(exc.value)


@pytest.mark.parametrize("data", [b"", b"\x89PNG\r\n\x1a\n" + bytes(200), b"Map" + bytes(5)])
def test_foreign_files_are_refused(data: bytes) -> None:
    with pytest.raises(InputError, match="not a readable SR-4731"):
        parse_sor(data, file="x.sor")


def test_label_and_fiber_must_be_set() -> None:
    with pytest.raises(InputError, match="cable id is empty"):
        parse_sor(_sor(label=""))
    with pytest.raises(InputError, match="fiber id '0'") as exc:
        parse_sor(_sor(fiber=0))
    assert exc.value.field == "GenParams.fiber_id"


def test_read_sor_from_a_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "t.sor").write_bytes(_sor())
    assert read_sor(tmp_path / "t.sor").file.endswith("t.sor")


def test_excess_loss_and_reflection_go_to_the_designed_element() -> None:
    from mpokit.accept import plan_designs
    from mpokit.connectivity import ChannelSet, parse_channels

    plan = plan_designs(ChannelSet.from_specs(parse_channels({"channels": [{
        "name": "x", "a": "400GBASE-SR4", "b": "400GBASE-SR4", "path": [
            {"cord": {"connector": "MPO-12", "type": "A", "fiber": "OM4", "length_m": 20}},
            {"adapter": {"type": "A", "label": "PP05-25"}},
            {"trunk": {"connector": "MPO-12", "type": "A", "fiber": "OM4", "length_m": 50,
                       "ends": ["male", "male"]}},
            {"adapter": {"type": "A", "label": "PP09-01", "reflectance_db": -35.0}},
            {"cord": {"connector": "MPO-12", "type": "B", "fiber": "OM4",
                      "length_m": 5}}]}]})))
    t = parse_sor(generate_sor(
        SorEvent(0.0, 0.2, -55.0), SorEvent(20.3, 0.9, -55.0), SorEvent(70.0, 0.3, -25.0),
        SorEvent(75.0, 0.2, -55.0), SorEvent(95.0, 0.0, -14.0, end=True),
        label="x", fiber=1, wavelength_nm=850, launch_m=100.0))
    found = attribute(t, plan, 0)
    assert [(f.at, round(f.measured_loss_db, 2)) for f in found] == [(1, 0.9), (3, 0.3)]
    assert found[0].message.startswith("path[1] adapter PP05-25 (type A adapter (MPO-12)) at "
                                       "20.3 m (fiber 1): 0.90 dB, designed 0.75")
    assert "reflectance -25.0 dB, designed -35.0" in found[1].message


def test_an_event_between_designed_elements_is_reported_as_unexplained() -> None:
    plan = cord_plan(("x",))
    t = parse_sor(generate_sor(SorEvent(0.0, 0.2, -55.0), SorEvent(3.5, 0.6, None),
                               SorEvent(7.0, 0.2, -55.0), label="x", fiber=1,
                               wavelength_nm=850, launch_m=100.0))
    (f,) = attribute(t, plan, 0, tolerance_m=1.0)
    assert f.at is None and "no designed element explains" in f.what
