"""ISO metric screws: the one table of their hole sizes (clearance and tapping drills), for the
kit, the program, the checks and the training data alike. Plain data: it loads no CAD kernel.
(The nut and bolt families keep their head sizes, ISO 4032 / 4017, with their geometry.)
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Screw:
    """Hole diameters for one nominal size, in mm: ISO 273 clearance holes (medium and coarse
    series) and the ISO coarse-thread tapping drill."""

    clearance: float
    coarse: float
    tap: float


SCREWS: dict[str, Screw] = {
    "M1.6": Screw(1.8, 2.0, 1.25), "M2": Screw(2.4, 2.6, 1.6), "M2.5": Screw(2.9, 3.1, 2.05),
    "M3": Screw(3.4, 3.6, 2.5), "M4": Screw(4.5, 4.8, 3.3), "M5": Screw(5.5, 5.8, 4.2),
    "M6": Screw(6.6, 7.0, 5.0), "M8": Screw(9.0, 10.0, 6.8), "M10": Screw(11.0, 12.0, 8.5),
    "M12": Screw(13.5, 14.5, 10.2), "M16": Screw(17.5, 18.5, 14.0), "M20": Screw(22.0, 24.0, 17.5),
    "M24": Screw(26.0, 28.0, 21.0),
}


def drill(size: str, fit: str = "clearance") -> float:
    """The drill for a screw: its medium clearance hole, or its tapping drill (`fit="tap"`)."""
    if size not in SCREWS:
        raise ValueError(f"unknown metric size {size!r}; known: {', '.join(SCREWS)}")
    screw = SCREWS[size]
    return screw.tap if fit == "tap" else screw.clearance
