"""A description's sizes said as the part program holds them, before the model reads them: inches,
fractions of an inch, centimetres, metres and feet in millimetres, and the radius of a round body
as its diameter.

A small model copies numbers well and does arithmetic badly: "3/8 in" must become 9.53 in the
program, "8.5 cm" 85, and the adapted model got most of its development-set misses doing that
sum. So the sum is done here, exactly, and the model is trained on and asked with the rewritten
text. Only sizes with a unit are rewritten, with the reading rules of `partsmith.prompt.dimensions` (a unit
is a whole word; "M8 x 40" is a thread); "2 x 1 x 0.25 in" is rewritten whole, the unit at the end
applying to every number of the group. Inch sizes said in words ("a quarter inch", "an inch and a
half") are rewritten too. Millimetres are left exactly as written. A radius said of a round body
("a peg radius 7 mm", "R10.5 pins") becomes a diameter, the program's size for holes, cylinders,
spheres, cones and circles; one said of a fillet, a corner, an edge or an arc stays a radius.
"""

from __future__ import annotations

import re

from partsmith.prompt.dimensions import COUNTED, NUMBER, UNITS, parse_number

# A unit other than millimetres, as a whole word or an inch mark; the capturing group is the unit.
# "in" is a unit only where it is not a preposition ("4 in a row", "5 in diameter").
_UNIT = (r"\s*-?\s*(cm|centimet(?:er|re)s?|m|met(?:er|re)s?|inch(?:es)?|ft|foot|feet|\"|\u201d|\u2033|"
         r"in(?!\s+(?:a|an|the|each|every|its|their|line|row|diameter|dia|total)\b))(?![a-z])")
_MM = r"\s*-?\s*(?:mm|millimet(?:er|re)s?)(?![a-z])"
# A number starts a size unless it is part of a word, a thread ("M8") or another number; a radius
# or a diameter mark ("R8.5 cm", "Ø1/2\"") may stand before it.
_START = r"(?:(?<![\w.,/-])|(?<=[RrØø⌀]))"
_BY = r"(\s*(?:x|\u00d7|by)\s*)"
# A group of up to three numbers, each with its own unit or none, the last one's unit given.
_GROUP = re.compile(
    rf"{_START}{NUMBER}({_UNIT}|{_MM})?(?:{_BY}{NUMBER}({_UNIT}|{_MM})?)?(?:{_BY}{NUMBER}({_UNIT}|{_MM})?)?"
    rf"(?![\w]|\.\d)",
    re.IGNORECASE,
)
_WORD_INCHES = (
    (r"an?\s+inch\s+and\s+a\s+half", 1.5),
    (r"an?\s+eighth\s+of\s+an\s+inch", 0.125),
    (r"an?\s+quarter\s+of\s+an\s+inch", 0.25),
    (r"quarter[- ]inch(?:es)?", 0.25),
    (r"half\s+an\s+inch", 0.5),
    (r"half[- ]inch(?:es)?", 0.5),
    (r"three[- ]quarters\s+of\s+an\s+inch", 0.75),
    (r"three[- ]quarter[- ]inch(?:es)?", 0.75),
    (r"(?:one|an)\s+inch", 1.0),
    (r"two\s+inch(?:es)?", 2.0),
    (r"three\s+inch(?:es)?", 3.0),
    (r"four\s+inch(?:es)?", 4.0),
    (r"six\s+inch(?:es)?", 6.0),
)
_WORDS = re.compile(r"\b(?:" + "|".join(f"({pattern})" for pattern, _ in _WORD_INCHES) + r")\b",
                    re.IGNORECASE)


# Fractions typed as one character ("1½ in", "¾\"").
_VULGAR = {"½": "1/2", "¼": "1/4", "¾": "3/4", "⅛": "1/8", "⅜": "3/8", "⅝": "5/8", "⅞": "7/8"}
_VULGAR_RE = re.compile(r"(\d?)([½¼¾⅛⅜⅝⅞])")
# "12 in. long": the abbreviation's full stop goes with the unit.
_IN_DOT = re.compile(r"(\d\s*in)\.(?=\s+[a-z])")


def _vulgar(match: re.Match[str]) -> str:
    whole, fraction = match.group(1), _VULGAR[match.group(2)]
    return f"{whole} {fraction}" if whole else fraction


def millimetres(value: float) -> str:
    """A length in millimetres as the program holds it (0.01 mm) and people write it ("9.53")."""
    text = f"{round(value, 2):.2f}".rstrip("0").rstrip(".")
    return text if text != "-0" else "0"


def _unit_of(text: str | None) -> str | None:
    if not text:
        return None
    unit = text.strip(" -").lower()
    return "mm" if unit.startswith("mm") or unit.startswith("millimet") else unit


def _group(match: re.Match[str]) -> str:
    groups = match.groups()
    # (number, unit) pairs; the by-words between them kept as written.
    numbers = [groups[0], groups[4], groups[8]]
    units = [_unit_of(groups[1]), _unit_of(groups[5]), _unit_of(groups[9])]
    joins = [groups[3], groups[7]]
    present = [i for i, n in enumerate(numbers) if n is not None]
    if len(present) == 1 and " " in numbers[0].strip() and units[0] not in (None, "mm") \
            and COUNTED.match(match.string, match.end()):
        # "2 3/4 inch holes": two holes of 3/4 inch, not one of 2 3/4.
        count, _, fraction = numbers[0].strip().partition(" ")
        return f"{count} {millimetres(parse_number(fraction) * UNITS[units[0]])} mm"
    last = units[present[-1]]
    counted = (len(present) == 2 and units[0] is None and numbers[0].isdigit() and int(numbers[0]) <= 24
               and COUNTED.match(match.string, match.end()))  # "4 x 1/4 in holes": four holes
    if counted or last is None or last == "mm" or any(u not in (None, last) for u in units):
        # No unit, millimetres, or units mixed within the group ("2 in x 50 mm"): single sizes only.
        return _singles(match)
    factor = UNITS[last]
    parts = []
    for i in present:
        parts.append(millimetres(parse_number(numbers[i]) * factor))
        if i < present[-1]:
            parts.append(joins[i] or " x ")
    return "".join(parts) + " mm"


def _singles(match: re.Match[str]) -> str:
    """A group whose numbers are rewritten one by one: only those with a unit of their own."""
    groups = match.groups()
    text = match.group(0)
    out = []
    cursor = match.start()
    for number_at, unit_at in ((0, 1), (4, 5), (8, 9)):
        if groups[number_at] is None:
            continue
        unit = _unit_of(groups[unit_at])
        if unit is None or unit == "mm":
            continue
        start, end = match.start(number_at + 1), match.end(unit_at + 1)
        out.append(text[cursor - match.start():start - match.start()])
        out.append(f"{millimetres(parse_number(groups[number_at]) * UNITS[unit])} mm")
        cursor = end
    out.append(text[cursor - match.start():])
    return "".join(out)


def _word_inches(match: re.Match[str]) -> str:
    index = next(i for i, group in enumerate(match.groups()) if group is not None)
    return f"{millimetres(_WORD_INCHES[index][1] * UNITS['in'])} mm"


def in_millimetres(text: str) -> str:
    """`text` with every size said in another unit rewritten in millimetres ("3/8 in" -> "9.53 mm",
    "6 x 4 x 0.5 cm" -> "60 x 40 x 5 mm", "a quarter inch" -> "a 6.35 mm"); the rest unchanged."""
    text = _IN_DOT.sub(r"\1", _VULGAR_RE.sub(_vulgar, text))
    text = _WORDS.sub(_word_inches, text)
    return _GROUP.sub(_group, text)


# --- radii of round bodies said as diameters --------------------------------------------------------

_LEN = r"(\d+(?:\.\d+)?)(\s*(?:mm|millimet(?:er|re)s?)(?![a-z]))?"
_RADIUS = re.compile(
    rf"\bradius\s+(?:of\s+|=\s*)?{_LEN}"  # "radius 7 mm", "radius of 5"
    rf"|(?<![\w.]){_LEN}\s+radius\b"  # "7 mm radius"
    rf"|(?<![\w.])R\s?{_LEN}(?![\w.])",  # "R10.5 mm", "R12"
)
# A radius after these words in its sentence, or just before one of them (or before "... edges"), is
# a fillet's, a corner's or an arc's, which the program holds as a radius.
_KEEP = re.compile(r"corner|edge|fillet|rounded|rounding|round(?:ing)?\s+(?:off|over)|semi-?circle|half|arc|"
                   r"bend|profile|chamfer|slot|revolve", re.IGNORECASE)


# ... and near these, a round body's, which the program sizes by its diameter.
_ROUND = re.compile(r"hole|bore|pin|peg|rod|shaft|cylind|dis[ck]|sphere|ball|circle|boss|hub|flange|dowel|"
                    r"spacer|pipe|tube|cone|tapered|taper|knob|wheel|post|standoff|stud|round|column|puck|"
                    r"cap|bar|washer|ring|torus|bushing|collar|plug|counterbore|spot|pocket|cup|pillar|pot|jar|can",
                    re.IGNORECASE)


def _diameter(match: re.Match[str]) -> str:
    # The words of the same sentence before and after the radius.
    words = re.findall(r"[\w-]+", re.split(r"[.;:!?](?:\s|$)", match.string[:match.start()])[-1])
    later = re.findall(r"[\w-]+", re.split(r"[.;:!?](?:\s|$)", match.string[match.end():])[0])
    kept = _KEEP.search(" ".join(words[-8:] + later[:1])) or any(
        w.lower().startswith("edge") for w in later[:4])
    if kept or not _ROUND.search(" ".join(words[-5:] + later[:5])):
        return match.group(0)
    if match.group(1) is not None:
        return f"diameter {millimetres(2 * float(match.group(1)))}{match.group(2) or ''}"
    if match.group(3) is not None:
        return f"{millimetres(2 * float(match.group(3)))}{match.group(4) or ''} diameter"
    return f"Ø{millimetres(2 * float(match.group(5)))}{match.group(6) or ''}"


def as_diameters(text: str) -> str:
    """`text` with the radius of a round body said as its diameter ("a peg radius 7 mm" -> "a peg
    diameter 14 mm", "R10.5 mm pins" -> "Ø21 mm pins"), as the program holds it; a fillet's, a
    corner's or an arc's radius ("R2 on all edges", "rounded corners R5") stays a radius."""
    return _RADIUS.sub(_diameter, text)


def as_program_says(text: str) -> str:
    """A description with its sizes in millimetres and its round bodies' radii as diameters: what
    the adapted model reads (`partsmith.generate.short_prompt.short_prompt`)."""
    return as_diameters(in_millimetres(text))
