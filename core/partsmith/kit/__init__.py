"""Parametric part families in build123d, for generated scripts and the structured route.

    from partsmith.kit import plate
    result = plate(length=40, width=30, thickness=5, hole_diameter=4, holes="corners")

Every family checks its parameters (units and ranges in `FAMILIES[name].schema()`) and raises
a clear error for a value out of range.

Importing the kit loads nothing: its names load on first use. The families load build123d on their
first call and `ops` (what compiled programs call) imports it, so the engine reads `FAMILIES`
without the CAD kernel, and `partsmith.kit.screws` is plain data.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from partsmith.kit import ops
    from partsmith.kit.families import (
        block,
        cylinder,
        enclosure,
        flange,
        hex_bolt,
        hex_nut,
        knob,
        l_bracket,
        plate,
        pulley,
        shaft,
        spur_gear,
        standoff,
        tube,
        u_bracket,
    )
    from partsmith.kit.registry import FAMILIES, Family

__all__ = [
    "FAMILIES", "Family", "block", "cylinder", "enclosure", "flange", "hex_bolt", "hex_nut", "knob",
    "l_bracket", "ops", "plate", "pulley", "shaft", "spur_gear", "standoff", "tube", "u_bracket",
]


def __getattr__(name: str) -> Any:
    """The kit's names on first use: `ops` imports build123d, the families register on import."""
    if name == "ops":
        return importlib.import_module("partsmith.kit.ops")
    if name in ("FAMILIES", "Family"):
        return getattr(importlib.import_module("partsmith.kit.registry"), name)
    if name in __all__:
        return getattr(importlib.import_module("partsmith.kit.families"), name)
    raise AttributeError(f"module 'partsmith.kit' has no attribute {name!r}")
