"""Changes to an earlier part said in a person's words: "but 60 mm long", "10 mm thick", "twice as
long", "20 % wider", "5 mm longer", "holes 6 mm", "M10 instead", "thickness 3". Each is applied
to the script's own parameters without a model, found by its role (partsmith.program.roles)
whatever the part calls it: a plate's thickness is `thickness` in the kit and `box_height` in a
program.

Every number in the request must land on exactly one parameter; otherwise (new features, vague
words, a number we cannot place) the request goes to the model.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from partsmith.program import roles as r
from partsmith.program.params import Parameter
from partsmith.prompt.dimensions import COUNTS, NUMBER, UNIT, UNITS, parse_number, stated_sizes, two_diameters

# Words people use for a size, and the roles they mean, best first.
WORDS: dict[str, tuple[str, ...]] = {
    "long": (r.LENGTH, r.HEIGHT), "length": (r.LENGTH, r.HEIGHT),
    "wide": (r.WIDTH, r.DIAMETER), "width": (r.WIDTH, r.DIAMETER),
    "thick": (r.THICKNESS,), "thickness": (r.THICKNESS,),
    "tall": (r.HEIGHT,), "high": (r.HEIGHT,), "height": (r.HEIGHT,),
    "deep": (r.DEPTH, r.HEIGHT), "depth": (r.DEPTH,),
    "diameter": (r.DIAMETER,), "across": (r.DIAMETER, r.ACROSS), "od": (r.DIAMETER,),
    "id": (r.BORE,), "bore": (r.BORE,),
    "hole": (r.HOLE_DIAMETER,), "holes": (r.HOLE_DIAMETER,),
    "wall": (r.THICKNESS,), "walls": (r.THICKNESS,),
    "radius": (r.RADIUS, r.FILLET), "fillet": (r.FILLET,), "fillets": (r.FILLET,),
    "chamfer": (r.CHAMFER,), "chamfers": (r.CHAMFER,),
}
# Comparatives: the size word they change and the direction.
COMPARATIVES: dict[str, tuple[str, int]] = {
    "longer": ("long", 1), "shorter": ("long", -1), "wider": ("wide", 1), "narrower": ("wide", -1),
    "thicker": ("thick", 1), "thinner": ("thick", -1), "taller": ("tall", 1), "higher": ("tall", 1),
    "deeper": ("deep", 1), "shallower": ("deep", -1),
}
FACTORS = {"twice": 2.0, "double": 2.0, "half": 0.5, "thrice": 3.0, "three times": 3.0}
_WORD = "|".join(sorted(WORDS, key=len, reverse=True))
_COMPARATIVE = "|".join(COMPARATIVES)
_FACTOR = "|".join(sorted(FACTORS, key=len, reverse=True))
# "60 mm long", "60mm wide", "6 mm holes" ...
AFTER = re.compile(rf"{NUMBER}\s*{UNIT}\s*(?P<word>{_WORD})\b", re.IGNORECASE)
# "length 60", "length of 60 mm", "thickness = 3", "width to 50"
BEFORE = re.compile(rf"\b(?P<word>{_WORD})\s*(?:of|to|=|:|is)?\s*{NUMBER}\s*{UNIT}", re.IGNORECASE)
# "twice as long", "half as thick", "1.5 times as wide", "double the length"
TIMES = re.compile(rf"\b(?:(?P<factor>{_FACTOR})|{NUMBER}\s*(?:x|times))\s+(?:as\s+(?P<word>{_WORD})"
                   rf"(?:\s+as\s+(?:before|it\s+is|now))?|(?:the\s+)?(?P<noun>{_WORD}))\b", re.IGNORECASE)
# "20 % longer", "20 percent wider"
PERCENT = re.compile(rf"{NUMBER}\s*(?:%|percent|per\s+cent)\s*(?P<comparative>{_COMPARATIVE})\b",
                     re.IGNORECASE)
# "5 mm longer", "longer by 5 mm"
BY = re.compile(rf"{NUMBER}\s*{UNIT}\s*(?P<comparative>{_COMPARATIVE})\b"
                rf"|\b(?P<comparative2>{_COMPARATIVE})\s+by\s+{NUMBER}\s*{UNIT}", re.IGNORECASE)
# "M10 instead", "make it M10", "for M10 screws"
SIZE = re.compile(r"\b(?P<size>M\d+(?:\.\d+)?)\b", re.IGNORECASE)
# A parameter named outright: "hole_edge_offset=6", "teeth 24".
NAMED = re.compile(rf"\b(?P<name>[a-z][a-z0-9_]*)\s*(?:=|:|to|of)?\s*{NUMBER}\s*{UNIT}", re.IGNORECASE)
FILLER = re.compile(
    r"\b(?:but|and|with|make|made|it|its|the|a|an|same|as|before|like|last|one|mm|please|instead|"
    r"now|change|set|to|of|is|be|more|less|only|just|size|for|screws?|bolts?|nuts?|use|it's|that|"
    r"this|part|than|was)\b|[,.;:=!']", re.IGNORECASE)


def _numeric(params: Sequence[Parameter]) -> list[Parameter]:
    return [p for p in params if isinstance(p.value, (int, float)) and not isinstance(p.value, bool)]


def _by_role(role: str, params: Sequence[Parameter]) -> Parameter | None:
    """The one parameter of a role: the only one, or the one named for it, or the first body's."""
    found = [p for p in _numeric(params) if p.role == role]
    if len(found) == 1:
        return found[0]
    named = [p for p in found if p.name == role.replace(" ", "_")]
    if len(named) == 1:
        return named[0]
    prefix = r.first_body_prefix([p.name for p in params])
    first = [p for p in found if prefix and p.name.startswith(prefix)]
    return first[0] if len(first) == 1 else None


def _thinnest_height(params: Sequence[Parameter]) -> Parameter | None:
    """A plate or block made as a box has no thickness parameter: its thickness is its first
    body's height when that is the body's smallest side. None when the first body is taller."""
    values = {p.name: p.value for p in params}
    for param in _numeric(params):
        if param.role == r.HEIGHT:
            prefix = param.name[: -len("height")]
            sides = [values.get(f"{prefix}length"), values.get(f"{prefix}width")]
            if all(isinstance(v, (int, float)) and param.value <= v for v in sides):  # type: ignore[operator]
                return param
            return None
    return None


def parameter_for(word: str, params: Sequence[Parameter]) -> Parameter | None:
    """The one numeric parameter a size word means in this part, if exactly one fits."""
    wanted = WORDS[word.lower()]
    for role in wanted:
        found = _by_role(role, params)
        if found is not None:
            return found
    if r.THICKNESS in wanted:
        return _thinnest_height(params)
    return None


def _length(number: str, unit: str | None) -> float:
    return parse_number(number) * UNITS.get((unit or "mm").lower(), 1.0)


def _fit(value: float, current: object) -> float | int:
    value = round(value, 6)
    return int(value) if isinstance(current, int) and value.is_integer() else value


def _numbers(match: re.Match[str]) -> list[str]:
    return [g for g in match.groups() if g and re.fullmatch(NUMBER, g)]


def _length_in(match: re.Match[str]) -> float:
    """The size a match states, in mm (its first number, in its unit)."""
    units = [g for g in match.groups() if g and g.lower() in UNITS]
    return _length(_numbers(match)[0], units[0] if units else None)


def named_changes(request: str, params: Sequence[Parameter]) -> dict[str, float | int | str] | None:
    """The parameter values the request sets, or None when it asks for more than that."""
    changes: dict[str, float | int | str] = {}
    rest = request
    values = {p.name: p for p in params}

    def take(match: re.Match[str], param: Parameter | None, value: float | str | None) -> None:
        nonlocal rest
        if param is None or value is None:
            return
        changes[param.name] = value if isinstance(value, str) else _fit(value, param.value)
        rest = rest.replace(match.group(0), " ", 1)

    for match in list(TIMES.finditer(rest)):
        word = match["word"] or match["noun"]
        param = parameter_for(word, params)
        factor = FACTORS[match["factor"].lower()] if match["factor"] else parse_number(_numbers(match)[0])
        take(match, param, float(param.value) * factor if param else None)
    for match in list(PERCENT.finditer(rest)):
        word, sign = COMPARATIVES[match["comparative"].lower()]
        param = parameter_for(word, params)
        take(match, param, float(param.value) * (1 + sign * parse_number(_numbers(match)[0]) / 100)
             if param else None)
    for match in list(BY.finditer(rest)):
        word, sign = COMPARATIVES[(match["comparative"] or match["comparative2"]).lower()]
        param = parameter_for(word, params)
        take(match, param, float(param.value) + sign * _length_in(match) if param else None)
    for match in list(SIZE.finditer(rest)):
        size = match["size"].upper()
        chosen = [p for p in params if p.role == r.SIZE and size in p.choices]
        take(match, chosen[0] if len(chosen) == 1 else None, size)
    for pattern in (AFTER, BEFORE, NAMED):
        for match in list(pattern.finditer(rest)):
            groups = match.groupdict()
            if "name" in groups:
                param = values.get(groups["name"])
                if param is None or isinstance(param.value, (bool, str)):
                    continue
            else:
                param = parameter_for(groups["word"], params)
            take(match, param, _length_in(match) if param else None)
    if not changes or re.search(r"\d", rest) or FILLER.sub(" ", rest).strip():
        return None
    if any(isinstance(v, (int, float)) and v <= 0 for v in changes.values()):
        return None  # "10 mm shorter" than a 5 mm part is not a size: let the model say so
    for name in list(changes):  # "13 mm across flats" on an M8 nut: a custom nut, or it does nothing
        needs = values[name].needs
        if needs is not None and needs[0] in values and needs[0] not in changes \
                and values[needs[0]].value != needs[1]:
            changes[needs[0]] = needs[1]
    return changes



_OUTER = re.compile(r"\b(?:outer|outside|external|overall)\s+(?=diameter)", re.IGNORECASE)
# "10 mm in diameter" (but the "in" of "2 in diameter" is the unit).
_IN = re.compile(r"(mm|cm|inch(?:es)?|\")\s+in\s+(diameter|length)\b", re.IGNORECASE)
_OD = re.compile(r"\b(?:o\.d\.|od)(?!\w)", re.IGNORECASE)
_FLATS = re.compile(r"\bacross\s+(?:the\s+)?flats\b|\ba/f\b", re.IGNORECASE)
_HOLE_COUNT = re.compile(rf"^\s*(?:\d+|{'|'.join(COUNTS)})\s+(?:x\s*)?(?=.*\bholes?\b)", re.IGNORECASE)


def size_words(said: str) -> str:
    """A size a prompt states, in the words an edit reads: "10 mm outer diameter" is "10 mm
    diameter", "2 in OD" is "2 in diameter", "13 mm across flats" is "13 mm across", "four 6 mm
    holes" is "6 mm holes" (a count is not a size)."""
    plain = _FLATS.sub("across", _OD.sub("diameter", _IN.sub(r"\1 \2", _OUTER.sub("", said))))
    return _HOLE_COUNT.sub("", plain)


_TUBE = re.compile(r"(?:tubes?|tubing|pipes?)\s*$", re.IGNORECASE)


def edit_words(said: str, about: str, default: str | None = None) -> list[str]:
    """A fact's size as edits to try, best first: "60 x 40 x 5 mm" (as people order them: length,
    width, then height or thickness) is "60 mm long, 40 mm wide, 5 mm tall", then "... 5 mm
    thick"; a cube's side is its three sizes; "25x2 tube" is its outside diameter (the wall is a
    fact of its own); "16/12 x 20" is a diameter and a length; a length or a hole size is its own
    words. A bare number is in `default` (the prompt's unit, see `dimensions.default_unit`)."""
    if about != "size":
        return [size_words(said)]
    found = stated_sizes(said, default)
    if not found:
        return []
    sizes = found[0].sizes
    if len(sizes) == 2 and _TUBE.search(said):
        return [f"{sizes[0]:g} mm diameter"]
    if len(sizes) == 2 and two_diameters(said):
        return [f"{sizes[0]:g} mm diameter, {sizes[1]:g} mm long"]
    named = [f"{sizes[0]:g} mm long", f"{sizes[1]:g} mm wide"]
    if len(sizes) == 2:
        return [", ".join(named)]
    return [", ".join([*named, f"{sizes[2]:g} mm {last}"]) for last in ("tall", "thick")]
