"""Sizes drawn the way parts are dimensioned, each with the words that say it.

A `Sayer` is made per description and keeps to one unit system for it (mostly millimetres,
sometimes centimetres, sometimes inches), as people do: nobody writes "a 2 inch by 50 mm plate".
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from partsmith.training import words

# Round numbers people pick, by magnitude.
_STEPS = ((3, 0.5), (12, 1.0), (40, 1.0), (100, 5.0), (400, 10.0), (2000, 50.0))


def realistic(rng: random.Random, low: float, high: float) -> float:
    """A round size between `low` and `high` (a designer's 35 mm, not 34.87)."""
    value = rng.uniform(low, high)
    step = next(s for limit, s in _STEPS if value <= limit)
    snapped = round(value / step) * step
    if snapped < low or snapped > high:
        snapped = round(value, 1)
    return float(max(low, min(high, snapped)))


@dataclass
class Sized:
    """A size: millimetres for the program, words for the description."""

    mm: float
    text: str
    bare: str  # the number alone, in the description's unit ("60" in "60 x 40 x 5 mm")


class Sayer:
    """Draws sizes and says them in one unit system: "mm", "cm" or "inch"."""

    def __init__(self, rng: random.Random, unit: str | None = None) -> None:
        self.rng = rng
        self.unit = unit or rng.choices(["mm", "cm", "inch"], weights=[80, 8, 12])[0]

    @property
    def suffix(self) -> str:
        """The unit said once after a list of bare numbers."""
        return {
            "mm": self.rng.choice([" mm", "mm", " mm", " millimeters"]),
            "cm": " cm",
            "inch": self.rng.choice([" in", '"', " inches", " inch"]),
        }[self.unit]

    def size(self, low: float, high: float) -> Sized:
        """A length between `low` and `high` mm."""
        if self.unit == "inch":
            found = words.inch_size(self.rng, low, high)
            if found is not None:
                mm, text = found
                inches = mm / words.INCH
                return Sized(mm, text, words.num(round(inches, 3)))
        if self.unit == "cm":
            cm = realistic(self.rng, max(low, 10) / 10, max(high, 10) / 10)
            cm = round(cm * 2) / 2 if cm >= 2 else round(cm, 1)
            mm = words.mm_round(cm * 10)
            if low <= mm <= high:
                return Sized(mm, f"{words.num(cm)} cm", words.num(cm))
        mm = realistic(self.rng, low, high)
        return Sized(mm, words.length(self.rng, mm, metric_only=True), words.num(mm))

    def exact(self, mm: float) -> Sized:
        """A given size said in this unit system where it is round in it, else in millimetres."""
        if self.unit == "cm" and (mm * 10) % 10 == 0 and mm % 5 == 0:
            return Sized(mm, f"{words.num(mm / 10)} cm", words.num(mm / 10))
        if self.unit == "inch":
            inches = mm / words.INCH
            if abs(inches * 16 - round(inches * 16)) < 1e-6:
                return Sized(mm, f"{words.num(inches)} in", words.num(inches))
        return Sized(mm, words.length(self.rng, mm, metric_only=True), words.num(mm))

    def dims(self, *sizes: Sized) -> str:
        """ "60 x 40 x 5 mm", "60x40x5mm", "60 by 40 by 5 mm", as people write a box's sizes."""
        joiner = self.rng.choice([" x ", "x", " x ", " by ", " X ", "×"])
        return joiner.join(s.bare for s in sizes) + self.suffix

    def round_size(self, size: Sized) -> str:
        """A round size said as a diameter or, a third of the time, as a radius (the lexicon's
        words for either)."""
        from partsmith.training.lexicon import say

        if self.rng.random() < 0.3:
            r = self.exact(words.mm_round(size.mm / 2))
            return say(self.rng, "param.radius", v=r.text)
        return say(self.rng, "param.diameter", v=size.text)
