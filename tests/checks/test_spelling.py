"""Slips in CAD words are put right before the adapted model reads them; nothing else changes."""

from __future__ import annotations

import pytest

from partsmith.generate.short_prompt import short_prompt
from partsmith.prompt.spelling import corrected


@pytest.mark.parametrize(("typed", "meant"), [
    ('a panel with a 1/4" hple at x=6.35', 'a panel with a 1/4" hole at x=6.35'),
    ("I need a hslf disc 50 mm across", "I need a half disc 50 mm across"),
    ("a T profile with 4 mm thik flange", "a T profile with 4 mm thick flange"),
    ("an o-ring, 6 mm cross seciton", "an o-ring, 6 mm cross section"),
    ("plate lenght 40, widht 30", "plate length 40, width 30"),
    ("a door stop wiht a flat top", "a door stop with a flat top"),
    ("Cylindar 20 dia", "Cylinder 20 dia"),
    ("3 INCEHS long", "3 INCHES long"),
    ("box: length 280mm, wdith 170mm", "box: length 280mm, width 170mm"),  # the swap, not "with"
    ("a plate 40 long, widh 30", "a plate 40 long, width 30"),
    ("a wdge 30 long", "a wedge 30 long"),
])
def test_one_slip_in_a_cad_word_is_put_right(typed: str, meant: str) -> None:
    assert corrected(typed) == meant


@pytest.mark.parametrize("text", [
    "hold the bearing with a 40 mm clip",  # real words, however close to "hole"
    "a filet of 2 mm",  # an English word: left to the model
    "gear m2.5 z68, 5 mm wide, M4 set screw",  # sizes, threads and short words
    "a nema17 mount for an arduino with gridfinity feet",  # unknown and far from the vocabulary
    "thk 5, dia 20, pcd 60",  # abbreviations under four letters
    "Bob's wedge",
    "4 holes, cbore 8 x 3, thru, counterbores on the top",  # words of the trade
])
def test_everything_else_is_left_as_written(text: str) -> None:
    assert corrected(text) == text


def test_the_adapted_models_prompt_reads_the_corrected_words() -> None:
    assert short_prompt('a 2" cube with a 1/4 inch hple') == "Description: a 50.8 mm cube with a 6.35 mm hole\nJSON:"
