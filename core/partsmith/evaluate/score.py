"""How close a made part is to its reference: validity, bounding box (sorted extents, within
1 mm), volume (within 2 %), component count, and after alignment the volume IoU (on a shared voxel
grid) and the Chamfer distance (between surface samples).

PASS is CadQueryEval's own criterion: the part is valid, has the expected number of pieces where
the task gives it, and its bounding box is within 1 mm AND its volume within 2 % of the
reference's. A right outline with missing holes does not pass; the bounding box alone is a hint.

Alignment: both parts are centred on their bounding boxes; of the 24 right-angle orientations,
those that bring the extents closest are tried, and the best IoU wins. A model is free to build a
part along any axis; the shape is what is scored.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

BBOX_TOLERANCE_MM = 1.0
VOLUME_TOLERANCE = 0.02
GRID = 72  # voxels along the largest extent
# Chamfer distance: sparse queries against dense clouds, so two copies of one surface come out
# near 0 (a sampling floor of about 0.1 mm on a 40 mm part) rather than at the sample spacing.
QUERIES = 4000
DENSE = 60000


@dataclass
class Score:
    passed: bool = False
    made: bool = False
    valid: bool = False
    bbox_ok: bool = False
    volume_ok: bool = False
    components_ok: bool | None = None
    iou: float | None = None
    chamfer_mm: float | None = None
    size: list[float] | None = None
    reference_size: list[float] | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def passes(row: dict[str, Any], volume_known: bool = True) -> bool:
    """CadQueryEval's PASS for a scored row (a `Score.to_dict()`, or a row of an older run that
    has the same fields): valid, the pieces right where counted, bounding box and volume within
    tolerance. `volume_known`: the task has a reference volume (a task given by its bounding box
    alone is judged on that)."""
    return bool(row.get("made") and row.get("valid") and row.get("bbox_ok")
                and (row.get("volume_ok") or not volume_known) and row.get("components_ok") is not False)


def _rotations() -> list[npt.NDArray[np.float64]]:
    found = []
    for order in itertools.permutations(range(3)):
        for signs in itertools.product((1, -1), repeat=3):
            matrix = np.zeros((3, 3))
            for row, (column, sign) in enumerate(zip(order, signs, strict=True)):
                matrix[row, column] = sign
            if np.linalg.det(matrix) > 0:
                found.append(matrix)
    return found


ROTATIONS = _rotations()


def _load(path: Path) -> Any:
    import trimesh

    mesh = trimesh.load_mesh(path, file_type="stl")
    mesh.apply_translation(-mesh.bounds.mean(axis=0))
    return mesh


def _cells(mesh: Any, pitch: float) -> npt.NDArray[np.float64]:
    """Centres of the voxels inside the mesh."""
    grid = mesh.voxelized(pitch).fill()
    return np.asarray(grid.points, dtype=np.float64)


def _keys(points: npt.NDArray[np.float64], pitch: float) -> set[tuple[int, int, int]]:
    return {(int(a), int(b), int(c)) for a, b, c in np.round(points / pitch).astype(np.int64).tolist()}


def compare(made_stl: Path, reference_stl: Path) -> tuple[float, float]:
    """(IoU, Chamfer distance in mm) after the best right-angle alignment."""
    from scipy.spatial import cKDTree

    made, reference = _load(made_stl), _load(reference_stl)
    made_size, reference_size = made.extents, reference.extents
    pitch = float(max(reference_size.max(), made_size.max())) / GRID
    made_cells, reference_keys = _cells(made, pitch), _keys(_cells(reference, pitch), pitch)
    ranked = sorted(ROTATIONS, key=lambda r: float(np.abs(np.abs(r @ made_size) - reference_size).sum()))
    best_iou, best_rotation = -1.0, ranked[0]
    for rotation in ranked[:4]:
        keys = _keys(made_cells @ rotation.T, pitch)
        union = len(keys | reference_keys)
        iou = len(keys & reference_keys) / union if union else 0.0
        if iou > best_iou:
            best_iou, best_rotation = iou, rotation
    made_dense = np.asarray(made.sample(DENSE), dtype=np.float64) @ best_rotation.T
    reference_dense = np.asarray(reference.sample(DENSE), dtype=np.float64)
    there = cKDTree(reference_dense).query(made_dense[:QUERIES])[0]
    back = cKDTree(made_dense).query(reference_dense[:QUERIES])[0]
    chamfer = float((there.mean() + back.mean()) / 2)
    return best_iou, chamfer


def score(made: dict[str, Any] | None, reference_stl: Path | None, target_box: tuple[float, ...] | None,
          components: int | None) -> Score:
    """`made`: the measurements and files of the part (None when no part was made)."""
    result = Score()
    reference_volume = None
    reference_size: list[float] | None = sorted(target_box) if target_box else None
    if reference_stl is not None:
        reference = _load(reference_stl)
        reference_size = sorted(float(v) for v in reference.extents)
        reference_volume = float(abs(reference.volume))
    result.reference_size = [round(v, 3) for v in reference_size] if reference_size else None
    if made is None:
        return result
    result.made = True
    result.valid = bool(made.get("valid", True)) and made.get("solids", 1) >= 1
    size = sorted(float(v) for v in made["size"])
    result.size = [round(v, 3) for v in size]
    if reference_size:
        result.bbox_ok = all(abs(a - b) <= BBOX_TOLERANCE_MM
                             for a, b in zip(size, reference_size, strict=True))
    if reference_volume:
        error = abs(float(made["volume"]) - reference_volume)
        result.volume_ok = error <= VOLUME_TOLERANCE * reference_volume
    if components is not None:
        result.components_ok = int(made.get("solids", 1)) == int(components)
    if reference_stl is not None and made.get("stl"):
        result.iou, result.chamfer_mm = compare(Path(made["stl"]), reference_stl)
        result.iou = round(result.iou, 4)
        result.chamfer_mm = round(result.chamfer_mm, 4)
    result.passed = passes(result.to_dict(), volume_known=reference_volume is not None)
    return result
