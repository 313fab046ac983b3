"""A program less a feature that failed, and the features that work on it."""

from __future__ import annotations

import json

from partsmith.program import dump, parse
from partsmith.program.prune import failed_feature, without

PLATE = {"type": "box", "l": 60, "w": 40, "h": 10}
HOLE = {"type": "hole", "at": {"type": "points", "pts": [{"x": 100, "y": 0}]}, "d": 4}
BOSS = {"type": "boss", "shape": {"type": "circle", "d": 8}, "h": 5, "x": 10}


def _features(program: object) -> list[dict[str, object]]:
    return json.loads(dump(program))["features"]  # type: ignore[arg-type]


def test_the_failed_feature_is_read_from_the_build_error() -> None:
    message = "FeatureError on line 20: features[2] (hole): the hole at (30, 0) misses the part on its top face"
    assert failed_feature(message) == (2, "hole", "the hole at (30, 0) misses the part on its top face")
    fillet = "FeatureError on line 21: features[1] (fillet 30 mm on top edges): the radius is too large"
    assert failed_feature(fillet) == (1, "fillet", "the radius is too large")
    assert failed_feature("the script ran past its 30 s limit") is None


def test_a_feature_and_what_works_on_it_go_the_others_are_renumbered() -> None:
    program = parse({"features": [
        PLATE, HOLE, BOSS, {"type": "fillet", "r": 1, "of": 1}, {"type": "polar", "n": 4, "of": 2}]})
    pruned, removed = without(program, 1) or (None, [])
    assert removed == [1, 3]
    assert _features(pruned) == [PLATE, BOSS, {"type": "polar", "n": 4, "of": 1}]


def test_nothing_is_kept_when_the_first_body_failed() -> None:
    assert without(parse({"features": [PLATE, HOLE]}), 0) is None
    assert without(parse({"features": [PLATE, HOLE]}), 5) is None
