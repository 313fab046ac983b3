"""Partsmith for FreeCAD: commands, a task panel and a parametric part over the local engine.

FreeCAD's Python never imports build123d or OCP: every CAD operation happens in the engine,
which hands back STEP files; `client.py` (the engine's standard-library client) is copied in by
`build_addon.py`.
"""

from pathlib import Path

RESOURCES = Path(__file__).resolve().parent.parent / "Resources"
