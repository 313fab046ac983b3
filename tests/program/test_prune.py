"""A program less a feature that failed, and the features that work on it."""

from __future__ import annotations

import json

import pytest

from partsmith.errors import FailedFeature, ScriptError, failed_feature, sandbox_error
from partsmith.generate import structured
from partsmith.generate.salvage import without
from partsmith.program import dump, parse
from partsmith.sandbox import SandboxPool

PLATE = {"type": "box", "l": 60, "w": 40, "h": 10}
HOLE = {"type": "hole", "at": {"type": "points", "pts": [{"x": 100, "y": 0}]}, "d": 4}
BOSS = {"type": "boss", "shape": {"type": "circle", "d": 8}, "h": 5, "x": 10}


def _features(program: object) -> list[dict[str, object]]:
    return json.loads(dump(program))["features"]  # type: ignore[arg-type]


def test_the_failed_feature_crosses_the_sandbox_as_fields(pool: SandboxPool) -> None:
    """The kit names the entry that failed as fields of the error (index, kind, reason), which
    survive the job's reply; the message stays for people."""
    program = parse({"features": [PLATE, {"type": "fillet", "r": 30, "edges": "top"}, HOLE]})
    with pytest.raises(ScriptError) as caught:
        pool.run(structured.render(program))
    found = caught.value.feature
    assert found is not None and (found.index, found.kind) == (1, "fillet")
    assert found.reason and found.reason in caught.value.message
    assert failed_feature(caught.value.to_dict()) == found
    assert sandbox_error(caught.value.to_dict()).feature == found  # type: ignore[attr-defined]


def test_an_error_that_names_no_feature_has_none() -> None:
    assert failed_feature({"kind": "timeout", "message": "features[2] (hole): ran past its limit"}) is None
    assert failed_feature({"feature_index": -1, "feature_kind": "hole"}) is None
    assert failed_feature({"feature_index": 2, "feature_kind": "hole"}) == FailedFeature(
        2, "hole", "it could not be built")


def test_a_feature_and_what_works_on_it_go_the_others_are_renumbered() -> None:
    program = parse({"features": [
        PLATE, HOLE, BOSS, {"type": "fillet", "r": 1, "of": 1}, {"type": "polar", "n": 4, "of": 2}]})
    pruned, removed = without(program, 1) or (None, [])
    assert removed == [1, 3]
    assert _features(pruned) == [PLATE, BOSS, {"type": "polar", "n": 4, "of": 1}]


def test_nothing_is_kept_when_the_first_body_failed() -> None:
    assert without(parse({"features": [PLATE, HOLE]}), 0) is None
    assert without(parse({"features": [PLATE, HOLE]}), 5) is None
