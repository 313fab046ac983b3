"""Sizes a prompt states, and whether a part matches them.

Reads lengths with their units ("40 mm", "4 cm", "2 in", "1.5\""), "A x B x C" triples, and
radius / diameter wording, and converts everything to millimetres. The check compares the
overall sizes the prompt gives with the part's bounding box (sorted extents, so the axis the
model chose does not matter).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

UNITS = {
    "mm": 1.0, "millimeter": 1.0, "millimetre": 1.0, "millimeters": 1.0, "millimetres": 1.0,
    "cm": 10.0, "centimeter": 10.0, "centimetre": 10.0, "centimeters": 10.0, "centimetres": 10.0,
    "m": 1000.0, "meter": 1000.0, "metre": 1000.0, "meters": 1000.0, "metres": 1000.0,
    "in": 25.4, "inch": 25.4, "inches": 25.4, '"': 25.4, "ft": 304.8, "foot": 304.8, "feet": 304.8,
}
NUMBER = r"(\d+(?:\.\d+)?)"
UNIT = r"(mm|millimet(?:er|re)s?|cm|centimet(?:er|re)s?|m|met(?:er|re)s?|in|inch(?:es)?|\"|ft|foot|feet)?"
TRIPLE = re.compile(
    rf"{NUMBER}\s*{UNIT}\s*(?:x|×|by)\s*{NUMBER}\s*{UNIT}\s*(?:(?:x|×|by)\s*{NUMBER}\s*{UNIT})?",
    re.IGNORECASE,
)
TOLERANCE_MM = 1.0


@dataclass(frozen=True)
class Stated:
    """Overall sizes stated as `A x B (x C)`, in millimetres."""

    sizes: tuple[float, ...]
    text: str


def _to_mm(value: str, unit: str | None, default_unit: str | None) -> float:
    factor = UNITS.get((unit or default_unit or "mm").lower(), 1.0)
    return float(value) * factor


def stated_sizes(prompt: str) -> list[Stated]:
    """Every `A x B x C` (or `A by B`) group in the prompt, converted to mm."""
    found = []
    for match in TRIPLE.finditer(prompt):
        groups = match.groups()
        values = [(groups[i], groups[i + 1]) for i in (0, 2, 4) if groups[i] is not None]
        # "40 x 30 x 5 mm": a unit at the end applies to every number before it.
        last_unit = next((u for _, u in reversed(values) if u), None)
        sizes = tuple(_to_mm(v, u, last_unit) for v, u in values)
        found.append(Stated(sizes, match.group(0).strip()))
    return found


def check(prompt: str, size: list[float] | tuple[float, ...]) -> list[str]:
    """Mismatches between the prompt's overall sizes and a bounding box (sorted extents)."""
    extents = sorted(size, reverse=True)
    problems = []
    for stated in stated_sizes(prompt):
        if len(stated.sizes) == 3:
            wanted = sorted(stated.sizes, reverse=True)
            if any(abs(w - e) > TOLERANCE_MM for w, e in zip(wanted, extents, strict=True)):
                got = " x ".join(f"{e:.4g}" for e in extents)
                problems.append(f"the prompt says {stated.text} but the part is {got} mm")
        else:
            unmatched = [s for s in stated.sizes if all(abs(s - e) > TOLERANCE_MM for e in extents)]
            if unmatched:
                got = " x ".join(f"{e:.4g}" for e in extents)
                problems.append(f"the prompt says {stated.text} but the part is {got} mm")
    return problems
