"""Edits that name a size of an earlier part ("but 10 mm thick") land on the parameter that size
means, whatever the part calls it; anything else goes to the model."""

from __future__ import annotations

import pytest

from partsmith.prompt.edits import named_changes

# A plate as the adapted model writes it: one box body with holes (the compiled program's names).
PLATE = {"box_length": 80, "box_width": 30, "box_height": 5, "hole_diameter": 4, "hole_x": 34, "hole_y": 9}
TOWER = {"box_length": 20, "box_width": 20, "box_height": 80}


@pytest.mark.parametrize(("request_text", "params", "expected"), [
    ("but 10 mm thick", PLATE, {"box_height": 10}),
    ("thickness 3", PLATE, {"box_height": 3}),
    ("make it 3/8 in thick", PLATE, {"box_height": 9.525}),
    ("but 100 mm long", PLATE, {"box_length": 100}),
    ("8 mm thick and 50 wide", {"length": 60, "width": 40, "thickness": 5}, {"thickness": 8, "width": 50}),
    ("but 6 mm holes", PLATE, {"hole_diameter": 6}),
])
def test_a_size_word_finds_its_parameter(request_text: str, params: dict[str, float], expected: dict[str, float]) -> None:
    assert named_changes(request_text, params) == pytest.approx(expected)


def test_thick_is_not_the_height_of_a_tall_part() -> None:
    """A tower's height is not its thickness: the request goes to the model, as a person would
    have to ask what was meant."""
    assert named_changes("but 10 mm thick", TOWER) is None


def test_more_than_sizes_goes_to_the_model() -> None:
    assert named_changes("but 10 mm thick with a slot", PLATE) is None
