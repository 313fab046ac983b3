"""Prompts for the code route: a compact build123d guide, the kit's API, examples, repairs."""

from __future__ import annotations

from collections.abc import Sequence

from partsmith.generate.examples import CodeExample
from partsmith.kit.registry import FAMILIES

GUIDE = """You write build123d Python scripts that build one mechanical part.
Rules:
- Units are millimetres. Z is up.
- Start with the imports, then every dimension as a named top-level assignment of a number,
  with a comment giving its unit: `length = 40  # mm`. Use these names below; no other literals
  for sizes.
- The finished part must be assigned to a variable named `result`.
- Only import build123d, math and partsmith.kit. No files, no printing, no other modules.
Patterns that work (algebra mode):
    from build123d import *
    plate = Box(40, 30, 5)                                   # centred on the origin
    plate -= Pos(10, 5, 0) * Cylinder(radius=2, height=5)    # a through hole
    plate = fillet(plate.edges().filter_by(Axis.Z), radius=3)
    plate = chamfer(plate.edges().group_by(Axis.Z)[-1], length=1)
    ring = extrude(Circle(20) - Circle(10), amount=5)
    bent = revolve(Plane.XZ * Polyline((0, 0), (10, 0), (10, 5), (0, 5), close=True), Axis.Z)
Builder mode:
    with BuildPart() as part:
        Box(40, 30, 5)
        with Locations((0, 0, 2.5)):
            with GridLocations(30, 20, 2, 2):
                Hole(radius=2)
    result = part.part
Common mistakes: Cylinder and Hole take a radius, not a diameter; Box is centred (use
align=(Align.CENTER, Align.CENTER, Align.MIN) to sit on Z = 0); fillet radii must be smaller than
the faces they round; `extrude` needs a face or sketch, not a wire.
"""


def kit_reference() -> str:
    lines = ["Ready-made parametric parts in partsmith.kit (return a Part; combine them freely):"]
    for entry in FAMILIES.values():
        names = ", ".join(entry.model.model_fields)
        lines.append(f"- {entry.name}({names}): {entry.summary}")
    return "\n".join(lines)


def system_prompt(examples: Sequence[CodeExample] = ()) -> str:
    """The guide and the kit (the same for every request, so its tokens are reused from the KV
    cache), then the example scripts nearest the request."""
    shown = "".join(f"\n\nExample: {e.prompt}\n```python\n{e.code.strip()}\n```" for e in examples)
    return f"{GUIDE}\n{kit_reference()}\n\nAnswer with the complete script in one ```python block.{shown}"


def repair_message(error: str, line: int | None, source_line: str | None) -> str:
    where = f"\nThe failing line {line}: {source_line}" if line and source_line else ""
    return (
        f"Running the script failed: {error}{where}\n"
        "Fix it and answer with the complete corrected script in one ```python block."
    )
