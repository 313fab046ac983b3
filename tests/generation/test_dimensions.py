from __future__ import annotations

from collections.abc import Sequence

import pytest

from partsmith.checks.facts import problems
from partsmith.checks.stated import hole_facts, size_facts
from partsmith.prompt import dimensions
from partsmith.prompt.dimensions import stated_holes, stated_sizes


def check(prompt: str, size: Sequence[float]) -> list[str]:
    return problems(size_facts(prompt, size))


def check_holes(prompt: str, holes: Sequence[float]) -> list[str]:
    return problems(hole_facts(prompt, holes))


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
    ("plate with 6 x M3 holes", 6, 2.5, 3.6),  # ISO: tapping drill to coarse clearance
    ("a plate with holes of radius 2 mm", None, 3.75, 4.25),
    ("a plate with four holes for M3 screws", 4, 2.5, 3.6),
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
    assert check_holes(prompt, [4.5] * 4) == []
    assert check_holes(prompt, [4.5] * 4 + [20]) == []  # a bore of another size is fine
    [problem] = check_holes(prompt, [4.5] * 2)
    assert "four M4 holes" in problem and "2 such hole(s)" in problem
    [problem] = check_holes("a block with a 5 mm hole", [8.0])
    assert "hole diameters found, mm: 8" in problem


# Issue 15: units are whole words; thread designations, feature counts and grids are not sizes.
@pytest.mark.parametrize(("prompt", "sizes"), [
    ("a 10 x 10 mounting plate", [(10, 10)]),
    ("a 40 by 30 metal sheet", [(40, 30)]),
    ("a 100 mmx60 mmx3 mm riser", [(100, 60, 3)]),
    ("an M8 x 40 bolt", []),
    ("a hex bolt M10x1.5x40", []),
    ("a 80 x 60 x 4 mm plate with 4 x 5 mm holes", [(80, 60, 4)]),
    ("a 60 x 60 x 5 mm plate with a 3 x 3 grid of holes", [(60, 60, 5)]),
    ("a 100 x 100 x 5 mm plate with a 40 x 20 mm slot", [(100, 100, 5)]),
    ("a pcb standoff for a 100 x 80 board", []),
    ('a 4" x 2" x 1/4" plate', [(101.6, 50.8, 6.35)]),
    ("a 2-1/2 x 4 inch label plate", [(63.5, 101.6)]),
    ("a 50 mm cube with a 10 mm hole through the centre", [(50, 50, 50)]),
    ("a cube of 1 inch", [(25.4, 25.4, 25.4)]),
    ("a 2 x 2 x 2 in cube", [(50.8, 50.8, 50.8)]),
    ("make 3 cubes", []),
])
def test_reads_only_the_parts_own_sizes(prompt: str, sizes: list[tuple[float, ...]]) -> None:
    assert [s.sizes for s in stated_sizes(prompt)] == [pytest.approx(s) for s in sizes]


def test_no_false_mismatch_for_parts_made_as_asked() -> None:
    assert check("a 10 x 10 mounting plate", [10, 10, 3]) == []
    assert check("an M8 x 40 bolt", [13, 13, 45.3]) == []
    assert check("a 40 by 30 metal sheet", [40, 30, 1]) == []
    assert check("a 50 mm cube", [50, 50, 10]) == [
        "the prompt says 50 mm cube but the part is 50 x 50 x 10 mm"]


def test_fractions_of_an_inch_in_holes() -> None:
    [spec] = dimensions.stated_holes("a plate with a 1/4 inch hole")
    assert spec.low == pytest.approx(6.1, abs=0.01) and spec.high == pytest.approx(6.6, abs=0.01)


def test_the_corpus_is_read_without_a_false_size() -> None:
    """The phrasings corpus (bench/dimensions.py measures it): every size read is one stated."""
    from bench.dimensions import load_corpus, score

    figures = score(dimensions, load_corpus())
    assert figures["phrasings"] >= 300
    assert figures["precision"] == 1.0 and figures["false_mismatch_rate"] == 0.0, figures["misread"]


def test_a_unified_screw_size_is_no_count_of_holes() -> None:
    """ "1/4-20" and "#8" name inch screws: 20 and 8 are no counts (no false missed fact)."""
    assert stated_holes("a 60x40x5 plate with four 1/4-20 clearance holes") == []
    assert stated_holes("four #8 holes") == []
    assert [h.count for h in stated_holes("a plate with 4 5mm holes, six M3 holes")] == [4, 6]
