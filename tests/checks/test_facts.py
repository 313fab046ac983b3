"""Issue 25: every fact a prompt states comes back with its verdict (met, or what is off), the
engine chooses among candidate answers by them, and the user sees them."""

from __future__ import annotations

import json
from typing import Any

import pytest

from partsmith.checks import stated
from partsmith.checks.facts import Fact
from partsmith.client import background
from partsmith.client import facts as shown
from partsmith.generate.pipeline import Generator
from partsmith.model.scripted import ScriptedBackend
from partsmith.program import compile_program, parse
from partsmith.sandbox import SandboxPool


def _measured(size: list[float], **more: Any) -> dict[str, Any]:
    return {"size": size, "holes": [], "slot_ends": 0, "cutouts": 0, "countersinks": 0,
            "counterbores": 0, **more}


def _script(body: str) -> str:
    return f"```python\nfrom build123d import *\n{body}\n```"


PLATE_PROMPT = "a 100 x 60 x 5 mm plate with four 6 mm holes"
NO_HOLES = _script("result = Box(100, 60, 5)")
TOO_THICK = _script("result = Box(100, 60, 60)")
RIGHT = _script("result = Box(100, 60, 5) - GridLocations(80, 40, 2, 2) * Cylinder(3, 5)")


def test_every_stated_fact_has_a_verdict() -> None:
    found = stated.facts(PLATE_PROMPT, _measured([100, 60, 5], holes=[6.0, 6.0]))
    assert [(f.about, f.said, f.met) for f in found] == [
        ("size", "100 x 60 x 5 mm", True),
        ("holes", "four 6 mm holes", False),
    ]  # no kind: the three sizes say the shape
    [missed] = [f for f in found if not f.met]
    assert "2 such hole(s)" in missed.off and missed.problem.startswith("the prompt asks for four 6 mm holes")
    assert Fact.from_dict(missed.to_dict()) == missed


def test_a_prompt_that_states_nothing_has_no_facts() -> None:
    assert stated.facts("a bracket", _measured([40, 30, 20])) == []


def test_a_kind_is_a_fact_when_no_three_sizes_say_the_shape() -> None:
    [kind] = stated.facts("a plate", _measured([60, 60, 60]))
    assert kind.about == "kind" and not kind.met and kind.off == "the part is 60 x 60 x 60 mm"


@pytest.mark.parametrize("prompt", ["a tube 50 mm long, 10 mm outer diameter, 2 mm wall",
                                    "a spacer 10 mm OD, 50 mm long"])
def test_an_outer_diameter_is_the_parts_own(prompt: str) -> None:
    right = stated.facts(prompt, _measured([10, 10, 50], holes=[6.0]))
    wrong = stated.facts(prompt, _measured([50, 50, 2], holes=[6.0]))
    assert all(f.met for f in right)
    assert any(f.about == "length" and not f.met and "10 mm" in f.said for f in wrong)


def test_sizes_of_several_bodies_are_each_inside_the_part() -> None:
    """A plate with a post on top, a pocket's own sizes: each body's sizes fit in the part and the
    main body's share an extent, so a right part misses nothing and a part far too big still does."""
    right = _measured([100, 100, 60], holes=[])
    for prompt in ("a base plate 100x100x10 with a cylinder 30mm dia 50mm tall on top in the middle",
                   "plate 150x100x10 with a pocket 100x60 5mm deep in the middle"):
        part = right if "cylinder" in prompt else _measured([150, 100, 10])
        assert all(f.met for f in stated.facts(prompt, part)), stated.facts(prompt, part)
        assert not all(f.met for f in stated.facts(prompt, _measured([s * 1.3 for s in part["size"]])))


def test_holes_said_in_two_places_add_up_and_a_decimal_is_one_size() -> None:
    prompt = "a 60 x 40 x 5 plate, two M5 holes on the left and two M5 holes on the right"
    assert all(f.met for f in stated.facts(prompt, _measured([60, 40, 5], holes=[5.5] * 4)))
    assert not all(f.met for f in stated.facts(prompt, _measured([60, 40, 5], holes=[5.5] * 2)))
    spacer = "spacer Ø30 x 20 mm with a Ø10.5 mm through hole"
    assert all(f.met for f in stated.facts(spacer, _measured([30, 30, 20], holes=[10.5])))
    # "6 mm pin holes" and "six pins in a row" do not make the part a pin
    assert stated.asked_kind("U channel 80 long, 6mm pin holes thru both sides") is None


@pytest.mark.parametrize(("prompt", "right", "wrong"), [
    # A role word before a number is that number's: the 15 is a radius, the 60 the length.
    ("rod radius 15mm length 60mm", _measured([60, 30, 30]), _measured([40, 30, 30])),
    ("rod 10 mm diameter 40 mm long", _measured([40, 10, 10]), _measured([40, 40, 40])),
    # Two diameters over each other, then a length: outside over inside, bottom over top.
    ("bronze bush 16/12 x 20mm", _measured([20, 16, 16], holes=[12.0]), _measured([20, 1.33, 1.33])),
    ("frustum 60/30 x 40 centred at origin", _measured([60, 60, 40]), _measured([40, 2, 2])),
    # A tube by its outside diameter and wall, the stockist's way.
    ("300mm of 25x2 tube, axis X", _measured([300, 25, 25], holes=[21.0]),
     _measured([300, 25, 25], holes=[20.0])),
    # A section and the run it is extruded along.
    ("angle iron 40 x 40 x 4, 100mm long", _measured([100, 40, 40]), _measured([100, 50, 40])),
    ("an L profile 40x40x4 extruded 100", _measured([100, 40, 40]), _measured([40, 40, 4])),
    # Bare numbers in a prompt that gives inches and nothing metric are inches.
    ('4x3x3/8 plate, four 17/64 holes 1/2" in from edges', _measured([101.6, 76.2, 9.525], holes=[6.75] * 4),
     _measured([4, 3, 0.375], holes=[6.75] * 4)),
    # A maker's "13 hole" is a 13 mm hole ("holes" counts them).
    ("washer 30od 13 hole 2.5t", _measured([30, 30, 2.5], holes=[13.0]), _measured([30, 30, 2.5], holes=[6.0])),
    # ... but a "6 hole plate" has six holes, of no stated size.
    ("a 6 hole plate 100x50x5", _measured([100, 50, 5], holes=[5.5] * 6), _measured([100, 50, 5], holes=[6.0])),
    # "in." with its period is an inch.
    ("plate 2 x 3 x 1/4 in. with a 1/4 in. hole", _measured([76.2, 50.8, 6.35], holes=[6.35]),
     _measured([3, 2, 0.25], holes=[6.35])),
    # Clearance holes for M4 are not the 4.2 mm tapping drills for M5 on the same part.
    ("an 80 x 60 x 20 block, four M4 clearance holes and four M5 tapped holes",
     _measured([80, 60, 20], holes=[4.2] * 4 + [4.5] * 4), _measured([80, 60, 20], holes=[4.2] * 4)),
    # "in a" is no inch; a feature's sizes are its own: a pocket's, a counterbore's, a chamfer's.
    ("a pocket 30x30x10 in a 50mm cube", _measured([50, 50, 50]), _measured([30, 30, 10])),
    ("spacer 30od x 20 long, 10.5 hole, cbored 16 x 4 deep both ends",
     _measured([30, 30, 20], holes=[10.5], counterbores=2), _measured([30, 30, 16], holes=[10.5], counterbores=2)),
    ("Cylinder 40 x 15 mm, bottom edge chamfered 1 x 45°", _measured([40, 40, 15]), _measured([40, 40, 45])),
    ("handwheel 100 x 10, 5 spokes 6x6, 8mm bore", _measured([100, 100, 10], holes=[8.0]),
     _measured([80, 80, 10], holes=[8.0])),
])
def test_sizes_as_makers_write_them(prompt: str, right: dict[str, Any], wrong: dict[str, Any]) -> None:
    assert stated.check(prompt, right) == []
    assert stated.check(prompt, wrong), "the wrong part passed"


def test_the_user_sees_ticks_and_what_is_off() -> None:
    found = stated.facts(PLATE_PROMPT, _measured([100, 60, 5], holes=[6.0, 6.0]))
    entry = {"facts": [f.to_dict() for f in found], "warnings": [f.problem for f in found if not f.met]
             + ["a wall is thin"]}
    assert shown.lines(entry)[0] == "\u2713 100 x 60 x 5 mm"
    assert shown.lines(entry)[1].startswith("\u2717 four 6 mm holes: the part has 2 such hole(s)")
    assert shown.other_warnings(entry) == ["a wall is thin"]  # a missed fact is not said twice
    ended = background.Outcome(background.DONE, entry, warnings=tuple(shown.other_warnings(entry)))
    assert ended.missed == 1 and len(ended.facts) == 2


def test_a_greedy_answer_that_meets_every_fact_is_the_only_one(pool: SandboxPool) -> None:
    backend = ScriptedBackend([RIGHT, NO_HOLES])
    made = Generator(backend, pool, candidates=4).generate(PLATE_PROMPT, route="code")
    assert len(made.attempts) == 1 and len(backend.requests) == 1
    assert all(f["met"] for f in made.facts) and len(made.facts) == 2
    assert made.timings["candidates"] == 1 and made.timings["answers"] == 1
    assert made.timings["build_s"] > 0 and made.timings["checks_s"] >= 0 and "model_s" in made.timings


def test_candidates_are_made_until_one_meets_every_fact_and_it_wins(pool: SandboxPool) -> None:
    backend = ScriptedBackend([TOO_THICK, NO_HOLES, RIGHT, NO_HOLES])
    made = Generator(backend, pool, max_attempts=2, candidates=4).generate(PLATE_PROMPT, route="code")
    assert len(made.attempts) == 3  # the third met every fact: no fourth
    assert made.result.measurements["size"] == pytest.approx([100, 60, 5])
    assert sorted(made.result.measurements["holes"]) == pytest.approx([6.0] * 4)
    assert made.warnings == [] and all(f["met"] for f in made.facts)
    # Each repair told the model what was off, not the same prompt again.
    assert "60" in backend.requests[1].messages[-1]["content"]
    assert "holes" in backend.requests[2].messages[-1]["content"]


def test_the_part_that_meets_the_most_facts_wins(pool: SandboxPool) -> None:
    backend = ScriptedBackend([TOO_THICK, NO_HOLES, TOO_THICK])
    made = Generator(backend, pool, candidates=3).generate(PLATE_PROMPT, route="code")
    # Too thick misses the size and the holes; no holes misses only the holes.
    assert made.result.measurements["size"] == pytest.approx([100, 60, 5])
    assert [f["said"] for f in made.facts if not f["met"]] == ["four 6 mm holes"]
    assert made.attempts[2].same_as == 1  # the same answer again was not built again
    assert made.timings["candidates"] == 2 and made.timings["answers"] == 3


def test_generate_lists_the_facts_once() -> None:
    from partsmith.cli import console

    found = stated.facts(PLATE_PROMPT, _measured([100, 60, 5], holes=[6.0, 6.0]))
    warnings = [f.problem for f in found if not f.met] + ["a wall is thin"]
    with console.out.capture() as captured:
        console.part([100, 60, 5], 30000.0, {}, {}, warnings, [f.to_dict() for f in found])
    text = captured.get()
    assert "\u2713 100 x 60 x 5 mm" in text and "\u2717 four 6 mm holes: the part has 2" in text
    assert text.count("four 6 mm holes") == 1 and "warning: a wall is thin" in text


BOX_PROGRAM = _script("""length = 100  # mm
width = 60  # mm
height = 60  # mm
result = Box(length, width, height)""")
TUBE = _script("""length = 50  # mm
outer_diameter = 50  # mm
wall = 2  # mm
result = Cylinder(outer_diameter / 2, length) - Cylinder(outer_diameter / 2 - wall, length)""")


TUBE_PROGRAM = "```python\n" + compile_program(parse({"features": [{"type": "tube", "od": 50, "id": 10, "h": 2}]})) + "\n```"
LONG_TUBE_PROGRAM = "```python\n" + compile_program(parse({"features": [
    {"type": "tube", "od": 30, "id": 20, "h": 300}]})) + "\n```"
PLATE_HOLE_PROGRAM = "```python\n" + compile_program(parse({"features": [
    {"type": "box", "l": 100, "w": 80, "h": 10}, {"type": "hole", "at": {"type": "points", "pts": [{"x": 0, "y": 0}]},
                                                 "d": 25.4}]})) + "\n```"


@pytest.mark.parametrize(("prompt", "answer", "size", "change"), [
    # A stated size the model put elsewhere or invented: the engine sets it where the words say.
    ("a plate 100 by 60, 3 mm thick", BOX_PROGRAM, [100, 60, 3], "height = 3"),
    ("a tube 50 mm long, 10 mm outer diameter, 2 mm wall", TUBE, [10, 10, 50], "outer_diameter = 10"),
    ("a 100 x 60 x 3 mm plate", BOX_PROGRAM, [100, 60, 3], "height = 3"),
    ("a cube with 30 mm sides", BOX_PROGRAM, [30, 30, 30], "length = 30, width = 30, height = 30"),
    # A tube's wall, on a program that holds its bore: set from the outside diameter as stated.
    ("a tube 50 mm long, 10 mm outer diameter, 2 mm wall", TUBE_PROGRAM, [10, 10, 50],
     "outer_diameter = 10, inner_diameter = 6, height = 50"),
    # A tube by its outside diameter and wall: the diameter set, then the bore from the wall.
    ("300 mm of 25x2 tube", LONG_TUBE_PROGRAM, [300, 25, 25], "outer_diameter = 25, inner_diameter = 21"),
    # Bare numbers in an inch prompt are set in inches.
    ('a 4x3x3/8 plate with a 1" hole in the middle', PLATE_HOLE_PROGRAM, [101.6, 76.2, 9.525],
     "box_length = 101.6, box_width = 76.2, box_height = 9.525"),
])
def test_a_stated_size_the_answer_misses_is_set_where_its_words_say(
        pool: SandboxPool, prompt: str, answer: str, size: list[float], change: str) -> None:
    backend = ScriptedBackend([answer])
    made = Generator(backend, pool, candidates=1, max_attempts=1).generate(prompt, route="code")
    assert len(backend.requests) == 1  # no second answer was needed
    assert sorted(made.result.measurements["size"]) == pytest.approx(sorted(size))
    assert all(f["met"] for f in made.facts), made.facts
    assert made.attempts[0].problems  # the model's own answer missed it ...
    assert made.warnings == [f"the model's answer had other sizes than the prompt states; set {change}"]
    for setting in change.split(", "):
        assert f"{setting}  # mm" in made.script  # the part's own parameter, as if the user had set it


def test_an_answer_that_meets_the_sizes_is_not_touched(pool: SandboxPool) -> None:
    backend = ScriptedBackend([_script("length = 100  # mm\nresult = Box(length, 60, 3)")])
    made = Generator(backend, pool, candidates=1, max_attempts=1).generate(
        "a plate 100 by 60, 3 mm thick", route="code")
    assert made.attempts[0].restated is None and made.warnings == []


def test_a_repeated_answer_is_asked_again_hotter(pool: SandboxPool) -> None:
    """The adapted model answers its short prompt (it takes no repair text): a different answer is
    asked for by sampling, hotter after each answer that only repeated an earlier one."""
    plain = json.dumps({"features": [{"type": "box", "l": 60, "w": 40, "h": 5}]})
    holed = json.dumps({"features": [
        {"type": "box", "l": 60, "w": 40, "h": 5},
        {"type": "hole", "at": {"type": "grid", "nx": 2, "ny": 2, "dx": 40, "dy": 20}, "d": 6}]})
    backend = ScriptedBackend([plain, plain, holed], writes_code=False, prompt_style="short")
    made = Generator(backend, pool, candidates=4).generate("a 60 x 40 x 5 mm plate with four 6 mm holes")
    assert [r.temperature for r in backend.requests] == [0.0, 0.7, pytest.approx(1.0)]
    assert made.attempts[1].same_as == 1 and made.result.measurements["holes"] == [6.0] * 4
    assert all(f["met"] for f in made.facts)


def test_a_restated_answer_is_held_to_its_features_too(pool: SandboxPool) -> None:
    # The block's stated height set on the box swallows the post the model put on top of it.
    answer = json.dumps({"features": [{"type": "box", "l": 40, "w": 30, "h": 5},
                                      {"type": "cylinder", "d": 10, "h": 10, "z": 5}]})
    made = Generator(ScriptedBackend([answer], writes_code=False), pool, candidates=1, max_attempts=1).generate(
        "a 40 x 30 x 20 mm block")
    assert made.result.measurements["size"] == pytest.approx([40, 30, 20])
    assert "features[1] (cylinder) changes nothing: it lies inside the part; check its size and position" in made.warnings


def test_a_second_round_candidate_is_held_to_its_features_too(pool: SandboxPool) -> None:
    """An earlier round's candidate holds no program (its sizes are no longer the program's); the
    next round still names the entries its new sizes make idle, from the answer's program."""
    from partsmith.generate.pipeline import Attempt

    program = {"features": [{"type": "box", "l": 40, "w": 30, "h": 5},
                            {"type": "cylinder", "d": 10, "h": 10, "z": 5}]}
    prompt = "a 40 x 30 x 20 mm block"
    result = pool.run(compile_program(parse(program)), job_dir=pool.new_job_dir())
    said = stated.facts(prompt, result.measurements)
    earlier = Attempt(1, "structured", json.dumps(program), result.script, None, [], 0.0, 0, 0.0, None,
                      facts=[f.to_dict() for f in said])
    made = Generator(ScriptedBackend([]), pool)._restated(prompt, result, earlier, rounds=1, program=program)
    assert made is not None and made[0].measurements["size"] == pytest.approx([40, 30, 20])
    assert any("features[1] (cylinder) changes nothing" in problem for problem in made[1].problems)


def test_three_in_a_row_is_no_inch() -> None:
    # "in a row" is no inch mark: the bare sizes stay millimetres.
    assert stated.check("a 100 x 20 x 5 bar with 3 in a row 4 mm holes", _measured([100, 20, 5], holes=[4.0] * 3)) == []


def test_a_tray_said_with_its_depth_is_its_own_size() -> None:
    # "deep" after a pair is a feature's depth ("cbored 16 x 4 deep"); after three sizes, the part's.
    assert stated.check("a tray 100 x 60 x 20 deep", _measured([100, 60, 20])) == []
    assert stated.check("a tray 100 x 60 x 20 deep", _measured([100, 60, 40]))
