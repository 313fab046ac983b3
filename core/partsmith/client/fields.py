"""Which of a part's parameters a front end shows, and which count now: one rule for Blender's
Parameters box, FreeCAD's property editor and its Edit parameters panel. Standard library only
(copied into both front ends with the client); a spec is what the engine serves for a parameter
(`parameter_specs`: its kind, role, `needs` ...)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def hidden(spec: Mapping[str, Any], value: Any) -> bool:
    """Placement at the origin: not a size anyone asked for (a part placed on purpose keeps its
    coordinates in view)."""
    return (spec.get("role") == "position" and isinstance(value, (int, float))
            and not isinstance(value, bool) and abs(value) < 1e-9)


def counts(spec: Mapping[str, Any], values: Mapping[str, Any]) -> bool:
    """Whether a parameter has any effect with the current choices: one whose spec says it
    `needs` another to hold a value ("when size is custom") counts only while that one does."""
    needs = spec.get("needs")
    if not needs or needs[0] not in values:
        return True
    return str(values[needs[0]]) == str(needs[1])
