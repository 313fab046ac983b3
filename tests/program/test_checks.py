"""The checks a program makes possible, on parts built on the real kernel."""

from __future__ import annotations

from typing import Any

from partsmith.checks.program import check, expected_box
from tests.program.build import build, points, program

PLATE = {"type": "box", "l": 40, "w": 30, "h": 5}


def problems(*features: dict[str, Any]) -> list[str]:
    return check(program(*features), build(*features).to_dict())


def test_a_part_that_does_what_its_program_says_has_no_problems() -> None:
    assert problems(PLATE, {"type": "hole", "at": {"type": "grid", "nx": 2, "ny": 2, "dx": 30, "dy": 20}, "d": 4},
                    {"type": "hole", "at": points((0, 0)), "d": 5, "cb_d": 9, "cb_h": 2}) == []


def test_a_hole_that_breaks_out_of_the_part_is_missing() -> None:
    found = problems(PLATE, {"type": "hole", "at": points((-10, 0), (19, 0)), "d": 4})
    assert len(found) == 1 and found[0].startswith("features[1] (hole): 2 hole(s) of 4 mm asked for, the part has 1")


def test_a_counterbore_swallowed_by_a_pocket_is_reported() -> None:
    found = problems(PLATE, {"type": "hole", "at": points((0, 0)), "d": 4, "cb_d": 8, "cb_h": 2},
                     {"type": "pocket", "shape": {"type": "circle", "d": 12}, "depth": 3})
    assert any("features[1] (hole): 1 counterbore(s) of 8 mm asked for, the part has 0" in p for p in found)


def test_a_blind_depth_through_the_part() -> None:
    found = problems(PLATE, {"type": "pocket", "shape": {"type": "rect", "w": 10, "l": 10}, "depth": 5})
    assert found == ["features[1] (pocket): depth 5 mm reaches through the part (5 mm from top to the far side); "
                     "use depth 0 for a through cut, or less"]


def test_expected_box_and_a_part_that_differs() -> None:
    box = expected_box(program(PLATE, {"type": "cylinder", "d": 10, "h": 20, "axis": "x", "mid": True, "z": 10}))
    assert box == ([-20, -15, 0], [20, 15, 15])
    measured = build(PLATE).to_dict()
    measured["size"] = (40, 30, 2)
    found = check(program(PLATE), measured)
    assert found and found[0].startswith("the bodies span 40 x 30 x 5 mm")


def idle_of(*features: dict[str, Any]) -> list[int]:
    """The entries a program's part records as having changed nothing (as the sandbox reports)."""
    from partsmith.program import compile_program
    from partsmith.sandbox.policy import check_source

    script = compile_program(program(*features))
    check_source(script)
    namespace: dict[str, Any] = {}
    exec(compile(script, "script.py", "exec"), namespace)
    return list(namespace["part"].idle)


def test_a_feature_that_changes_nothing_is_a_problem() -> None:
    # A boss 3 mm tall inside a 5 mm plate would be made on top, so a body placed inside is the case.
    inside = {"type": "cylinder", "d": 10, "h": 3, "z": 1}
    features = (PLATE, inside)
    assert idle_of(*features) == [1]
    found = check(program(*features), build(*features).to_dict(), idle_of(*features))
    assert found == ["features[1] (cylinder) changes nothing: it lies inside the part; check its size and position"]


def test_a_mirror_of_a_symmetric_body_changes_nothing_and_one_of_an_offset_rib_does() -> None:
    assert idle_of(PLATE, {"type": "mirror", "plane": "yz"}) == [1]
    rib = {"type": "box", "l": 4, "w": 30, "h": 10, "x": 12, "z": 5}
    assert idle_of(PLATE, rib, {"type": "mirror", "plane": "yz", "of": 1}) == []
    assert idle_of(PLATE, {"type": "cylinder", "d": 10, "h": 8, "z": 5}) == []  # it stands out of the top


def test_an_entry_index_out_of_range_is_ignored() -> None:
    assert check(program(PLATE), build(PLATE).to_dict(), [5, -1]) == []
