"""How people say sizes: millimetres, centimetres, inches and fractions of one, "M4", radius or
diameter, counts as words or "4x", and the slips of the keyboard a description may carry.

Every function takes the random generator it draws from, so a data set is the same for the same
seed. A size said in inches or centimetres comes back with the millimetres it means, which is what
the program holds.
"""

from __future__ import annotations

import random
import re
from fractions import Fraction

INCH = 25.4
COUNT_WORDS = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
)
# Inch sizes people use, with the ways they say them.
INCH_SIZES: tuple[tuple[Fraction, tuple[str, ...]], ...] = (
    (Fraction(1, 8), ("1/8 inch", '1/8"', "an eighth of an inch", "0.125 in")),
    (Fraction(3, 16), ("3/16 inch", '3/16"', "3/16 in")),
    (Fraction(1, 4), ("1/4 inch", '1/4"', "a quarter inch", "0.25 in", "quarter-inch")),
    (Fraction(3, 8), ("3/8 inch", '3/8"', "3/8 in")),
    (Fraction(1, 2), ("1/2 inch", '1/2"', "half an inch", "0.5 in", "half inch")),
    (Fraction(5, 8), ("5/8 inch", '5/8"')),
    (Fraction(3, 4), ("3/4 inch", '3/4"', "three quarters of an inch", "0.75 in")),
    (Fraction(1), ("1 inch", '1"', "one inch", "1 in")),
    (Fraction(5, 4), ("1.25 inch", '1 1/4"', "1-1/4 in")),
    (Fraction(3, 2), ("1.5 inch", '1 1/2"', "an inch and a half", "1.5 in")),
    (Fraction(2), ("2 inch", '2"', "two inches", "2 in")),
    (Fraction(5, 2), ("2.5 inch", '2 1/2"', "2.5 in")),
    (Fraction(3), ("3 inch", '3"', "three inches", "3 in")),
    (Fraction(4), ("4 inch", '4"', "4 in")),
    (Fraction(5), ("5 inch", '5"', "5 in")),
    (Fraction(6), ("6 inch", '6"', "six inches", "6 in")),
)


def mm_round(value: float) -> float:
    """A size as the program holds it: millimetres to 0.01 (an inch is 25.4 mm exactly)."""
    return round(value, 2)


def num(value: float) -> str:
    """A number as people write it: no trailing zeros, no `.0`."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return text if text != "-0" else "0"


def length(rng: random.Random, mm: float, *, metric_only: bool = False) -> str:
    """`mm` millimetres said one of several metric ways ("40 mm", "40mm", "4 cm", "40 millimeters")."""
    choices = [
        f"{num(mm)} mm",
        f"{num(mm)}mm",
        f"{num(mm)} mm",
        f"{num(mm)} millimeters",
        f"{num(mm)} millimetres",
    ]
    if not metric_only and mm >= 10 and (mm * 10) % 10 == 0 and mm % 10 in (0, 5):
        choices.append(f"{num(mm / 10)} cm")
        choices.append(f"{num(mm / 10)}cm")
    return rng.choice(choices)


def bare(rng: random.Random, mm: float) -> str:
    """A number without a unit, as in "60 x 40 x 5 mm" where the unit comes once at the end."""
    return num(mm)


def inch_size(rng: random.Random, low_mm: float, high_mm: float) -> tuple[float, str] | None:
    """An inch size between `low_mm` and `high_mm`: its millimetres and how it is said; None when
    no common inch size falls in the range."""
    fits = [(size, says) for size, says in INCH_SIZES if low_mm <= float(size) * INCH <= high_mm]
    if not fits:
        return None
    size, says = rng.choice(fits)
    return mm_round(float(size) * INCH), rng.choice(says)


def count(rng: random.Random, n: int) -> str:
    """A count as a digit or a word."""
    if n < len(COUNT_WORDS) and rng.random() < 0.5:
        return COUNT_WORDS[n]
    return str(n)


def pick(rng: random.Random, *options: str) -> str:
    return rng.choice(options)


def article(word: str) -> str:
    """ "a" or "an" for the word that follows."""
    lower = word.lower()
    vowel = lower[:1] in ("a", "e", "i", "o") or lower.startswith(("up", "under"))
    metric = word[:1] == "M" and word[1:2].isdigit()  # "an M4": the letter is said "em"
    eight = re.match(r"(?:8|11(?![\d.])|18(?![\d.]))", word) is not None  # "an 8", "an 11 mm", "an 18"
    return "an" if vowel or metric or eight or word[:2] in ("L ", "L-") else "a"


_NEIGHBOURS = "qwertyuiopasdfghjklzxcvbnm"


def typo(rng: random.Random, text: str, rate: float = 0.5) -> str:
    """`text` with, `rate` of the time, one slip in a word of letters: two letters swapped, one
    dropped or doubled, or a neighbouring key. Numbers and units are left alone: a slip there
    would change what the description means."""
    if rng.random() >= rate:
        return text
    words = text.split(" ")
    spots = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha() and w not in ("inch", "diameter")]
    if not spots:
        return text
    i = rng.choice(spots)
    word = words[i]
    j = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    if kind == 0:
        word = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
    elif kind == 1:
        word = word[:j] + word[j + 1 :]
    elif kind == 2:
        word = word[:j] + word[j] + word[j:]
    else:
        key = _NEIGHBOURS.find(word[j].lower())
        if key >= 0:
            word = word[:j] + _NEIGHBOURS[(key + 1) % len(_NEIGHBOURS)] + word[j + 1 :]
    words[i] = word
    return " ".join(words)


def casing(rng: random.Random, text: str) -> str:
    """The way people start and end a request: capitalised or not, a full stop or not, a verb or
    not ("make", "I need", "model")."""
    lead = rng.choice(
        [
            "",
            "",
            "",
            "make ",
            "Make ",
            "create ",
            "I need ",
            "model ",
            "design ",
            "please make ",
            "can you make ",
            "generate ",
        ]
    )
    text = lead + text
    if rng.random() < 0.3:
        text = text[0].upper() + text[1:]
    if rng.random() < 0.2:
        text += "."
    return text
