"""STEP, STL and GLB files of a shape.

STEP is exact and in millimetres. STL is in millimetres. GLB follows the glTF specification:
metres, Y up, so Blender imports the part at its real size with an identity rotation. Each face
is tessellated on its own, so curved faces shade smooth and the edges between faces stay sharp.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import build123d as bd

from partsmith.errors import ExportError

FORMATS = ("step", "stl", "glb")


def export_all(
    shape: bd.Shape[Any], folder: Path, *, linear_tolerance: float, angular_tolerance: float,
    stem: str = "model",
) -> dict[str, Path]:
    """Write `model.step`, `model.stl` and `model.glb` into `folder`. Returns their paths."""
    paths = {fmt: folder / f"{stem}.{fmt}" for fmt in FORMATS}
    writers = {
        "step": lambda: bd.export_step(shape, paths["step"], unit=bd.Unit.MM),
        "stl": lambda: bd.export_stl(
            shape, paths["stl"], tolerance=linear_tolerance, angular_tolerance=angular_tolerance
        ),
        # build123d's export_gltf reports failure by returning False, not by raising.
        "glb": lambda: bd.export_gltf(
            shape, str(paths["glb"]), unit=bd.Unit.MM, binary=True,
            linear_deflection=linear_tolerance, angular_deflection=angular_tolerance,
        ),
    }
    for fmt, write in writers.items():
        try:
            ok = write()
        except OSError as exc:
            raise ExportError(f"writing the {fmt.upper()} file failed: {exc}") from None
        if ok is False or not paths[fmt].exists() or paths[fmt].stat().st_size == 0:
            raise ExportError(
                f"writing the {fmt.upper()} file failed",
                hint="the disk may be full, or the shape could not be tessellated",
            )
    return paths
