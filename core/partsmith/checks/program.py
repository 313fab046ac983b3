"""Checks a program makes possible: what each feature asked for against the part that was made.

A program says how many holes of which diameter it drills, which of them are counterbored, how
deep its pockets go and how far its bodies reach; the sandbox measures the part (its bounding box
and its round holes, each with its diameters along its axis) and says which entries changed
nothing. Each mismatch becomes one sentence
naming the feature, for the repair loop and the user's warnings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from partsmith.kit import screws
from partsmith.program import schema as s

DIAMETER_TOLERANCE_MM = 0.05
BBOX_TOLERANCE_MM = 1.0
AXIS_OF_FACE = {"top": 2, "bottom": 2, "front": 1, "back": 1, "left": 0, "right": 0}


def label(index: int, feature: BaseModel) -> str:
    return f"features[{index}] ({feature.type})"  # type: ignore[attr-defined]


def hole_diameter(hole: s.Hole) -> float:
    if hole.m != "none":
        return screws.drill(hole.m, hole.fit)
    return hole.d


def point_count(at: BaseModel) -> int:
    if isinstance(at, s.Points):
        return len(at.pts)
    if isinstance(at, s.Grid):
        return at.nx * at.ny
    if isinstance(at, (s.BoltCircle, s.Row)):
        return at.n
    raise TypeError(type(at).__name__)


def check(program: s.Program, measurements: Mapping[str, Any], idle: Sequence[int] = ()) -> list[str]:
    """Problems between what `program` asks for and the part measured (`measurements` as the
    sandbox reports them: size, holes, bores; `idle`: the entries that changed nothing)."""
    size = [float(v) for v in measurements.get("size") or (0.0, 0.0, 0.0)]
    holes = [float(d) for d in measurements.get("holes") or ()]
    bores = [tuple(float(d) for d in bore) for bore in measurements.get("bores") or ()]
    problems: list[str] = []
    problems += _holes(program, holes, bores)
    problems += _depths(program, size)
    problems += _extent(program, size)
    problems += idle_problems(program, idle)
    return problems


def idle_problems(program: s.Program, idle: Sequence[int]) -> list[str]:
    """Each feature should change the part: one that joins only what is there already (a boss
    or a body inside the part, a copy onto itself) is a size or a position the model got wrong."""
    return [f"{label(i, program.features[i])} changes nothing: it lies inside the part; "
            "check its size and position"
            for i in idle if 0 <= i < len(program.features)]


def _near(a: float, b: float) -> bool:
    return abs(a - b) <= DIAMETER_TOLERANCE_MM


def _holes(program: s.Program, holes: Sequence[float], bores: Sequence[tuple[float, ...]]) -> list[str]:
    problems = []
    asked: dict[float, list[tuple[int, s.Hole]]] = {}
    for index, feature in enumerate(program.features):
        if isinstance(feature, s.Hole):
            asked.setdefault(round(hole_diameter(feature), 3), []).append((index, feature))
    found = ", ".join(f"{d:.3g}" for d in holes) or "none"
    for diameter, entries in asked.items():
        wanted = sum(point_count(hole.at) for _, hole in entries)
        have = sum(1 for d in holes if _near(d, diameter))
        if have < wanted:
            names = ", ".join(label(i, f) for i, f in entries)
            problems.append(f"{names}: {wanted} hole(s) of {diameter:g} mm asked for, the part has "
                            f"{have} (round holes found, mm: {found}); a hole that breaks out of "
                            "the part or misses it does not count")
        for index, hole in entries:
            if hole.cb_d > 0 and hole.cb_h > 0:
                counterbored = sum(1 for bore in bores if _near(bore[0], diameter)
                                   and any(_near(d, hole.cb_d) for d in bore[1:]))
                count = point_count(hole.at)
                if counterbored < count:
                    problems.append(f"{label(index, hole)}: {count} counterbore(s) of {hole.cb_d:g} mm "
                                    f"asked for, the part has {counterbored}")
    return problems


def _depths(program: s.Program, size: Sequence[float]) -> list[str]:
    """A blind depth that reaches through the part (or a counterbore as deep as it is thick)."""
    problems = []
    for index, feature in enumerate(program.features):
        if isinstance(feature, s.Shell) and 2 * feature.t >= min(size):
            problems.append(f"{label(index, feature)}: walls {feature.t:g} mm thick leave no room "
                            "inside the part")
        depths: list[tuple[str, float]] = []
        if isinstance(feature, (s.Hole, s.Pocket)) and feature.depth > 0:
            depths.append(("depth", feature.depth))
        if isinstance(feature, s.Hole) and feature.cb_d > 0:
            depths.append(("counterbore depth", feature.cb_h))
        if not depths:
            continue
        face: str = feature.face  # type: ignore[attr-defined]
        thick = size[AXIS_OF_FACE[face]]
        for what, depth in depths:
            if depth >= thick - 1e-6:
                problems.append(f"{label(index, feature)}: {what} {depth:g} mm reaches through the "
                                f"part ({thick:.4g} mm from {face} to the far side); use depth 0 for a "
                                "through cut, or less")
    return problems


def _extent(program: s.Program, size: Sequence[float]) -> list[str]:
    """The bounding box the bodies span, when the program says it exactly, against the part."""
    expected = expected_box(program)
    if expected is None:
        return []
    spans = [hi - lo for lo, hi in zip(expected[0], expected[1], strict=True)]
    if all(abs(a - b) <= BBOX_TOLERANCE_MM for a, b in zip(spans, size, strict=True)):
        return []
    said = " x ".join(f"{v:.4g}" for v in spans)
    made = " x ".join(f"{v:.4g}" for v in size)
    return [f"the bodies span {said} mm (X x Y x Z) but the part measures {made} mm: a feature "
            "removed or added more than the program says"]


def expected_box(program: s.Program) -> tuple[list[float], list[float]] | None:
    """The box the program's bodies fill, or None when features may move it (cut bodies, copies,
    bosses, kit parts, profiles, turned bodies)."""
    low, high = [float("inf")] * 3, [float("-inf")] * 3
    for feature in program.features:
        if isinstance(feature, (s.Mirror, s.Linear, s.Polar, s.Boss, s.Rib)):
            return None
        if not s.is_body(feature):
            continue
        if feature.op != "add" or feature.rot:  # type: ignore[attr-defined]
            return None
        local = _local_box(feature)
        if local is None:
            return None
        box = _placed(local, feature)
        for axis in range(3):
            low[axis] = min(low[axis], box[0][axis])
            high[axis] = max(high[axis], box[1][axis])
    return low, high


def _local_box(f: BaseModel) -> tuple[list[float], list[float]] | None:
    """A primitive's box in its own frame (base centre at the origin, along +Z)."""
    if isinstance(f, s.Box):
        return [-f.l / 2, -f.w / 2, 0.0], [f.l / 2, f.w / 2, f.h]
    if isinstance(f, s.Cylinder):
        return [-f.d / 2, -f.d / 2, 0.0], [f.d / 2, f.d / 2, f.h]
    if isinstance(f, s.Tube):
        return [-f.od / 2, -f.od / 2, 0.0], [f.od / 2, f.od / 2, f.h]
    if isinstance(f, s.Cone):
        r = max(f.d1, f.d2) / 2
        return [-r, -r, 0.0], [r, r, f.h]
    if isinstance(f, s.Sphere):
        return [-f.d / 2] * 3, [f.d / 2] * 3
    if isinstance(f, s.Torus):
        section = (f.od - f.id) / 4
        return [-f.od / 2, -f.od / 2, -section], [f.od / 2, f.od / 2, section]
    if isinstance(f, s.Wedge):
        return [-f.l / 2, -f.w / 2, 0.0], [f.l / 2, f.w / 2, f.h]
    return None


def _placed(local: tuple[list[float], list[float]], f: BaseModel) -> tuple[list[float], list[float]]:
    lo, hi = list(local[0]), list(local[1])
    if f.mid:  # type: ignore[attr-defined]
        shift = (lo[2] + hi[2]) / 2
        lo[2], hi[2] = lo[2] - shift, hi[2] - shift
    # Where local X, Y, Z go for each axis (as ops.place turns them), with their signs.
    turns = {"z": ((0, 1), (1, 1), (2, 1)), "-z": ((0, 1), (1, -1), (2, -1)),
             "x": ((2, -1), (1, 1), (0, 1)), "-x": ((2, 1), (1, 1), (0, -1)),
             "y": ((0, 1), (2, -1), (1, 1)), "-y": ((0, 1), (2, 1), (1, -1))}
    out_lo, out_hi = [0.0] * 3, [0.0] * 3
    for local_axis, (target, sign) in enumerate(turns[f.axis]):  # type: ignore[attr-defined]
        a, b = lo[local_axis] * sign, hi[local_axis] * sign
        out_lo[target], out_hi[target] = min(a, b), max(a, b)
    origin = (f.x, f.y, f.z)  # type: ignore[attr-defined]
    moved_lo = [v + o for v, o in zip(out_lo, origin, strict=True)]
    return moved_lo, [v + o for v, o in zip(out_hi, origin, strict=True)]
