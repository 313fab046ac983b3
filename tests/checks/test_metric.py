"""Sizes rewritten in millimetres before the model reads them (`partsmith.prompt.metric`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from partsmith.prompt.dimensions import stated_sizes
from partsmith.prompt.metric import as_diameters, as_program_says, in_millimetres, millimetres

PHRASINGS = Path(__file__).parent / "phrasings"

REWRITTEN = [
    ("a 2 x 1 x 1/4 in plate", "a 50.8 x 25.4 x 6.35 mm plate"),
    ('a 3/8" hole', "a 9.52 mm hole"),
    ("a flange R8.5 cm", "a flange R85 mm"),
    ("a quarter inch hole", "a 6.35 mm hole"),
    ("height an inch and a half", "height 38.1 mm"),
    ("an eighth of an inch bore", "3.17 mm bore"),
    ("rising to three quarters of an inch", "rising to 19.05 mm"),
    ("a sheet six inches long", "a sheet 152.4 mm long"),
    ("6 x 4 x 0.5 cm box", "60 x 40 x 5 mm box"),
    ("2.5×5×0.75 inches", "63.5×127×19.05 mm"),
    ('1 1/4" rod, 2-1/2 in long', "31.75 mm rod, 63.5 mm long"),
    ('Ø1/2" bore', "Ø12.7 mm bore"),
    ("a plate 2 in.", "a plate 50.8 mm."),
    ("a 1.2 m beam", "a 1200 mm beam"),
    ("3/16 inch in from the edges", "4.76 mm in from the edges"),
    ("3/8 in between centers", "9.52 mm between centers"),
    ("0.5 in in diameter", "12.7 mm in diameter"),
    ("2 in x 50 mm", "50.8 mm x 50 mm"),
    ("project box 6 inch x 6 inch x 1 inch", "project box 152.4 x 152.4 x 25.4 mm"),
    ("12 in. long", "304.8 mm long"),
    ("1½ in bar, ¾\" thick", "38.1 mm bar, 19.05 mm thick"),
    ("5/16 inch bolt", "7.94 mm bolt"),
    # A count before a size is a count: four holes, two holes.
    ("4 x 1/4 in holes", "4 x 6.35 mm holes"),
    ("4x 3/8in holes in a 2 x 3 in plate", "4x 9.52 mm holes in a 50.8 x 76.2 mm plate"),
    ("a row of 2 3/4 inch holes", "a row of 2 19.05 mm holes"),
]

UNCHANGED = [
    "a 60 x 40 x 5 mm plate with M8 x 40 bolts",
    "a 10 mm hole, 4mm deep",
    "100 x 60 x 8 plate, a Ø10 x 30 pin at x=30",
    "place 4 in a row",
    "a disc 5 in diameter",  # "in diameter", not inches
    "M4 in each corner",
    "a gear m2.5 z68, 5 mm wide",
    "a box 20mm on a side, 2 in each corner",
    "a 1/4-20 tapped hole",  # a thread
    "8 m3 holes",
    "a 2x4 board",
]


@pytest.mark.parametrize(("said", "rewritten"), REWRITTEN)
def test_sizes_in_other_units_are_rewritten_in_millimetres(said: str, rewritten: str) -> None:
    assert in_millimetres(said) == rewritten


@pytest.mark.parametrize("said", UNCHANGED)
def test_millimetres_threads_counts_and_prepositions_are_left_alone(said: str) -> None:
    assert in_millimetres(said) == said


def test_millimetres_are_what_the_training_programs_hold() -> None:
    # The generator rounds 3/8 in to 0.01 mm the same way; a different rounding would make the
    # model's copy disagree with its training answers.
    from partsmith.training.words import INCH, mm_round

    for sixteenths in range(1, 97):
        inches = sixteenths / 16
        assert float(millimetres(inches * INCH)) == mm_round(inches * INCH)


def test_the_rewrite_keeps_every_stated_size_the_checker_reads() -> None:
    # The size checker reads the user's own words; the model reads the rewrite. Both must agree
    # on every phrasing the checker is measured on, in any unit.
    for name in ("sizes.jsonl", "heldout.jsonl"):
        for line in (PHRASINGS / name).read_text(encoding="utf-8").splitlines():
            prompt = json.loads(line)["prompt"]
            before = [s.sizes for s in stated_sizes(prompt)]
            after = [s.sizes for s in stated_sizes(in_millimetres(prompt))]
            assert len(after) == len(before), (prompt, in_millimetres(prompt))
            for a, b in zip(after, before, strict=True):
                assert a == pytest.approx(b, abs=0.01), (prompt, in_millimetres(prompt))


DIAMETERS = [
    ("a round peg radius 7 mm and 28 mm tall", "a round peg diameter 14 mm and 28 mm tall"),
    ("seven pins R10.5 mm in a row", "seven pins Ø21 mm in a row"),
    ("a hub R9 and 10 mm thick", "a hub Ø18 and 10 mm thick"),
    ("a 5 mm radius sphere", "a 10 mm diameter sphere"),
    ("holes of radius 2", "holes of diameter 4"),
    ("with a R3.5mm hole in each corner", "with a Ø7mm hole in each corner"),
    ("a flange R8.5 cm, 2.5 cm thick", "a flange Ø170 mm, 25 mm thick"),  # after the unit rewrite
]

RADII_KEPT = [
    "pocket 5 x 31 mm, R0.5 corners",
    "13 millimeters radius corners",
    "5 mm radius on all the edges",
    "fillet radius 2 mm",
    "R2 fillet on the top edges",
    "edges rounded to radius 2",
    "a semicircle of radius 50 mm",  # the profile's own radius
    "a 40x40x10 block, R2",  # no round body: a fillet, most likely
    "Fillet the top edge of this cylinder with a radius of 5mm.",
    "a filleted edge between the shank and the head of radius 5mm",
]


@pytest.mark.parametrize(("said", "rewritten"), DIAMETERS)
def test_a_round_body_s_radius_is_said_as_its_diameter(said: str, rewritten: str) -> None:
    assert as_program_says(said) == rewritten


@pytest.mark.parametrize("said", RADII_KEPT)
def test_fillet_corner_and_arc_radii_stay_radii(said: str) -> None:
    assert as_diameters(said) == said
