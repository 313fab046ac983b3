from __future__ import annotations

import pytest

from partsmith import dimensions
from partsmith.dimensions import check, stated_sizes


@pytest.mark.parametrize(
    ("prompt", "sizes"),
    [
        ("a 40 x 30 x 5 mm plate", (40, 30, 5)),
        ("a plate 4cm x 3cm x 5mm", (40, 30, 5)),
        ("2 x 1 x 0.5 in block", (50.8, 25.4, 12.7)),
        ("a 100mm by 60mm plate", (100, 60)),
        ("20mm x 20mm x 80 mm prism", (20, 20, 80)),
    ],
)
def test_reads_sizes_in_mm(prompt: str, sizes: tuple[float, ...]) -> None:
    assert stated_sizes(prompt)[0].sizes == pytest.approx(sizes)


def test_check_compares_sorted_extents() -> None:
    assert check("a 40 x 30 x 5 mm plate", [5, 40, 30]) == []
    assert check("a 40 x 30 x 5 mm plate", [40, 30, 10]) == [
        "the prompt says 40 x 30 x 5 mm but the part is 40 x 30 x 10 mm"
    ]
    assert check("a 100mm by 60mm plate, 3 mm thick", [100, 60, 3]) == []
    assert check("a 100mm by 60mm plate", [100, 50, 3]) != []
    assert check("a hex nut", [10, 11, 5]) == []


@pytest.mark.parametrize(("prompt", "count", "low", "high"), [
    ("a 40 x 30 x 5 mm plate with four 4 mm holes 5 mm from the edges", 4, 3.75, 4.25),
    ("plate with 6 x M3 holes", 6, 2.25, 4.05),
    ("a plate with holes of radius 2 mm", None, 3.75, 4.25),
    ("a plate with four holes for M3 screws", 4, 2.25, 4.05),
    ("two 6 mm diameter through holes", 2, 5.75, 6.25),
    ("a hole with a diameter of 5mm", 1, 4.75, 5.25),
    ("a plate with 2 holes", 2, None, None),
    ("a 0.25 in hole", 1, 6.1, 6.6),
    ("an L bracket with a 5 mm hole in each leg", None, 4.75, 5.25),
])
def test_hole_specs(prompt: str, count: int | None, low: float | None, high: float | None) -> None:
    [spec] = dimensions.stated_holes(prompt)
    assert spec.count == count
    assert (spec.low is None) == (low is None)
    if low is not None and high is not None:
        assert spec.low == pytest.approx(low, abs=0.01) and spec.high == pytest.approx(high, abs=0.01)


@pytest.mark.parametrize("prompt", ["a plate with holes", "a hole pattern of 4", "10 mm hole spacing"])
def test_vague_hole_wording_checks_nothing(prompt: str) -> None:
    assert dimensions.stated_holes(prompt) == []


def test_hole_checks() -> None:
    prompt = "a plate with four M4 holes"
    assert dimensions.check_holes(prompt, [4.5] * 4) == []
    assert dimensions.check_holes(prompt, [4.5] * 4 + [20]) == []  # a bore of another size is fine
    [problem] = dimensions.check_holes(prompt, [4.5] * 2)
    assert "four M4 holes" in problem and "2 such hole(s)" in problem
    [problem] = dimensions.check_holes("a block with a 5 mm hole", [8.0])
    assert "hole diameters found, mm: 8" in problem
