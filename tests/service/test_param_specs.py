"""Parameter specs: the head comments' contract read into kinds, units, limits and choices, and
served with each history entry so that the front ends build fitting fields from them."""

from __future__ import annotations

from live_engine import Running

from partsmith.program.params import read_parameters, read_spec

SCRIPT = '''"""A plate for the spec tests."""
from build123d import Box, Cylinder, Pos

length = 40  # mm [10, 200] - along X
width = 30.0  # mm [10, 200]
tilt = 0.0  # deg [0, 45]
rows = 2  # [1, 6]
holes = "corners"  # one of: none, corners, centre - where the holes go
label = "plain"  # any words at all

result = Box(length, width, 5)
if holes != "none":
    result -= Pos(0, 0, 0) * Cylinder(2, 10)
'''


def test_the_contract_forms_become_kinds_units_limits_and_choices() -> None:
    specs = {p.name: p for p in read_parameters(SCRIPT)}
    assert (specs["length"].kind, specs["length"].unit) == ("length", "mm")
    assert (specs["length"].minimum, specs["length"].maximum) == (10.0, 200.0)
    assert specs["length"].description == "along X"
    assert (specs["tilt"].kind, specs["tilt"].unit, specs["tilt"].maximum) == ("angle", "deg", 45.0)
    assert (specs["rows"].kind, specs["rows"].minimum, specs["rows"].maximum) == ("integer", 1.0, 6.0)
    assert specs["holes"].kind == "choice" and specs["holes"].choices == ("none", "corners", "centre")
    assert specs["holes"].description == "where the holes go"
    assert specs["label"].kind == "text" and specs["label"].description == "any words at all"


def test_comments_outside_the_contract_keep_the_values_plain_kind() -> None:
    assert read_spec(3, "how many").kind == "integer"
    assert read_spec(2.5, "[1, 2] and more words").kind == "number"
    assert read_spec("x", "[1, 2]").kind == "text"  # a range does not fit a string
    assert read_spec("a", "one of: b, c").kind == "text"  # the value is not one of the choices
    assert read_spec(5, "[9, 1]").minimum is None  # an upside-down range is no range
    assert read_spec(True, "mm").kind == "bool"
    assert read_spec(40, "mm, along X").kind == "length"  # the kit's older form


def test_to_dict_carries_the_spec() -> None:
    holes = next(p for p in read_parameters(SCRIPT) if p.name == "holes").to_dict()
    assert holes["kind"] == "choice" and holes["choices"] == ["none", "corners", "centre"]
    assert holes["value"] == "corners" and holes["minimum"] is None


def test_the_entry_view_serves_the_specs_of_its_script(service: Running) -> None:
    client = service.client
    job = client.wait(client.submit("script", script=SCRIPT, host="service")["id"], timeout_s=120)
    assert job["state"] == "done", job
    entry = client.entry(job["entry"]["id"])
    specs = {spec["name"]: spec for spec in entry["parameter_specs"]}
    assert list(specs) == ["length", "width", "tilt", "rows", "holes", "label"]
    assert specs["width"]["kind"] == "length" and specs["width"]["maximum"] == 200.0
    assert specs["holes"]["choices"] == ["none", "corners", "centre"]
    assert specs["rows"]["kind"] == "integer"
