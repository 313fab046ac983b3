"""Example programs the structured route shows the model: short descriptions with their programs.

Written by hand for common parts (never taken from an evaluation set), plus every kit family's own
examples as a one-body program. The router picks the ones nearest a request.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from partsmith.kit.registry import FAMILIES
from partsmith.program.schema import Program, dump, kit_type, parse


@dataclass(frozen=True)
class ProgramExample:
    prompt: str
    program: Program

    @property
    def answer(self) -> str:
        return dump(self.program)


def _pts(*points: tuple[float, float]) -> dict[str, Any]:
    return {"type": "points", "pts": [{"x": x, "y": y} for x, y in points]}


HAND: tuple[tuple[str, list[dict[str, Any]]], ...] = (
    ("a 60 x 40 x 4 mm plate with a 6 mm hole in each corner, 6 mm from the edges",
     [{"type": "box", "l": 60, "w": 40, "h": 4},
      {"type": "hole", "at": {"type": "grid", "nx": 2, "ny": 2, "dx": 48, "dy": 28}, "d": 6}]),
    ("a block 30 x 30 x 12 mm with an M5 counterbored hole in the middle, counterbore 10 mm wide "
     "and 5 mm deep",
     [{"type": "box", "l": 30, "w": 30, "h": 12},
      {"type": "hole", "at": _pts((0, 0)), "m": "M5", "cb_d": 10, "cb_h": 5}]),
    ("a round disc 80 mm across and 6 mm thick with six 5 mm holes on a 60 mm bolt circle",
     [{"type": "cylinder", "d": 80, "h": 6},
      {"type": "hole", "at": {"type": "circle", "n": 6, "d": 60}, "d": 5}]),
    ("a cylinder 25 mm in diameter and 40 mm long with a blind hole 10 mm wide and 15 mm deep in "
     "its top and a 1 mm chamfer on the top edge",
     [{"type": "cylinder", "d": 25, "h": 40},
      {"type": "chamfer", "l": 1, "edges": "top"},
      {"type": "hole", "at": _pts((0, 0)), "d": 10, "depth": 15}]),
    ("a box 70 x 50 x 30 mm hollowed out with 2 mm walls, open at the top",
     [{"type": "box", "l": 70, "w": 50, "h": 30}, {"type": "shell", "t": 2, "open": "top"}]),
    ("a 100 x 60 x 10 mm plate with a rectangular pocket 50 x 30 mm, 4 mm deep, corners rounded 3 mm",
     [{"type": "box", "l": 100, "w": 60, "h": 10},
      {"type": "pocket", "shape": {"type": "rect", "w": 50, "l": 30, "r": 3}, "depth": 4}]),
    ("an L shaped bracket: a base 50 x 30 x 5 mm and an upright 5 mm thick and 40 mm tall at one end",
     [{"type": "box", "l": 50, "w": 30, "h": 5},
      {"type": "box", "l": 5, "w": 30, "h": 40, "x": -22.5}]),
    ("a cube of 40 mm with all edges rounded 3 mm", [{"type": "box", "l": 40, "w": 40, "h": 40},
                                                    {"type": "fillet", "r": 3}]),
    ("a ball 30 mm in diameter", [{"type": "sphere", "d": 30, "z": 15}]),
    ("a ring (torus) 50 mm across the outside and 30 mm across the inside",
     [{"type": "torus", "od": 50, "id": 30}]),
    ("a cone 40 mm wide at the base, 10 mm at the top, 30 mm tall",
     [{"type": "cone", "d1": 40, "d2": 10, "h": 30}]),
    ("a stepped shaft: 30 mm diameter for 20 mm, then 16 mm diameter for 50 mm",
     [{"type": "cylinder", "d": 30, "h": 20},
      {"type": "cylinder", "d": 16, "h": 50, "z": 20},
      {"type": "fillet", "r": 1, "edges": "joint", "of": 1}]),
    ("a 80 x 20 x 8 mm bar with a slot 30 mm long and 6 mm wide through it",
     [{"type": "box", "l": 80, "w": 20, "h": 8},
      {"type": "pocket", "shape": {"type": "slot", "l": 30, "w": 6}}]),
    ("a hexagonal prism 24 mm across flats and 10 mm high",
     [{"type": "prism", "n": 6, "d": 24, "h": 10}]),
    ("a tube 40 mm outside diameter, 32 mm inside, 120 mm long lying along the X axis",
     [{"type": "tube", "od": 40, "id": 32, "h": 120, "axis": "x", "mid": True}]),
    ("a 40 x 40 x 20 mm block with a 10 mm cylinder 15 mm tall standing on top in the centre",
     [{"type": "box", "l": 40, "w": 40, "h": 20},
      {"type": "cylinder", "d": 10, "h": 15, "z": 20}]),
    ("a triangular ramp 60 mm long, 30 mm wide and 20 mm high",
     [{"type": "wedge", "l": 60, "w": 30, "h": 20}]),
    ("a square pyramid, base 50 mm, 40 mm tall", [{"type": "pyramid", "l": 50, "w": 50, "h": 40}]),
    ("a hemisphere 30 mm across", [{"type": "dome", "d": 30}]),
    ("a pill shape 12 mm wide and 40 mm long with round ends",
     [{"type": "capsule", "d": 12, "l": 40}]),
    ("a right triangle plate with legs of 30 and 40 mm, 5 mm thick",
     [{"type": "triangle", "lx": 30, "ly": 40, "h": 5}]),
    ("a 120 x 20 x 20 mm bar with its long edges rounded 3 mm",
     [{"type": "box", "l": 120, "w": 20, "h": 20}, {"type": "fillet", "r": 3, "edges": "long"}]),
    ("a cup: a cylinder 50 mm wide and 60 mm tall with a 44 mm hole 56 mm deep in its top",
     [{"type": "cylinder", "d": 50, "h": 60},
      {"type": "hole", "at": _pts((0, 0)), "d": 44, "depth": 56}]),
)


@lru_cache(maxsize=1)
def examples() -> list[ProgramExample]:
    """Every example, checked against the schema."""
    found = [ProgramExample(text, parse({"features": features})) for text, features in HAND]
    for name, entry in FAMILIES.items():
        for text, params in entry.examples:
            found.append(ProgramExample(text, parse({"features": [{"type": kit_type(name), **params}]})))
    return found
