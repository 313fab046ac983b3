"""Changes to an earlier part that name its parameters: "but 60 mm long", "thickness 3",
"8 mm thick and 50 wide". These are applied to the script's own parameters without a model.

Every number in the request must land on exactly one parameter; otherwise (new features, vague
words, a number we cannot place) the request goes to the model.
"""

from __future__ import annotations

import re
from typing import Any

from partsmith.prompt.dimensions import NUMBER, UNIT, UNITS, parse_number

# Words people use for a size, and the parameter-name stems they mean, best first.
WORDS: dict[str, tuple[str, ...]] = {
    "long": ("length",), "length": ("length",), "longer": ("length",),
    "wide": ("width",), "width": ("width",), "wider": ("width",),
    "thick": ("thickness", "wall"), "thickness": ("thickness", "wall"),
    "tall": ("height",), "high": ("height",), "height": ("height",), "taller": ("height",),
    "deep": ("depth", "height"), "depth": ("depth",),
    "diameter": ("outer_diameter", "diameter"), "across": ("diameter", "across_flats"),
    "od": ("outer_diameter",), "id": ("inner_diameter",),
    "bore": ("bore", "bore_diameter", "inner_diameter"),
    "hole": ("hole_diameter",), "holes": ("hole_diameter",),
    "teeth": ("teeth",), "module": ("module",), "wall": ("wall", "thickness"),
    "radius": ("radius", "corner_radius"), "fillet": ("fillet", "fillet_radius"),
    "chamfer": ("chamfer",),
}
_WORD = "|".join(sorted(WORDS, key=len, reverse=True))
# "60 mm long", "60mm wide", "6 mm holes" ...
AFTER = re.compile(rf"{NUMBER}\s*{UNIT}\s*(?P<word>{_WORD})\b", re.IGNORECASE)
# "length 60", "length of 60 mm", "thickness = 3", "width to 50"
BEFORE = re.compile(rf"\b(?P<word>{_WORD})\s*(?:of|to|=|:|is)?\s*{NUMBER}\s*{UNIT}", re.IGNORECASE)
# A parameter named outright: "hole_edge_offset=6", "teeth 24".
NAMED = re.compile(rf"\b(?P<name>[a-z][a-z0-9_]*)\s*(?:=|:|to|of)?\s*{NUMBER}\s*{UNIT}", re.IGNORECASE)
FILLER = re.compile(
    r"\b(?:but|and|with|make|made|it|its|the|a|an|same|as|before|like|last|one|mm|please|instead|"
    r"now|change|set|to|of|is|be|more|less|only|just)\b|[,.;:=!]", re.IGNORECASE)


def _parameter(word: str, params: dict[str, Any]) -> str | None:
    """The one numeric parameter a size word means here, if exactly one fits."""
    numeric = [name for name, value in params.items()
               if isinstance(value, (int, float)) and not isinstance(value, bool)]
    for stem in WORDS[word.lower()]:
        exact = [name for name in numeric if name == stem]
        if exact:
            return exact[0]
        partial = [name for name in numeric if stem in name]
        if len(partial) == 1:
            return partial[0]
    if word.lower() in THICKNESS:
        return _thinnest_height(params, numeric)
    return None


# Words for a part's thickness: a plate or a block made as a box has no `thickness` parameter; its
# thickness is its first body's height when that is the body's smallest side.
THICKNESS = ("thick", "thickness")


def _thinnest_height(params: dict[str, Any], numeric: list[str]) -> str | None:
    """The first body's height (`height`, `box_height` ...) when it is smaller than the body's
    length and width: what "10 mm thick" means for a plate. None when the first body is taller."""
    for name in numeric:
        if name == "height" or name.endswith("_height"):
            prefix = name[: -len("height")]
            sides = [params.get(f"{prefix}length"), params.get(f"{prefix}width")]
            if all(isinstance(v, (int, float)) and params[name] <= v for v in sides):
                return name
            return None
    return None


def _value(number: str, unit: str | None, current: Any) -> float | int:
    value = parse_number(number) * UNITS.get((unit or "mm").lower(), 1.0)
    return int(value) if isinstance(current, int) and value.is_integer() else value


def named_changes(request: str, params: dict[str, Any]) -> dict[str, float | int] | None:
    """The parameter values the request sets, or None when it asks for more than that."""
    changes: dict[str, float | int] = {}
    rest = request
    for pattern in (AFTER, BEFORE, NAMED):
        for match in pattern.finditer(rest):
            groups = match.groupdict()
            if "name" in groups:
                name = groups["name"] if groups["name"] in params else None
            else:
                name = _parameter(groups["word"], params)
            if name is None:
                continue
            numbers = [g for g in match.groups() if g and re.fullmatch(NUMBER, g)]
            units = [g for g in match.groups() if g and g.lower() in UNITS]
            number, unit = numbers[0], (units[0] if units else None)
            changes[name] = _value(number, unit, params[name])
            rest = rest.replace(match.group(0), " ", 1)
    if not changes or re.search(r"\d", rest) or FILLER.sub(" ", rest).strip():
        return None
    return changes
