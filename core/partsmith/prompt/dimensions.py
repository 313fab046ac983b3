"""Sizes a prompt states (`checks.stated` says whether a part matches them).

Reads lengths with their units ("40 mm", "4 cm", "2 in", "1.5\"", "1/4 inch", "2-1/2 in"),
"A x B x C" groups, cubes ("a 50 mm cube" is 50 x 50 x 50), hole counts and sizes ("four 4 mm
holes", "6 x M3 holes", "holes of radius 2"), and converts everything to millimetres. The check
compares the overall sizes with the part's bounding box (sorted extents, so the axis the model
chose does not matter) and the holes with the round holes the part has.

Every false reading costs a repair and shows the user a wrong warning, so the reader is strict
about what a size is: a unit is a whole word ("10 x 10 mounting plate" is in millimetres, not
metres), a thread designation is not a size ("M8 x 40"), nor is a count of features ("4 x 5 mm
holes"), a grid ("3 x 3 grid"), a feature's own size ("a 40 x 20 mm slot") or another object's
("for a 100 x 80 board"). The unit table is six entries; a units library would not help the
reading, which is where the mistakes were. tests/checks/phrasings holds the phrasings it is
measured on (bench/dimensions.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from partsmith.kit.screws import SCREWS

UNITS = {
    "mm": 1.0, "millimeter": 1.0, "millimetre": 1.0, "millimeters": 1.0, "millimetres": 1.0,
    "cm": 10.0, "centimeter": 10.0, "centimetre": 10.0, "centimeters": 10.0, "centimetres": 10.0,
    "m": 1000.0, "meter": 1000.0, "metre": 1000.0, "meters": 1000.0, "metres": 1000.0,
    "in": 25.4, "inch": 25.4, "inches": 25.4, '"': 25.4, "\u201d": 25.4, "\u2033": 25.4,
    "ft": 304.8, "foot": 304.8, "feet": 304.8,
}
# A decimal, a fraction ("1/4") or a mixed number ("2 1/2", "2-1/2"): one capturing group.
NUMBER = r"(\d+[ -]\d+/\d+(?![\d.])|\d+/\d+(?![\d.])|\d+(?:\.\d+)?)"
# A unit is a whole word (the "m" of "mounting" is not metres), though "mmx60" is "mm x 60".
# Two capturing groups: a word unit and an inch mark.
# "in" before "a", "the" or "each" is the preposition ("a pocket 30x30x10 in a 50 mm cube").
_IN = (r"in(?!\s+(?:an?|the|each|every|its|this|that|both|all|one|two|three|four|middle|cent(?:re|er)|"
       r"rows?|lines?)\b)")
UNIT = (r"(?:\s*-?\s*(mm|millimet(?:er|re)s?|cm|centimet(?:er|re)s?|m|met(?:er|re)s?|inch(?:es)?|"
        rf"{_IN}|ft|foot|feet)(?!(?!x\s*\d)[a-z])(?:(?<=in)\.(?!\d))?|\s*(\"|\u201d|\u2033))?")
# Not inside a word or a number: the 8 of "M8 x 40" is a thread, not a size.
_START = r"(?<![\w.,/-])"
_BY = r"\s*(?:x|\u00d7|by)\s*"
TRIPLE = re.compile(rf"{_START}{NUMBER}{UNIT}{_BY}{NUMBER}{UNIT}(?:{_BY}{NUMBER}{UNIT})?(?![\w.])",
                    re.IGNORECASE)
CUBE = re.compile(
    rf"{_START}{NUMBER}{UNIT}\s*-?\s*(?:calibration\s+|test\s+)?cubes?\b"
    rf"|\bcubes?\s+(?:of\s+|with\s+)?{NUMBER}{UNIT}\s*(?:sides?|edges?|on\s+(?:each|a|every)\s+side|per\s+side)?",
    re.IGNORECASE,
)
# What follows a group that is not the part's overall size.
COUNTED = re.compile(r"\s*(?:[a-z-]+\s+){0,2}?(?:holes|bores|slots|pins|screws|bolts|cut-?outs|studs|pegs|"
                     r"posts|magnets|tabs|notches|grooves)\b", re.IGNORECASE)
_GRID = re.compile(r"\s*(?:grid|array|pattern|matrix|lcd|characters?)\b", re.IGNORECASE)
_FEATURE = re.compile(r"\s*(?:[a-z-]+\s+)?(?:slot|window|cut-?out|opening|pocket|recess|hole|notch|groove|"
                      r"keyway|boss|bore|counterbore|label area|display|step|shoulder|collar|spigot|tenon|"
                      r"ledge|lip|tab|gusset|spoke|rib|divider|rebate)s?\b", re.IGNORECASE)
# After a pair: "cbored 16 x 4 deep" is a feature's diameter and depth, "chamfered 1 x 45°" a
# chamfer's length and angle (a tray's "100 x 60 x 20 deep" is its own size).
_DEPTH_OR_ANGLE = re.compile(r"\s*(?:mm\s+)?(?:deep\b|°|deg\b|degrees?\b)", re.IGNORECASE)
# Before a group: the feature it sizes ("4x M6 cbore 11x6.5", "5 spokes 6x6").
_FEATURE_BEFORE = re.compile(
    r"\b(?:c'?bored?|counterbored?|counterbores|csk|countersunk|spot\s*faced?|spokes?|ribs?|gussets?|"
    r"slots?|pockets?|cut-?outs?|windows?|dividers?|rebates?|grooves?|keyways?)\s*(?:of\s+)?$", re.IGNORECASE)
_OTHER_OBJECT = re.compile(r"\b(?:for|fits?|to\s+fit|holds?|of)\s+(?:an?|the|my|one)\s+$", re.IGNORECASE)
TOLERANCE_MM = 1.0


@dataclass(frozen=True)
class Stated:
    """Overall sizes stated as `A x B (x C)` or as a cube, in millimetres."""

    sizes: tuple[float, ...]
    text: str


def parse_number(text: str) -> float:
    """ "2", "2.5", "1/4", "2 1/2" or "2-1/2" as a number."""
    whole, _, rest = text.strip().replace("-", " ").rpartition(" ")
    value = float(Fraction(rest)) if "/" in rest else float(rest)
    return value + (float(whole) if whole else 0.0)


def _to_mm(value: str, unit: str | None, default_unit: str | None) -> float:
    factor = UNITS.get((unit or default_unit or "mm").lower(), 1.0)
    return parse_number(value) * factor


def _is_overall(prompt: str, match: re.Match[str], count: int) -> bool:
    """Whether a size group is the part's own size (not a count, a grid, a feature's size or
    another object's)."""
    after = match.end()
    first_unit = match.group(2) or match.group(3)
    if count == 2 and not first_unit and match.group(1).isdigit() and int(match.group(1)) <= 24 \
            and COUNTED.match(prompt, after):
        return False  # "4 x 5 mm holes": four holes
    if count == 2 and not first_unit and match.group(1).isdigit() and int(match.group(1)) <= 24 \
            and re.match(r"\d+x\s", match.group(0), re.IGNORECASE):
        return False  # "8x 14mm on 120 PCD": eight of them, the maker's count
    if _GRID.match(prompt, after) or _FEATURE.match(prompt, after):
        return False
    if count == 2 and _DEPTH_OR_ANGLE.match(prompt, after):
        return False
    if _FEATURE_BEFORE.search(prompt[max(0, match.start() - 30):match.start()]):
        return False
    return not _OTHER_OBJECT.search(prompt[max(0, match.start() - 20):match.start()])


_INCH_MARK = re.compile(rf"\d\s*(?:\"|\u201d|{_IN}\b|inch)", re.IGNORECASE)
_METRIC_MARK = re.compile(r"\d\s*(?:mm|cm|millimet|centimet)|\bM\d", re.IGNORECASE)


def default_unit(prompt: str) -> str | None:
    """The unit of a bare number: inches in a prompt that gives inches and nothing metric
    ("4x3x3/8 plate, four 17/64 holes 1/2\" in from edges"), else None (millimetres)."""
    return "in" if _INCH_MARK.search(prompt) and not _METRIC_MARK.search(prompt) else None


_OVER = re.compile(r"(?<![\d.])(\d+)\s*/\s*(\d+)(?![\d.])")


def two_diameters(text: str) -> bool:
    """Whether `text` holds "16/12" ("bush 16/12 x 20", "frustum 60/30 x 40"): no fraction anyone
    writes but two diameters, outside over inside or bottom over top. A fraction ("3/8", "2 1/2")
    is none."""
    return any(int(a) > int(b) > 0 for a, b in _OVER.findall(text))


def _outer(value: str) -> str:
    """The first of two diameters ("16/12": the part's extent); any other number as it is."""
    return value.partition("/")[0] if two_diameters(value) and " " not in value.strip() else value


def stated_sizes(prompt: str, default: str | None = None) -> list[Stated]:
    """The part's overall sizes the prompt states (`A x B x C`, `A by B`, "a 50 mm cube"), in mm;
    a group with no unit at all is in `default` (see `default_unit`)."""
    found: list[tuple[int, Stated]] = []
    for match in TRIPLE.finditer(prompt):
        groups = match.groups()
        # Each number is followed by a word unit and a mark unit: (number, unit, mark) threes.
        values = [(groups[i], groups[i + 1] or groups[i + 2]) for i in (0, 3, 6) if groups[i] is not None]
        if not _is_overall(prompt, match, len(values)):
            continue
        # "40 x 30 x 5 mm": a unit at the end applies to every number before it.
        last_unit = next((u for _, u in reversed(values) if u), default)
        sizes = tuple(_to_mm(_outer(v), u, last_unit) for v, u in values)
        found.append((match.start(), Stated(sizes, match.group(0).strip())))
    spans = [range(m.start(), m.end()) for m in TRIPLE.finditer(prompt)]
    for match in CUBE.finditer(prompt):
        if any(match.start() in span for span in spans):
            continue  # "2 x 2 x 2 in cube": the group says it already
        groups = match.groups()
        first = 0 if groups[0] else 3  # "a 50 mm cube" or "a cube of 50 mm"
        value, unit = groups[first], groups[first + 1] or groups[first + 2]
        if not unit:
            continue  # "3 cubes", "a cube with 4 holes": a count, not a size
        side = _to_mm(value, unit, None)
        found.append((match.start(), Stated((side, side, side), match.group(0).strip())))
    return [stated for _, stated in sorted(found, key=lambda pair: pair[0])]


COUNTS = {
    "a": 1, "an": 1, "one": 1, "single": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}
_COUNT = r"(?P<count>\d+|" + "|".join(COUNTS) + r")"
_KINDS = r"(?:(?:through|clearance|mounting|bolt|screw|countersunk|counterbored|round|drilled)[- ]?\s*)*"
HOLES_BEFORE = re.compile(
    # not after "-" or "#": "1/4-20 holes" and "#8 holes" name a Unified screw, not how many
    # nor inside a decimal or after "Ø": the 5 of "Ø10.5 mm" is no size, the 8 of "Ø8 holes" no count
    rf"(?<![-#.\d\u00d8\u2300])\b(?:{_COUNT}\s+(?:x\s*)?)?(?:(?P<metric>M\d+(?:\.\d+)?)\s*|[\u00d8\u2300]?{NUMBER}\s*{UNIT}\s*"
    rf"(?P<kind>diameter|dia\.?|radius|wide)?\s*)?{_KINDS}holes?\b"
    r"(?!\s*(?:pattern|spacing|circle|cent(?:re|er)s?|distance|depth|size|to\b))",
    re.IGNORECASE,
)
HOLES_AFTER = re.compile(
    rf"\bholes?\s+(?:(?:for|of)\s+(?:an?\s+)?(?P<metric>M\d+(?:\.\d+)?)\b|(?:of|with\s+an?|,)?\s*"
    rf"(?:(?P<kind1>diameter|radius)\s+(?:of\s+)?)?{NUMBER}\s*{UNIT}\s*(?:in\s+)?(?P<kind2>diameter|radius)?)",
    re.IGNORECASE,
)
HOLE_TOLERANCE_MM = 0.25
# "a 5 mm hole in each leg": the count is per something the check cannot count.
PER_EACH = re.compile(r"\s*(?:(?:in|on|at|through|near)\s+(?:each|every|both|all)|per|each)\b", re.IGNORECASE)


@dataclass(frozen=True)
class HoleSpec:
    """Holes the prompt asks for: how many (if said) and the diameters that fit, in mm."""

    count: int | None
    low: float | None
    high: float | None
    text: str

    def fits(self, diameter: float) -> bool:
        return self.low is None or self.high is None or self.low <= diameter <= self.high


def _metric_range(size: str, clearance: bool = False) -> tuple[float, float]:
    """An "M4 hole" is anything from a tapping drill to a coarse clearance hole (ISO 273); an "M4
    clearance hole" from the fine series up (not an M5's 4.2 mm tapping drill on the same part);
    a size the table lacks is judged by the same proportions."""
    nominal = float(size[1:])
    screw = SCREWS.get(size.upper())
    high = screw.coarse if screw is not None else round(nominal * 1.25 + 0.3, 3)
    if clearance:  # ISO 273's fine series: 3.2 for M3, 4.3 for M4, 8.4 for M8
        return round(nominal * 1.04 + 0.08, 3), high
    return (screw.tap if screw is not None else round(nominal * 0.75, 3)), high


# A word after "N hole" that names the part: "a 6 hole plate"; not a preposition, nor a size's word.
_NOUN_AFTER = re.compile(
    r"\s+(?!(?:in|on|at|through|thru|near|to|for|with|of|from|and|or|the|an?|each|every|both|all|"
    r"cent(?:re|er)d?|dia(?:meter)?|radius|deep|depth|x|by|mm|cm|inch(?:es)?|spaced|positioned|"
    r"placed|located|drilled|bored|tapped|counter\w*|c'?bored?|c'?sunk|csk|cbore|min|max)\b)[a-z]{3,}",
    re.IGNORECASE)


def _holes_on_a_noun(match: re.Match[str], prompt: str) -> bool:
    """A whole number with no unit, then "hole" and a noun: a count ("a 6 hole plate")."""
    number = match.group(3)
    return (number.isdigit() and 2 <= int(number) <= 24 and match.group(4) is None
            and match.group(5) is None and not match.groupdict().get("kind")
            and match.group(0).lower().endswith("hole")
            and _NOUN_AFTER.match(prompt, match.end()) is not None)


def stated_holes(prompt: str, default: str | None = None) -> list[HoleSpec]:
    """Holes the prompt asks for, a bare diameter in `default` (see `default_unit`)."""
    found: list[HoleSpec] = []
    for match in HOLES_BEFORE.finditer(prompt):
        groups = match.groupdict()
        count_word = (groups["count"] or "").lower()
        count = int(count_word) if count_word.isdigit() else COUNTS.get(count_word)
        low = high = None
        text = match.group(0).strip()
        clearance = re.search(r"\bclear(?:ance)?\b", match.group(0), re.IGNORECASE) is not None
        if groups["metric"]:
            low, high = _metric_range(groups["metric"], clearance)
        elif count is not None and count > 1 and match.group(0).lower().endswith("hole") \
                and not count_word.isalpha() and match.group(3) is None \
                and not re.match(r"\s*[a-z]", prompt[match.end():], re.IGNORECASE):
            # "washer 30od 13 hole 2.5t": a maker's "13 hole" is a 13 mm hole (but a "6 hole
            # flange" has six).
            low, high, count = count - HOLE_TOLERANCE_MM, count + HOLE_TOLERANCE_MM, 1
        elif match.group(3) is not None and _holes_on_a_noun(match, prompt):
            # "a 6 hole plate", "4 hole flange": how many holes the part has, of no stated size.
            count = int(match.group(3))
        elif match.group(3) is not None:  # NUMBER inside the size
            diameter = _to_mm(match.group(3), match.group(4) or match.group(5), default)
            if (groups["kind"] or "").lower() == "radius":
                diameter *= 2
            low, high = diameter - HOLE_TOLERANCE_MM, diameter + HOLE_TOLERANCE_MM
        if low is None:
            after = HOLES_AFTER.match(prompt, match.end() - len(match.group(0).split()[-1]))
            if after is not None:
                text = prompt[match.start():after.end()].strip()
                a = after.groupdict()
                if a["metric"]:
                    low, high = _metric_range(a["metric"], clearance)
                elif a["kind1"] or a["kind2"]:
                    diameter = _to_mm(after.group(3), after.group(4) or after.group(5), default)
                    if "radius" in ((a["kind1"] or "") + (a["kind2"] or "")).lower():
                        diameter *= 2
                    low, high = diameter - HOLE_TOLERANCE_MM, diameter + HOLE_TOLERANCE_MM
        if PER_EACH.match(prompt, match.end()):
            count = None
        if count is None and low is None:
            continue  # "with holes": nothing to check
        found.append(HoleSpec(count, low, high, text))
    return found
