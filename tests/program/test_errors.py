"""A program that cannot be built fails with a message naming the feature; one that does not fit
the schema is refused before it compiles."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from partsmith.errors import InputError
from partsmith.generate.structured import parse_answer
from partsmith.kit.ops import FeatureError
from partsmith.program import parse
from tests.program.build import build, points

PLATE = {"type": "box", "l": 40, "w": 30, "h": 5}


@pytest.mark.parametrize(("feature", "message"), [
    ({"type": "fillet", "r": 30, "edges": "top"}, "features[1] (fillet 30 mm on top edges): radius 30 mm"),
    ({"type": "chamfer", "l": 3, "edges": "vertical", "of": 0}, None),
    ({"type": "hole", "at": points((0, 0)), "d": 35}, "features[1] (hole): the hole diameter 35 mm is larger"),
    ({"type": "hole", "at": points((100, 0)), "d": 4}, "features[1] (hole): the hole at (100, 0) misses the part"),
    ({"type": "hole", "at": points((0, 0)), "d": 6, "cb_d": 4, "cb_h": 2},
     "features[1] (hole): the counterbore diameter 4 mm must exceed"),
    ({"type": "pocket", "shape": {"type": "rect", "w": 10, "l": 10, "r": 5}}, "features[1] (pocket): a corner radius"),
    ({"type": "cylinder", "d": 4, "h": 5, "x": 100, "op": "cut"}, "features[1] (cylinder): cuts nothing"),
    ({"type": "fillet", "r": 1, "edges": "joint", "of": 0}, "features[1] (fillet 1 mm on joint edges of features[0])"),
    ({"type": "shell", "t": 20}, "features[1] (shell 20 mm)"),
])
def test_unbuildable_features_are_named(feature: dict[str, Any], message: str | None) -> None:
    if message is None:  # a chamfer that fits builds
        assert build(PLATE, feature).volume < 6000
        return
    with pytest.raises(FeatureError) as info:
        build(PLATE, feature)
    assert str(info.value).startswith(message), str(info.value)


@pytest.mark.parametrize(("features", "message"), [
    ([{"type": "hole", "at": points((0, 0)), "d": 4}], "features[0] must be a body"),
    ([PLATE, {"type": "fillet", "r": 1, "of": 1}], "names features[1], which does not come before it"),
    ([PLATE, {"type": "fillet", "r": 1}, {"type": "chamfer", "l": 1, "of": 1}], "which adds or cuts no solid"),
    ([PLATE, {"type": "hole", "at": points((0, 0))}], "a hole needs a diameter"),
    ([{"type": "box", "l": 40, "w": 30, "h": 5000}], "less than or equal to 2000"),
    ([{"type": "box", "l": 40, "w": 30, "h": 5, "color": "red"}], "Extra inputs are not permitted"),
])
def test_programs_that_do_not_fit_are_refused(features: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(ValidationError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse({"features": features})


def test_the_models_bad_answer_is_a_clear_input_error() -> None:
    with pytest.raises(InputError, match="not valid JSON"):
        parse_answer('{"features": [')
    with pytest.raises(InputError, match=r"features\[0\]\.box\.h: Input should be less than or equal to 2000"):
        parse_answer('{"features": [{"type": "box", "l": 1, "w": 1, "h": 9999}]}')
