"""The dev-set score's headline is "part right": the bounding box within 1 mm AND the volume within
2 % of the expected program's part, so the right outline without its holes is not right."""

from __future__ import annotations

import json

from partsmith.training import score

PLATE = {"type": "box", "l": 60, "w": 40, "h": 5}
HOLES = {"type": "hole", "at": {"type": "points", "pts": [{"x": 20, "y": 10}, {"x": -20, "y": -10}]}, "d": 6}


def _program(*features: dict[str, object]) -> str:
    return json.dumps({"features": list(features)})


def test_the_outline_without_its_holes_is_within_1mm_but_not_right() -> None:
    expected = _program(PLATE, HOLES)
    assert score.compare(_program(PLATE), expected) == (True, False)
    assert score.compare(_program(PLATE, HOLES), expected) == (True, True)
    assert score.compare(_program({**PLATE, "h": 8}, HOLES), expected) == (False, False)
    assert score.compare("not json", expected) == (False, False)


def test_the_summary_leads_with_part_right() -> None:
    result = score.Score(total=4, exact=1, part_right=2, within_1mm=3)
    summary = result.summary()
    assert list(summary)[:4] == ["total", "part_right", "program_right", "part_within_1mm"]
    assert (summary["part_right"], summary["part_within_1mm"]) == (0.5, 0.75)
