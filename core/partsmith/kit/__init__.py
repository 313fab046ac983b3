"""Parametric part families in build123d, for generated scripts and the structured route.

    from partsmith.kit import plate
    result = plate(length=40, width=30, thickness=5, hole_diameter=4, holes="corners")

Every family checks its parameters (units and ranges in `FAMILIES[name].schema()`) and raises
a clear error for a value out of range.
"""

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
