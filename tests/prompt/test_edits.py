"""Edits said in a person's words ("but 10 mm thick", "twice as long", "M10 instead") land on the
parameter they mean, found by its role whatever the part calls it; anything else goes to the
model."""

from __future__ import annotations

from typing import Any

import pytest

from partsmith.program.compile import compile_program
from partsmith.program.examples import examples
from partsmith.program.params import Parameter, read_parameters
from partsmith.program.schema import parse
from partsmith.prompt.edits import edit_words, named_changes, size_words


def _program(*features: dict[str, Any]) -> list[Parameter]:
    return read_parameters(compile_program(parse({"features": list(features)})))


def _kit(prompt: str) -> list[Parameter]:
    chosen = [e for e in examples() if e.prompt == prompt]
    return read_parameters(compile_program(chosen[0].program))


# A plate as the adapted model writes it: one box body with holes (the compiled program's names).
PLATE = _program({"type": "box", "l": 100, "w": 60, "h": 5},
                 {"type": "hole", "at": {"type": "grid", "nx": 2, "ny": 2, "dx": 88, "dy": 48}, "d": 6})
TOWER = _program({"type": "box", "l": 20, "w": 20, "h": 80})
KIT_PLATE = _kit("a 40 x 30 x 5 mm plate with four 4 mm holes 5 mm from the edges")
NUT = _kit("an M6 nut")
ROD = _program({"type": "cylinder", "d": 20, "h": 50})
BRACKET = _program({"type": "box", "l": 50, "w": 30, "h": 5}, {"type": "box", "l": 5, "w": 30, "h": 40, "x": -22.5})


@pytest.mark.parametrize(("request_text", "params", "expected"), [
    ("but 10 mm thick", PLATE, {"box_height": 10}),
    ("thickness 3", PLATE, {"box_height": 3}),
    ("make it 3/8 in thick", PLATE, {"box_height": 9.525}),
    ("but 100 mm long", PLATE, {"box_length": 100}),
    ("but 6 mm holes", PLATE, {"hole_diameter": 6}),
    ("holes 8 mm", PLATE, {"hole_diameter": 8}),
    ("8 mm thick and 50 wide", KIT_PLATE, {"thickness": 8, "width": 50}),
    ("twice as long", PLATE, {"box_length": 200}),
    ("half as thick", PLATE, {"box_height": 2.5}),
    ("1.5 times as wide", PLATE, {"box_width": 90}),
    ("double the length", KIT_PLATE, {"length": 80}),
    ("20% longer", PLATE, {"box_length": 120}),
    ("5 mm longer", PLATE, {"box_length": 105}),
    ("thinner by 2 mm", PLATE, {"box_height": 3}),
    ("M10 instead", NUT, {"size": "M10"}),
    ("but 7 mm thick", NUT, {"thickness": 7, "size": "custom"}),  # counts only for a custom nut
    ("make it M8", NUT, {"size": "M8"}),
    ("but 80 mm long", ROD, {"height": 80}),  # a rod's length is its height
    ("30 mm wide", ROD, {"diameter": 30}),
    ("but 60 mm long", BRACKET, {"box_length": 60}),  # the first body, not the upright
])
def test_a_size_said_by_a_person_finds_its_parameter(
    request_text: str, params: list[Parameter], expected: dict[str, Any],
) -> None:
    assert named_changes(request_text, params) == pytest.approx(expected)


def test_thick_is_not_the_height_of_a_tall_part() -> None:
    """A tower's height is not its thickness: the request goes to the model, as a person would
    have to ask what was meant."""
    assert named_changes("but 10 mm thick", TOWER) is None


@pytest.mark.parametrize("request_text", [
    "but 10 mm thick with a slot",  # a new feature
    "M10 instead",  # a plate has no size to choose
    "10 mm shorter than nothing",
    "make it nicer",
])
def test_more_than_sizes_goes_to_the_model(request_text: str) -> None:
    assert named_changes(request_text, PLATE) is None


def test_a_size_that_would_vanish_goes_to_the_model() -> None:
    assert named_changes("10 mm thinner", PLATE) is None


def test_placement_is_a_role_of_its_own() -> None:
    roles = {p.name: p.role for p in PLATE}
    assert roles["box_x"] == roles["hole_y"] == "position"
    assert roles["hole_diameter"] == "hole diameter" and roles["hole_inset_x"] == "inset"
    assert {p.name: p.role for p in KIT_PLATE}["holes"] == "other"  # a choice of pattern, not a count


def test_a_standard_nut_shows_the_sizes_it_is_made_with() -> None:
    # An M8 nut is 13 across flats and 6.8 thick (ISO 4032); those fields count only for a custom
    # size and say so, with their unit.
    params = {p.name: p for p in _program({"type": "hex_nut", "size": "M8"})}
    assert params["across_flats"].value == 13 and params["thickness"].value == 6.8
    assert params["hole_diameter"].value == 8
    for name in ("across_flats", "thickness", "hole_diameter"):
        assert params[name].unit == "mm" and params[name].needs == ("size", "custom")
    assert params["size"].needs is None


@pytest.mark.parametrize(("said", "words"), [
    ("10 mm outer diameter", "10 mm diameter"), ("2 in OD", "2 in diameter"),
    ("10 mm in diameter", "10 mm diameter"), ("2 in diameter", "2 in diameter"),
    ("13 mm across flats", "13 mm across"), ("four 6 mm holes", "6 mm holes"), ("a 5 mm hole", "5 mm hole"),
])
def test_a_stated_size_in_the_words_an_edit_reads(said: str, words: str) -> None:
    """Issue 25: the engine sets a size the model missed on the parameter its words name."""
    assert size_words(said) == words


def test_overall_sizes_as_edits_in_the_order_people_say_them() -> None:
    assert edit_words("100 x 60 x 3 mm", "size") == ["100 mm long, 60 mm wide, 3 mm tall",
                                                     "100 mm long, 60 mm wide, 3 mm thick"]
    assert edit_words("30 mm cube", "size")[0] == "30 mm long, 30 mm wide, 30 mm tall"
    assert edit_words("4 in by 2 in", "size") == ["101.6 mm long, 50.8 mm wide"]
    assert edit_words("four 6 mm holes", "holes") == ["6 mm holes"]
