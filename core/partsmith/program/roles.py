"""What each parameter of a part is, whatever the script calls it: its role.

A plate made by the kit calls its thickness `thickness`; the same plate made as a program calls it
`box_height`; a flange's bolt holes are `bolt_hole_diameter`, a program's `hole_diameter`. Edits
("but 10 mm thick", "holes 6 mm", "twice as long") and the front ends (which hide placement
coordinates) go by the role, read from the name, the unit and the choices.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

# Roles, with what a person calls them.
LENGTH, WIDTH, HEIGHT, THICKNESS, DEPTH = "length", "width", "height", "thickness", "depth"
DIAMETER, HOLE_DIAMETER, BORE, ACROSS = "diameter", "hole diameter", "bore", "across flats"
RADIUS, FILLET, CHAMFER, SPACING, INSET = "radius", "fillet", "chamfer", "spacing", "inset"
PATTERN, COUNTERBORE = "pattern diameter", "counterbore diameter"
COUNT, SIZE, ANGLE, POSITION, OTHER = "count", "size", "angle", "position", "other"

# A metric thread size, as a size choice holds it ("M6").
METRIC_SIZE = re.compile(r"^M\d+(?:\.\d+)?$")


class Described(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def kind(self) -> str: ...

    @property
    def choices(self) -> tuple[str, ...]: ...


def _words(name: str) -> list[str]:
    return [w for w in name.lower().split("_") if w and not w.isdigit()]


# The first rule whose test holds gives the role; tested on the name's words (a `_2` suffix, the
# second body's, is no word).
_RULES: tuple[tuple[str, str], ...] = (
    (POSITION, r"^(?:\w+ )?[xyz]$"),
    (COUNT, r"\b(?:columns|rows|count|sides|teeth|holes|knurls|ridges|number)$"),
    (PATTERN, r"\b(?:circle|pcd|pitch diameter)\b"),
    (COUNTERBORE, r"\b(?:counterbore|countersink) diameter$"),
    (HOLE_DIAMETER, r"\bhole\b.*\bdiameter$|^hole$"),
    (BORE, r"\bbore\b|\binner diameter$|\bshaft diameter$|^id$"),
    (DIAMETER, r"\bdiameter$"),
    (ACROSS, r"\bacross\b"),
    (CHAMFER, r"\bchamfer\b"),
    (FILLET, r"\bfillet\b"),
    (THICKNESS, r"\b(?:thickness|wall)$"),
    (LENGTH, r"\blength$"),
    (WIDTH, r"\bwidth$"),
    (HEIGHT, r"\bheight$"),
    (DEPTH, r"\bdepth$"),
    (RADIUS, r"\bradius$"),
    (SPACING, r"^(?:\w+ )?d[xyz]$|\bspacing$|\bpitch$"),
    (INSET, r"\b(?:offset|inset|margin)(?: [xy])?$"),
    (ANGLE, r"\b(?:angle|rotation)$"),
)


def role_of(param: Described) -> str:
    """The role of one parameter, from its name, kind and choices."""
    if param.kind == "choice":
        return SIZE if any(METRIC_SIZE.match(c) for c in param.choices) else OTHER
    text = " ".join(_words(param.name))
    for role, pattern in _RULES:
        if re.search(pattern, text):
            return role
    if param.kind == "angle":
        return ANGLE
    return OTHER


def first_body_prefix(names: Sequence[str]) -> str:
    """The prefix of a program's first body (`box_` of `box_length`), or "": the first name's
    head when at least three names share it (a body's sizes and its placement do; a kit part's
    plain names, `outer_diameter` or `hole_diameter`, do not)."""
    if not names:
        return ""
    head, sep, _ = names[0].partition("_")
    prefix = head + "_" if sep else ""
    return prefix if prefix and sum(name.startswith(prefix) for name in names) >= 3 else ""
