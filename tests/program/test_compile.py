"""The compiled script: a head of uniquely named sizes that follow the parameter comment
contract, edits through those sizes, the sandbox's policy, and no trace of the user's words."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from partsmith.generate.structured import render
from partsmith.program import compile_program, parse
from partsmith.program.examples import examples
from partsmith.program.params import read_parameters, set_parameters
from partsmith.sandbox import SandboxPool
from tests.program.build import program, run_script

FIXTURES = Path(__file__).parent / "fixtures" / "cadqueryeval"
NUMBER = r"-?\d+(?:\.\d+)?(?:e-?\d+)?"
CONTRACT = re.compile(
    rf"^(?:(?:mm|deg) \[{NUMBER}, {NUMBER}\]|\[{NUMBER}, {NUMBER}\]|one of: [\w.]+(?:, [\w.]+)*)(?: - .+)?$")


def all_scripts() -> list[str]:
    scripts = [compile_program(e.program) for e in examples()]
    scripts += [compile_program(parse(json.loads(p.read_text()))) for p in sorted(FIXTURES.glob("*.json"))]
    return scripts


def test_every_head_parameter_follows_the_comment_contract() -> None:
    for script in all_scripts():
        params = read_parameters(script)
        assert params, script
        names = [p.name for p in params]
        assert len(names) == len(set(names))
        for param in params:
            assert CONTRACT.match(param.comment), f"{param.name}: {param.comment!r}"


def test_head_names_say_what_they_size() -> None:
    script = compile_program(program(
        {"type": "box", "l": 40, "w": 20, "h": 5},
        {"type": "hole", "at": {"type": "points", "pts": [{"x": 0, "y": 5}]}, "d": 4, "cb_d": 8, "cb_h": 2},
        {"type": "box", "l": 10, "w": 10, "h": 10, "z": 5},
        {"type": "fillet", "r": 1, "edges": "vertical"},
    ))
    values = {p.name: (p.value, p.comment) for p in read_parameters(script)}
    assert values["box_length"] == (40.0, "mm [0.1, 2000] - along X")
    assert values["hole_counterbore_diameter"][0] == 8.0 and values["box2_z"][0] == 5.0
    assert values["fillet_radius"] == (1.0, "mm [0.1, 2000]")
    assert "box2_length" in values and "hole_diameter" in values
    # A part of one feature: its sizes are the part's, with no prefix.
    kit = compile_program(program({"type": "hex_nut", "size": "M8"}))
    size = next(p for p in read_parameters(kit) if p.name == "size")
    assert size.value == "M8" and size.comment.startswith("one of: custom, M2, M2.5")


def test_a_changed_parameter_changes_the_part() -> None:
    script = compile_program(program({"type": "box", "l": 40, "w": 20, "h": 5},
                                     {"type": "hole", "at": {"type": "grid", "nx": 2, "ny": 2, "dx": 30, "dy": 10},
                                      "d": 4}))
    before = run_script(script)
    after = run_script(set_parameters(script, {"box_height": 8, "hole_columns": 3, "hole_inset_x": 12.5}))
    assert before.holes == (4.0,) * 4 and after.holes == (4.0,) * 6
    assert after.size == pytest.approx((40, 20, 8))


def test_the_prompt_never_reaches_the_script() -> None:
    # A prompt ending in an inch mark once made the docstring `"""...0.5""""`, a syntax error.
    script = render(program({"type": "cylinder", "d": 12.7, "h": 25.4}))
    assert '"' * 4 not in script and "0.5" not in script
    compile(script, "script.py", "exec")


def test_compiled_scripts_run_in_the_sandbox(pool: SandboxPool) -> None:
    script = compile_program(program({"type": "flange", "outer_diameter": 80},
                                     {"type": "hole", "at": {"type": "circle", "n": 3, "d": 30}, "d": 3,
                                      "face": "top"},
                                     {"type": "chamfer", "l": 0.5, "edges": "top", "of": 0}))
    result = pool.run(script)
    assert result.measurements["solids"] == 1 and result.parameters["flange_outer_diameter"] == 80
    assert result.measurements["holes"].count(3.0) == 3


def test_a_failing_feature_is_named_by_the_sandbox(pool: SandboxPool) -> None:
    script = compile_program(program({"type": "box", "l": 20, "w": 20, "h": 5},
                                     {"type": "fillet", "r": 30, "edges": "top"}))
    with pytest.raises(Exception, match=r"features\[1\] \(fillet 30 mm on top edges\)"):
        pool.run(script)


def test_holes_set_in_from_the_corners_stay_there_when_the_plate_grows() -> None:
    # "a 100 x 60 x 5 plate with 6 mm holes 6 mm from the corners": the holes' distance to the
    # edges is the parameter, so a longer plate keeps them 6 mm from its corners.
    from build123d import GeomType

    script = compile_program(program(
        {"type": "box", "l": 100, "w": 60, "h": 5},
        {"type": "hole", "at": {"type": "grid", "nx": 2, "ny": 2, "dx": 88, "dy": 48}, "d": 6}))
    params = {p.name: p for p in read_parameters(script)}
    assert params["hole_inset_x"].value == 6 and params["hole_inset_y"].value == 6
    assert params["hole_inset_x"].role == "inset" and "hole_dx" not in params
    # Labels a person would use: the first body is the part itself.
    assert params["box_length"].label == "length" and params["hole_inset_x"].label == "hole inset x"
    longer = set_parameters(script, {"box_length": 80})
    namespace: dict[str, object] = {}
    run_script(longer)
    exec(compile(longer, "script.py", "exec"), namespace)
    circles = namespace["result"].edges().filter_by(GeomType.CIRCLE)  # type: ignore[attr-defined]
    xs = sorted({round(abs(edge.arc_center.X), 6) for edge in circles})
    assert xs == [34.0]  # 80 / 2 - 6: still 6 mm from the ends
