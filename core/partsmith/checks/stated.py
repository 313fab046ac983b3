"""Whether a part is what the prompt asked for: its sizes, its kind and its features.

A part can run, be a valid solid and still be the wrong thing: a disc for "a 50 mm cube", an M2
bolt for "a 2 inch long pin", a nut for "a phone stand", a plain plate for "a plate with a
countersunk slot". Each check here compares what the prompt says with what the sandbox measured
(`geometry.Measurements`, as a dict) and returns a `Fact` per thing the prompt states: met, or
what is off. The pipeline chooses among candidate answers by the facts they meet, tells a repair
what is off, and shows the user every fact with its verdict.

Every check is conservative: a false mismatch wastes a repair and shows a wrong warning, so a
check speaks only where the prompt is plain (a kind noun that names the part itself, a size next
to "long" or "diameter", a feature word that is not negated).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from partsmith.checks.facts import Fact, problems
from partsmith.prompt import dimensions
from partsmith.prompt.dimensions import HOLE_TOLERANCE_MM, NUMBER, TOLERANCE_MM, UNIT, _to_mm

# A stated length matches an extent within this (or 2% of it, for large parts).
LENGTH_TOLERANCE_MM = 1.0
LENGTH_TOLERANCE = 0.02

Extents = tuple[float, float, float]  # sorted, largest first


@dataclass(frozen=True)
class Kind:
    """A kind of part a prompt can name, and what its proportions must be."""

    name: str
    words: str
    fits: Callable[[Extents, Mapping[str, Any]], bool]
    shape: str  # what the part should look like, for the message


def _close(a: float, b: float, ratio: float) -> bool:
    return abs(a - b) <= ratio * max(a, b)


def _has_hole(measured: Mapping[str, Any]) -> bool:
    holes = measured.get("holes")
    return holes is None or len(holes) > 0  # unmeasured: nothing to say


KINDS = [
    Kind("cube", r"cubes?", lambda e, m: e[2] >= 0.9 * e[0], "three equal sides"),
    Kind("plate", r"plates?|sheets?|panels?|tiles?|shims?", lambda e, m: e[2] <= 0.5 * e[1],
         "flat (its thickness well under its width)"),
    Kind("disc", r"discs?|disks?|pucks?", lambda e, m: _close(e[0], e[1], 0.05) and e[2] <= 0.7 * e[1],
         "round and flat"),
    Kind("washer", r"washers?",
         lambda e, m: _close(e[0], e[1], 0.05) and e[2] <= 0.5 * e[1] and _has_hole(m),
         "round, flat and with a hole"),
    Kind("pin", r"pins?|rods?|dowels?|axles?|shafts?",
         lambda e, m: _close(e[1], e[2], 0.1) and e[0] >= 1.5 * e[1], "long and round"),
    Kind("bolt", r"bolts?|screws?", lambda e, m: e[0] >= 1.5 * e[2], "longer than its head is wide"),
    Kind("nut", r"nuts?", lambda e, m: e[2] <= e[1] and _has_hole(m), "flat-ish, with a threaded hole"),
    Kind("phone stand", r"(?:phone|tablet)\s+(?:stand|holder|dock|cradle)s?", lambda e, m: e[0] >= 60.0,
         "big enough to hold a phone (60 mm or more)"),
]
# The part's own noun, not an object it is for or has: "a plate for an M8 bolt" is a plate.
_NOT_THE_PART = re.compile(
    r"\b(?:for|with|of|to|fits?|fit|holds?|holding|and|on|into|onto|in|from|like|without|no|than)\b"
    r"(?:\s+\S+){0,3}\s*$", re.IGNORECASE)


_A_FEATURE_NOUN = re.compile(r"[\s-]*(?:holes?|bores?|slots?|shaped|hole)\b", re.IGNORECASE)
_COUNTED_BEFORE = re.compile(r"\b(?:\d+|two|three|four|five|six|seven|eight|nine|ten|twelve|several)\s+$",
                             re.IGNORECASE)
# Words that put a second body on the first ("a plate with a 30 mm post on top", "a stepped shaft:
# 20 x 30, then 12 x 40"): a size then may be of either body, so it must fit in the part, not be it.
_ADDED = re.compile(
    r"\b(?:on\s+top|standing|stacked|sitting\s+on|on\s+(?:a|the)\s+(?:\S+\s+){0,4}base|bases?|bosses|boss|"
    r"posts?|pins?|pegs?|ribs?|fins?|hubs?|uprights?|stems?|spigots?|gussets?|spokes?|arms?|lids?|then|"
    r"made\s+of|caps?|collars?|shoulders?|wall\s+along|bars|cylinders|cubes|steps?|tiers?)\b",
    re.IGNORECASE)


def _several_bodies(prompt: str) -> bool:
    """Whether the prompt sizes more than one body, or a feature by sizes of its own: its stated
    sizes are then each one body's or feature's, inside the part."""
    return len(dimensions.stated_sizes(prompt)) > 1 or _ADDED.search(prompt) is not None


def _inside(wanted: Sequence[float], extents: Sequence[float]) -> bool:
    """Sizes that fit in the part: the largest within its largest extent, and so on."""
    ordered = sorted(wanted, reverse=True)
    return all(w <= e + TOLERANCE_MM for w, e in zip(ordered, extents, strict=False))


def asked_kind(prompt: str) -> Kind | None:
    """The kind of part the prompt names first, when it names the part itself."""
    found = _kind_at(prompt)
    return found[1] if found else None


def _kind_at(prompt: str) -> tuple[int, Kind] | None:
    best: tuple[int, Kind] | None = None
    for kind in KINDS:
        for match in re.finditer(rf"\b(?:{kind.words})\b", prompt, re.IGNORECASE):
            if _NOT_THE_PART.search(prompt[:match.start()]):
                break
            if _A_FEATURE_NOUN.match(prompt, match.end()) or _COUNTED_BEFORE.search(prompt[:match.start()]):
                continue  # "6 mm pin holes", "6 pins in a row": no one pin is the part
            if best is None or match.start() < best[0]:
                best = (match.start(), kind)
            break
    return best


def kind_facts(prompt: str, extents: Extents, measured: Mapping[str, Any]) -> list[Fact]:
    if any(len(stated.sizes) == 3 for stated in dimensions.stated_sizes(prompt)):
        return []  # the user's own three sizes say the shape ("a 15 x 40 x 10 mm plate")
    kind = asked_kind(prompt)
    if kind is None:
        return []
    said = f"a {kind.name} ({kind.shape})"
    if kind.fits(extents, measured):
        return [Fact(said, "kind", True)]
    got = " x ".join(f"{e:.3g}" for e in extents)
    return [Fact(said, "kind", False, f"the part is {got} mm",
                 f"the prompt asks for a {kind.name}, which is {kind.shape}, but the part is {got} mm")]


# Lengths next to the word that says which extent they are.
# "radius 15 mm length 60 mm": a role word before a number is that number's, not the one before
# ("diameter 10 mm length 50 mm"), unless that number has a role word of its own ("10 mm diameter
# 40 mm long").
_NOT_NEXT = (r"(?!\s*(?:of\s+|is\s+|=\s*|:\s*)?\d[\d./]*+(?:\s*(?:mm|cm|inch(?:es)?|in\b|\"|m\b))?+"
             r"(?!\s*-?\s*(?:long|tall|high|wide|deep|thick|diameter|dia|in\s+length|across|od)\b))")
_LENGTH = re.compile(
    rf"(?<![\w.,/-]){NUMBER}{UNIT}\s*-?\s*(?P<role>long|in\s+length|length{_NOT_NEXT}|tall|high|in\s+diameter|"
    rf"(?:outer|outside|external|overall)\s+diameter|od\b|o\.d\.|diameter{_NOT_NEXT}|dia\b\.?{_NOT_NEXT}|"
    rf"across\s+(?:the\s+)?flats|a/f\b|across|thick(?:ness)?{_NOT_NEXT})"
    rf"|\b(?P<role2>length|diameter|thickness)\s+(?:of\s+|is\s+)?{NUMBER}{UNIT}",
    re.IGNORECASE)
_FEATURE_WORDS = (r"holes?|bores?|slots?|pockets?|recess(?:es)?|grooves?|keyways?|bosses?|circles?|pcd|"
                  r"walls?|legs?|arms?|fillets?|chamfers?|threads?|counterbores?|countersinks?|notch(?:es)?|teeth|"
                  r"heads?|flanges?|lips?|ribs?|tabs?|posts?|pins?|studs?|cut-?outs?|windows?|openings?|spokes?")
_FEATURE_BEFORE = re.compile(rf"\b(?:{_FEATURE_WORDS}|inner|inside|internal|bore|id)\b(?:\s+\S+){{0,2}}\s*$",
                             re.IGNORECASE)
# "30 mm long, 8 mm wide slot": other lengths of the same list may stand before the feature.
_ANOTHER_LENGTH = rf"\s*(?:,|and)?\s*{NUMBER}{UNIT}\s*-?\s*(?:long|wide|deep|tall|high|thick|diameter|across)"
_FEATURE_AFTER = re.compile(rf"(?:{_ANOTHER_LENGTH})*\s*(?:\S+\s+)?(?:{_FEATURE_WORDS})\b", re.IGNORECASE)
_FLAT_KINDS = {"plate", "disc", "washer", "cube"}
# Parts whose thickness is an extent (a nut's is its height; a bracket's is its wall).
_THICK_KINDS = _FLAT_KINDS | {"nut"}
_ROUND_KINDS = {"disc", "washer", "pin", "bolt", "nut"}
_ROUND_WORDS = re.compile(r"\b(?:cylinders?|knobs?|wheels?|caps?|rings?|tubes?|pipes?|spacers?|standoffs?|"
                          r"bushings?|rollers?|pulleys?|round)\b", re.IGNORECASE)


_ROLES = {"length": "long", "high": "tall", "dia": "diameter", "across": "diameter", "thickness": "thick",
          "od": "diameter", "o.d.": "diameter", "flats": "across flats", "a/f": "across flats"}


@dataclass(frozen=True)
class Length:
    role: str
    mm: float
    text: str


def stated_lengths(prompt: str) -> list[Length]:
    """Overall lengths said with their role ("2 inch long", "1/4 inch diameter", "3 mm thick"),
    leaving out those of features ("a slot 20 mm long", "walls 2 mm thick")."""
    found = []
    features: dict[str, float] = {}
    at = _kind_at(prompt)
    kind = at[1] if at else None
    noun_end = re.compile(rf"\s*(?:\S+\s+)?(?:{kind.words})\b", re.IGNORECASE) if kind else None
    for match in _LENGTH.finditer(prompt):
        g = match.groups()
        said = (match.group("role") or match.group("role2") or "").lower().split()[-1].rstrip(".")
        value, unit = (g[0], g[1] or g[2]) if g[0] else (g[5], g[6] or g[7])
        role = _ROLES.get(said, said)
        mm = _to_mm(value, unit, None)
        feature = _FEATURE_AFTER.match(prompt, match.end())
        if _FEATURE_BEFORE.search(prompt[max(0, match.start() - 40):match.start()]) or (
                feature and not (at and noun_end and (own := noun_end.match(prompt, match.end()))
                                 and own.end() == feature.end() and own.end() > at[0])):
            # "a slot 20 mm long", but not "a 2 inch long pin" when a pin is the part.
            features[role] = max(features.get(role, 0.0), mm)
            continue
        if role == "thick" and (kind is None or kind.name not in _THICK_KINDS):
            continue  # a bracket's or an enclosure's thickness is its wall, not an extent
        if role == "diameter" and not (
                (kind is not None and kind.name in _ROUND_KINDS) or _ROUND_WORDS.search(prompt)):
            continue
        if role == "diameter" and kind is not None and kind.name in {"bolt", "nut"}:
            continue  # a bolt's diameter is its thread, narrower than its head
        if role == "long" and kind is not None and kind.name == "bolt":
            continue  # a bolt's length is under its head
        found.append(Length(role, mm, match.group(0).strip()))
    # The part's extent is the largest of each role; "8 mm diameter, with a 20 mm diameter
    # flange": a feature wider than the part's stated size makes that size no extent.
    largest: dict[str, Length] = {}
    for length in found:
        if length.mm < features.get(length.role, 0.0):
            continue
        if length.role not in largest or length.mm > largest[length.role].mm:
            largest[length.role] = length
    return list(largest.values())


def _fits(length: float, extent: float) -> bool:
    return abs(length - extent) <= max(LENGTH_TOLERANCE_MM, LENGTH_TOLERANCE * extent)


def length_facts(prompt: str, extents: Extents) -> list[Fact]:
    found = []
    got = " x ".join(f"{e:.4g}" for e in extents)
    several = _several_bodies(prompt)
    for length in stated_lengths(prompt):
        if any(_fits(length.mm, e) for e in extents) or (several and _inside([length.mm], extents)):
            found.append(Fact(length.text, "length", True))
        else:
            found.append(Fact(length.text, "length", False, f"the part is {got} mm",
                              f"the prompt says {length.text} ({length.mm:.4g} mm) but the part is {got} mm"))
    return found


# Features asked for: (name, words, what the measurements must show).
_NEGATED = re.compile(r"\b(?:no|without|not)\b(?:\s+\S+){0,2}\s*$", re.IGNORECASE)
FEATURES: list[tuple[str, str, Callable[[Mapping[str, Any]], int | None]]] = [
    ("a slot", r"slots?|slotted",
     lambda m: None if "slot_ends" not in m else int(m["slot_ends"]) + int(m.get("cutouts", 0))),
    ("a countersink", r"countersunk|countersinks?|csk", lambda m: m.get("countersinks")),
    ("a counterbore", r"counterbored|counterbores?|c'?bored?", lambda m: m.get("counterbores")),
]


_A_SHAPE = re.compile(r"[\s-]*(?:shaped|shape)\b", re.IGNORECASE)  # "a slot-shaped plate": its outline


def feature_facts(prompt: str, measured: Mapping[str, Any]) -> list[Fact]:
    found = []
    for name, words, count in FEATURES:
        asked = [m for m in re.finditer(rf"\b(?:{words})\b", prompt, re.IGNORECASE)
                 if not _NEGATED.search(prompt[max(0, m.start() - 30):m.start()])
                 and not _A_SHAPE.match(prompt, m.end())]
        have = count(measured)
        if not asked or have is None:
            continue
        said = f"{name} ({asked[0].group(0)})"
        if have == 0:
            found.append(Fact(said, "feature", False, "the part has none",
                              f"the prompt asks for {said} but the part has none"))
        else:
            found.append(Fact(said, "feature", True))
    return found


def size_facts(prompt: str, size: Sequence[float]) -> list[Fact]:
    """Overall sizes ("40 x 30 x 5 mm", "a 50 mm cube") against the bounding box, sorted extents
    (the axis the model chose does not matter)."""
    extents = sorted((float(s) for s in size), reverse=True)
    got = " x ".join(f"{e:.4g}" for e in extents)
    found = []
    several = _several_bodies(prompt)
    runs = [length.mm for length in stated_lengths(prompt) if length.role == "long"]
    runs += [_to_mm(m.group(1), m.group(2) or m.group(3), None) for m in _EXTRUDED.finditer(prompt)]
    for index, stated in enumerate(dimensions.stated_sizes(prompt, dimensions.default_unit(prompt))):
        tube = _od_by_wall(prompt, stated)
        if tube is not None:  # "300 mm of 25x2 tube": the outside diameter; the wall is a fact of its own
            wrong = all(abs(tube[0] - e) > TOLERANCE_MM for e in extents)
        elif (run := _run_of_section(stated, runs)) is not None:
            # "angle 40 x 40 x 4, 100 long": a section (two legs and a thickness) and its run.
            wanted = sorted([run, *sorted(stated.sizes)[1:]], reverse=True)
            wrong = any(abs(w - e) > TOLERANCE_MM for w, e in zip(wanted, extents, strict=True))
        elif several:
            # Inside the part; the first sizes stated, of the main body, share an extent.
            shares = any(abs(s - e) <= TOLERANCE_MM for s in stated.sizes for e in extents)
            wrong = not _inside(stated.sizes, extents) or (index == 0 and not shares)
        elif len(stated.sizes) == 3:
            wanted = sorted(stated.sizes, reverse=True)
            wrong = any(abs(w - e) > TOLERANCE_MM for w, e in zip(wanted, extents, strict=True))
        else:
            wrong = any(all(abs(s - e) > TOLERANCE_MM for e in extents) for s in stated.sizes)
        said = _tube_words(prompt, stated) if tube is not None else stated.text
        found.append(Fact(said, "size", not wrong, f"the part is {got} mm" if wrong else "",
                          f"the prompt says {said} but the part is {got} mm" if wrong else ""))
    return found


_EXTRUDED = re.compile(rf"\bextruded\s+(?:to\s+|by\s+|for\s+)?{NUMBER}{UNIT}", re.IGNORECASE)
_TUBE_AFTER = re.compile(r"\s*(?:\S+\s+)?(?:tubes?|tubing|pipes?)\b", re.IGNORECASE)


def _run_of_section(stated: dimensions.Stated, runs: Sequence[float]) -> float | None:
    """The run a section of three sizes is extruded along ("40x40x4 extruded 100", "40 x 40 x 4,
    100 mm long"): a length stated apart from the three, and longer than its legs."""
    if len(stated.sizes) != 3:
        return None
    apart = [r for r in runs if r > max(stated.sizes) + TOLERANCE_MM]
    return max(apart) if apart else None


def _od_by_wall(prompt: str, stated: dimensions.Stated) -> tuple[float, float] | None:
    """ "25x2 tube", "32 x 3 pipe": a tube's outside diameter by its wall (the maker's and the
    stockist's way), as (outside, wall) in mm; None for other sizes."""
    at = prompt.find(stated.text)
    if len(stated.sizes) != 2 or at < 0 or not _TUBE_AFTER.match(prompt, at + len(stated.text)):
        return None
    outside, wall = stated.sizes
    return (outside, wall) if wall <= outside / 4 else None


def _tube_words(prompt: str, stated: dimensions.Stated) -> str:
    """ "25x2 tube": the size with its noun, so that the fact reads (and is set) as a tube's."""
    at = prompt.find(stated.text) + len(stated.text)
    noun = _TUBE_AFTER.match(prompt, at)
    return prompt[prompt.find(stated.text):noun.end()].strip() if noun else stated.text


def hole_facts(prompt: str, holes: Sequence[float]) -> list[Fact]:
    """Holes asked for ("four 4 mm holes", "an M5 hole") against the round holes measured."""
    found = []
    specs = dimensions.stated_holes(prompt, dimensions.default_unit(prompt))
    # "two M5 holes in the base ... two M5 holes in the upright": four of that size in all
    totals: dict[tuple[float | None, float | None], int] = {}
    for spec in specs:
        if spec.count is not None and spec.low is not None:
            totals[spec.low, spec.high] = totals.get((spec.low, spec.high), 0) + spec.count
    for spec in specs:
        fitting = [d for d in holes if spec.fits(d)]
        diameters = ", ".join(f"{d:.3g}" for d in holes) or "none"
        if spec.count is not None and spec.low is None:  # "4 holes" (sized elsewhere): at least 4
            if len(fitting) < spec.count:
                off = f"the part has {len(fitting)} hole(s) (hole diameters found, mm: {diameters})"
                said = f"the prompt asks for {spec.text} but {off}"
                found.append(Fact(spec.text, "holes", False, off, said))
            else:
                found.append(Fact(spec.text, "holes", True))
            continue
        if spec.count is not None and len(fitting) != totals.get((spec.low, spec.high), spec.count):
            off = f"the part has {len(fitting)} such hole(s) (hole diameters found, mm: {diameters})"
        elif spec.count is None and not fitting:
            off = f"the part has none (hole diameters found, mm: {diameters})"
        else:
            found.append(Fact(spec.text, "holes", True))
            continue
        found.append(Fact(spec.text, "holes", False, off, f"the prompt asks for {spec.text} but {off}"))
    return found


# A tube's wall ("2 mm wall", "wall thickness 1.5 mm", "3 mm thick walls"), read on round hollow parts.
_WALL = re.compile(
    rf"(?<![\w.,/-]){NUMBER}{UNIT}\s*-?\s*(?:thick\s+)?walls?\b(?!\s+(?:of|thickness))"
    rf"|\bwall(?:\s+thickness)?\s*(?:of\s+|=\s*|:\s*)?{NUMBER}{UNIT}", re.IGNORECASE)
_TUBES = re.compile(r"\b(?:tubes?|tubing|pipes?|sleeves?|bushings?|bush(?:es)?|spacers?|hollow\s+cylinders?)"
                    r"\b", re.IGNORECASE)
_NOT_TUBES = re.compile(
    r"\b(?:torus|toroid|donut|doughnut|o-?rings?|shell(?:ed)?|box|enclosure|cup)\b", re.IGNORECASE)


def stated_wall(prompt: str) -> tuple[float, str] | None:
    """The wall a prompt gives a tube, in mm, with its words ("2 mm wall", "25x2 tube"); None for
    other parts."""
    if not _TUBES.search(prompt) or _NOT_TUBES.search(prompt):
        return None
    default = dimensions.default_unit(prompt)
    said = wall_size(prompt, default)
    if said is not None:
        return said
    for stated in dimensions.stated_sizes(prompt, default):
        tube = _od_by_wall(prompt, stated)
        if tube is not None:
            return tube[1], _tube_words(prompt, stated)
    return None


def wall_size(text: str, default_unit: str | None = None) -> tuple[float, str] | None:
    """A wall said in `text` ("2 mm wall"), in mm, with its words; a bare number is in
    `default_unit` ("1/8 wall" on a 1-1/2" tube is an eighth of an inch)."""
    match = _WALL.search(text)
    if match is None:
        return None
    g = match.groups()
    value, unit = (g[0], g[1] or g[2]) if g[0] else (g[3], g[4] or g[5])
    return _to_mm(value, unit, default_unit), match.group(0).strip()


def wall_facts(prompt: str, extents: Extents, holes: Sequence[float]) -> list[Fact]:
    """A tube's stated wall against its round extent and its bore: (outside - bore) / 2."""
    said = stated_wall(prompt)
    if said is None or _several_bodies(prompt):
        return []
    wall, text = said
    round_pairs = [a for a, b in itertools.pairwise(extents) if _close(a, b, 0.02)]
    if not round_pairs:
        return []  # not round: the kind of part says what is wrong
    outside = max(round_pairs)
    bores = [d for d in holes if d < outside - 0.1]
    if bores and abs((outside - max(bores)) / 2 - wall) <= HOLE_TOLERANCE_MM:
        return [Fact(text, "wall", True)]
    got = f"{(outside - max(bores)) / 2:.3g} mm" if bores else "none: no bore"
    off = f"the wall is {got} ({outside:.4g} mm outside)"
    return [Fact(text, "wall", False, off, f"the prompt says {text} but {off}")]


def facts(prompt: str, measured: Mapping[str, Any]) -> list[Fact]:
    """Every fact the prompt states, each met or not by the measured part: overall sizes, lengths
    said with their role, holes (when the part's holes were measured), the kind of part and the
    features asked for."""
    size: Sequence[float] = measured["size"]
    extents: Extents = tuple(sorted((float(s) for s in size), reverse=True))  # type: ignore[assignment]
    found = size_facts(prompt, size)
    found += length_facts(prompt, extents)
    holes = measured.get("holes")
    if holes is not None:
        found += hole_facts(prompt, [float(d) for d in holes])
        found += wall_facts(prompt, extents, [float(d) for d in holes])
    found += kind_facts(prompt, extents, measured)
    found += feature_facts(prompt, measured)
    return found


def check(prompt: str, measured: Mapping[str, Any]) -> list[str]:
    """Every mismatch between the prompt and the measured part, as sentences."""
    return problems(facts(prompt, measured))
