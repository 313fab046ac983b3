from __future__ import annotations

import pytest

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
