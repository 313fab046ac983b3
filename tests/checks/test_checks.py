"""Issue 15: wrong parts come back with a word. Sizes, the kind of part and the features asked for
are checked against what the sandbox measured, feed the repair loop and otherwise warn."""

from __future__ import annotations

import json
from typing import Any

import build123d as bd
import pytest

from partsmith.build import geometry
from partsmith.checks import stated
from partsmith.generate.pipeline import Generator
from partsmith.model.scripted import ScriptedBackend
from partsmith.sandbox import SandboxPool

CUBE_PROMPT = "a 50 mm cube with a 10 mm hole through the centre"
DISC = "```python\nfrom build123d import *\nresult = Cylinder(25, 10) - Cylinder(5, 10)\n```"
CUBE = "```python\nfrom build123d import *\nresult = Box(50, 50, 50) - Cylinder(5, 50)\n```"
PLAIN_PLATE = "```python\nfrom build123d import *\nresult = Box(80, 40, 6)\n```"


def _measured(size: list[float], **more: Any) -> dict[str, Any]:
    return {"size": size, "holes": [], "slot_ends": 0, "cutouts": 0, "countersinks": 0,
            "counterbores": 0, **more}


@pytest.mark.parametrize(("prompt", "wrong", "right"), [
    # The examples, as the embedded model answered them.
    (CUBE_PROMPT, _measured([50, 50, 10], holes=[10.0]), _measured([50, 50, 50], holes=[10.0])),
    ("a 2 inch long pin, 1/4 inch diameter", _measured([3.5, 3.5, 4.6]), _measured([6.35, 6.35, 50.8])),
    ("a phone stand", _measured([11, 10, 10], holes=[6.0]), _measured([90, 70, 80])),
    ("a plate with a countersunk slot", _measured([80, 40, 6]),
     _measured([80, 40, 6], slot_ends=2, cutouts=2, countersinks=2)),
    ("a washer for M6", _measured([12, 12, 1.6]), _measured([12, 12, 1.6], holes=[6.4])),
    ("a 60 mm disc, 5 mm thick", _measured([60, 60, 15]), _measured([60, 60, 5])),
    ("a block with a counterbored hole", _measured([40, 40, 20], holes=[6.0]),
     _measured([40, 40, 20], holes=[6.0], counterbores=1)),
    # Issue 25: a nut's across flats and its thickness are its extents.
    ("a hex nut 10 mm across flats, 5 mm thick", _measured([18.5, 16, 8.4], holes=[8.5]),
     _measured([11.55, 10, 5], holes=[5.0])),
    ("a tube 50 mm long, 10 mm outer diameter, 2 mm wall", _measured([50, 50, 2], holes=[10.0]),
     _measured([10, 10, 50], holes=[6.0])),
])
def test_wrong_parts_are_named(prompt: str, wrong: dict[str, Any], right: dict[str, Any]) -> None:
    assert stated.check(prompt, wrong), "the wrong part passed"
    assert stated.check(prompt, right) == []


@pytest.mark.parametrize(("prompt", "measured"), [
    # Plain prompts whose parts are right: no check may speak.
    ("an L bracket with 50 mm legs, 20 mm wide, 3 mm thick", _measured([50, 50, 20])),
    ("an M8 x 40 bolt", _measured([13, 13, 45])),
    ("a hex nut", _measured([11, 10, 5], holes=[5.0])),
    ("a 40 x 30 x 5 mm plate for an M8 bolt", _measured([40, 30, 5], holes=[8.5])),
    ("a plate with 5 mm tall pins", _measured([60, 40, 8])),
    ("a shaft 8 mm diameter, 100 mm long, with a 20 mm diameter flange", _measured([100, 20, 20])),
    ("an enclosure without slots", _measured([80, 60, 30])),
    ("a spur gear with 24 teeth, module 1.5", _measured([39, 39, 8])),
    ("a knob 30 mm across, 15 mm tall", _measured([30, 30, 15])),
    ("an M8 bolt, 40 mm long, 13 mm across flats", _measured([15.0, 13.0, 45.3])),
    ("an L bracket 3 mm thick with 40 mm legs", _measured([40, 40, 20])),
])
def test_right_parts_pass(prompt: str, measured: dict[str, Any]) -> None:
    assert stated.check(prompt, measured) == []


def test_geometry_measures_slots_countersinks_and_counterbores() -> None:
    with bd.BuildPart() as slotted:
        bd.Box(80, 40, 6)
        with bd.BuildSketch(bd.Plane.XY.offset(3)):
            bd.SlotOverall(30, 8)
        bd.extrude(amount=-6, mode=bd.Mode.SUBTRACT)
    with bd.BuildPart() as countersunk:
        bd.Box(40, 40, 6)
        with bd.Locations(bd.Plane.XY.offset(3)):
            bd.CounterSinkHole(radius=2, counter_sink_radius=4)
    with bd.BuildPart() as counterbored:
        bd.Box(40, 40, 6)
        with bd.Locations(bd.Plane.XY.offset(3)):
            bd.CounterBoreHole(radius=2, counter_bore_radius=4, counter_bore_depth=2)
    with bd.BuildPart() as window:
        bd.Box(40, 40, 6)
        with bd.BuildSketch(bd.Plane.XY.offset(3)):
            bd.Rectangle(20, 5)
        bd.extrude(amount=-6, mode=bd.Mode.SUBTRACT)
    plain = bd.Box(40, 40, 6) - bd.Cylinder(2, 6)
    chamfered_boss = bd.chamfer(bd.Cylinder(5, 10).edges().group_by(bd.Axis.Z)[-1], 1)

    def features(shape: Any) -> tuple[int, int, int, int]:
        m = geometry.measure(shape)
        return m.slot_ends, m.cutouts, m.countersinks, m.counterbores

    assert features(slotted.part) == (2, 2, 0, 0)
    assert features(countersunk.part) == (0, 0, 1, 0)
    assert geometry.measure(countersunk.part).holes == (4.0,)
    assert features(counterbored.part) == (0, 0, 0, 1)
    assert geometry.measure(counterbored.part).holes == (4.0,)
    assert features(window.part) == (0, 2, 0, 0)
    assert features(plain) == (0, 0, 0, 0)
    assert features(chamfered_boss) == (0, 0, 0, 0)  # an outside chamfer is not a countersink


def test_a_wrong_kind_goes_back_to_the_model(pool: SandboxPool) -> None:
    backend = ScriptedBackend([DISC, CUBE])
    result = Generator(backend, pool).generate(CUBE_PROMPT, route="code")
    assert len(result.attempts) == 2 and result.attempts[1].problems == []
    repair = backend.requests[1].messages[-1]["content"]
    assert "50 mm cube" in repair and "50 x 50 x 10" in repair
    assert result.result.measurements["size"] == pytest.approx([50, 50, 50]) and result.warnings == []


def test_a_missing_feature_is_a_warning(pool: SandboxPool) -> None:
    backend = ScriptedBackend([PLAIN_PLATE] * 3)
    result = Generator(backend, pool).generate("a plate with a countersunk slot", route="code")
    assert len(result.attempts) == 3
    assert any("slot" in w and "has none" in w for w in result.warnings)
    assert any("countersink" in w for w in result.warnings)


def test_shipped_examples_match_their_own_prompts(pool: SandboxPool) -> None:
    """No check speaks about a part the kit or an example makes exactly as its prompt says: such a
    false mismatch would cost every similar prompt a repair."""
    from partsmith.generate import family_route, structured
    from partsmith.generate.examples import code_examples
    from partsmith.kit.registry import FAMILIES

    for example in code_examples():
        result = pool.run(example.code)
        assert stated.check(example.prompt, result.measurements) == [], example.name
    for name, family in FAMILIES.items():
        for prompt, params in family.examples:
            program = family_route.parse(json.dumps({"family": name, "params": params}))
            script = structured.render(program)
            assert stated.check(prompt, pool.run(script).measurements) == [], prompt
