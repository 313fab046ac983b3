"""What a script returned, turned into one build123d shape, checked and measured.

Runs where build123d is loaded (the sandbox worker); the engine itself only sees the numbers.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import build123d as bd
from OCP.BRep import BRep_Tool
from OCP.BRepAdaptor import BRepAdaptor_Surface
from OCP.BRepClass3d import BRepClass3d_SolidClassifier
from OCP.GeomAbs import GeomAbs_Cone, GeomAbs_Cylinder
from OCP.gp import gp_Pnt
from OCP.TopAbs import TopAbs_IN

from partsmith.errors import InvalidGeometry, NoResult

# Below this smallest extent a part is probably a mistake (a sheet, a sketch extruded by 0).
THIN_MM = 0.05
# Above this largest extent the units were probably wrong (metres or inches taken for mm).
HUGE_MM = 10_000.0


@dataclass(frozen=True)
class Measurements:
    bbox_min: tuple[float, float, float]
    bbox_max: tuple[float, float, float]
    size: tuple[float, float, float]
    volume: float
    area: float
    solids: int
    faces: int
    edges: int
    # Diameters of the round holes, one per hole (a counterbored hole counts once, by its
    # narrowest bore), in mm, smallest first.
    holes: tuple[float, ...] = ()
    # Features a prompt can ask for, counted so the engine can check them: holes with a wider
    # coaxial bore (counterbores), holes with a cone at their mouth (countersinks), rounded
    # slot ends (half-round walls around material-free space) and cut-outs that are not round
    # (non-circular openings in a flat face; a through cut shows on both of its faces).
    counterbores: int = 0
    countersinks: int = 0
    slot_ends: int = 0
    cutouts: int = 0
    # Every round hole's diameters, narrowest first (a counterbored hole: its bore, then its
    # counterbore), one tuple per hole.
    bores: tuple[tuple[float, ...], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _topods_of(obj: Any) -> list[Any]:
    """The OCCT shapes inside a build123d or CadQuery object (or a list of them)."""
    if obj is None:
        return []
    if isinstance(obj, (list, tuple)):
        return [shape for item in obj for shape in _topods_of(item)]
    if isinstance(obj, bd.Builder):
        return _topods_of(obj._obj)
    if hasattr(obj, "vals") and callable(obj.vals):  # a CadQuery Workplane
        return _topods_of(list(obj.vals()))
    if isinstance(obj, bd.Shape):
        return [obj.wrapped] if obj.wrapped is not None else []
    wrapped = getattr(obj, "wrapped", None)  # a CadQuery Shape: the same OCCT underneath
    if wrapped is not None and type(wrapped).__module__.startswith("OCP"):
        return [wrapped]
    return []


def to_shape(obj: Any, name: str = "result") -> bd.Shape[Any]:
    """One build123d shape from what the script produced."""
    shapes = _topods_of(obj)
    if not shapes:
        kind = type(obj).__name__
        raise NoResult(
            f"`{name}` is a {kind}, not a shape",
            hint="assign the finished part to `result` (a build123d Part or a CadQuery Workplane)",
        )
    if len(shapes) == 1:
        return bd.Shape.cast(shapes[0])
    return bd.Compound([bd.Shape.cast(s) for s in shapes])


def measure(shape: bd.Shape[Any]) -> Measurements:
    box = shape.bounding_box()
    bores = _bores(shape)
    return Measurements(
        bbox_min=(box.min.X, box.min.Y, box.min.Z),
        bbox_max=(box.max.X, box.max.Y, box.max.Z),
        size=(box.size.X, box.size.Y, box.size.Z),
        volume=float(shape.volume),
        area=float(shape.area),
        solids=len(shape.solids()),
        faces=len(shape.faces()),
        edges=len(shape.edges()),
        holes=tuple(_narrowest(bores)),
        bores=_each_bore(bores),
        counterbores=sum(1 for radii in bores.values() if len(radii) > 1),
        countersinks=_countersinks(shape),
        slot_ends=_slot_ends(shape),
        cutouts=_cutouts(shape),
    )


def _each_bore(bores: dict[tuple[float, ...], list[float]]) -> tuple[tuple[float, ...], ...]:
    return tuple(sorted(tuple(sorted({round(d, 3) for d in found})) for found in bores.values()))


def _narrowest(bores: dict[tuple[float, ...], list[float]]) -> list[float]:
    return sorted(round(min(diameters), 3) for diameters in bores.values())


def _inner_walls(shape: bd.Shape[Any], kind: Any) -> list[tuple[tuple[float, ...], float, float]]:
    """Faces of one surface kind (cylinder or cone) with material outside them, i.e. the walls
    of a hole rather than the skin of a boss: (axis key, radius at the probe, angular span)."""
    walls = []
    for solid in shape.solids():
        classifier = BRepClass3d_SolidClassifier(solid.wrapped)
        for face in solid.faces():
            surface = BRepAdaptor_Surface(face.wrapped)
            if surface.GetType() != kind:
                continue
            axis = (surface.Cylinder() if kind == GeomAbs_Cylinder else surface.Cone()).Axis()
            u0, u1 = surface.FirstUParameter(), surface.LastUParameter()
            v = (surface.FirstVParameter() + surface.LastVParameter()) / 2
            point = surface.Value((u0 + u1) / 2, v)
            origin, direction = axis.Location(), axis.Direction()
            along = (point.X() - origin.X()) * direction.X() + (point.Y() - origin.Y()) * direction.Y() + (
                point.Z() - origin.Z()) * direction.Z()
            foot = [origin.X() + along * direction.X(), origin.Y() + along * direction.Y(),
                    origin.Z() + along * direction.Z()]
            radius = math.dist((point.X(), point.Y(), point.Z()), foot)
            if radius < 1e-6:
                continue
            radial = [(point.X() - foot[0]) / radius, (point.Y() - foot[1]) / radius,
                      (point.Z() - foot[2]) / radius]
            step = min(0.01, radius / 10)
            probe = gp_Pnt(point.X() + radial[0] * step, point.Y() + radial[1] * step,
                           point.Z() + radial[2] * step)
            classifier.Perform(probe, 1e-6)
            if classifier.State() != TopAbs_IN:
                continue  # material inside: a boss, a shaft or an outside chamfer, not a hole
            key = _axis_key(foot, [direction.X(), direction.Y(), direction.Z()])
            walls.append((key, radius, u1 - u0))
    return walls


def _bores(shape: bd.Shape[Any]) -> dict[tuple[float, ...], list[float]]:
    """Full round bores by axis: each axis with the diameters of the bores along it."""
    spans: dict[tuple[float, ...], float] = {}
    for key, radius, span in _inner_walls(shape, GeomAbs_Cylinder):
        full_key = (*key, round(radius, 3))
        spans[full_key] = spans.get(full_key, 0.0) + span
    full = 2 * math.pi - 1e-3
    bores: dict[tuple[float, ...], list[float]] = {}
    for key, span in spans.items():
        if span >= full:
            bores.setdefault(key[:-1], []).append(2 * key[-1])
    return bores


def _countersinks(shape: bd.Shape[Any]) -> int:
    """Axes with a cone-shaped hole wall: a countersink (or a chamfered hole mouth)."""
    return len({key for key, _, _ in _inner_walls(shape, GeomAbs_Cone)})


def _slot_ends(shape: bd.Shape[Any]) -> int:
    """Half-round hole walls (half a turn in all about one axis): the rounded ends of slots. A
    round hole whose wall the kernel split in two halves adds up to a full turn, and is not one."""
    spans: dict[tuple[float, ...], float] = {}
    for key, radius, span in _inner_walls(shape, GeomAbs_Cylinder):
        full_key = (*key, round(radius, 3))
        spans[full_key] = spans.get(full_key, 0.0) + span
    return sum(1 for span in spans.values() if abs(span - math.pi) < 0.05)


def _cutouts(shape: bd.Shape[Any]) -> int:
    """Openings in flat faces that are not round: rectangular slots, windows, cut-outs."""
    count = 0
    for face in shape.faces():
        if face.geom_type != bd.GeomType.PLANE:
            continue
        for wire in face.inner_wires():
            edges = wire.edges()
            if not all(edge.geom_type == bd.GeomType.CIRCLE for edge in edges):
                count += 1
    return count


def _axis_key(foot: list[float], direction: list[float]) -> tuple[float, ...]:
    """The same line in space gives the same key, whichever way its direction points."""
    if next(c for c in direction if abs(c) > 1e-9) < 0:
        direction = [-c for c in direction]
    # The point of the line nearest the origin.
    dot = sum(f * d for f, d in zip(foot, direction, strict=True))
    nearest = [f - dot * d for f, d in zip(foot, direction, strict=True)]
    return tuple(round(c, 2) + 0.0 for c in (*nearest, *direction))


def validate(shape: bd.Shape[Any]) -> tuple[Measurements, list[str]]:
    """Check that `shape` is a valid closed solid. Returns its measurements and any warnings."""
    solids = shape.solids()
    if not solids:
        kind = type(shape).__name__
        raise InvalidGeometry(
            f"the result is a {kind} with no solid in it",
            hint="extrude or revolve sketches and faces into a solid",
        )
    if not shape.is_valid:
        raise InvalidGeometry(
            "the result is not a valid solid (the CAD kernel's check failed)",
            hint="this often follows a boolean of touching or coincident faces; "
            "change a dimension slightly or build the part in fewer steps",
        )
    for solid in solids:
        if not all(BRep_Tool.IsClosed_s(shell.wrapped) for shell in solid.shells()):
            raise InvalidGeometry("the result has an open shell: it does not enclose a volume")
    measured = measure(shape)
    if measured.volume <= 0:
        raise InvalidGeometry("the result has no volume", hint="check that the solid is not inside out")
    warnings: list[str] = []
    if measured.solids > 1:
        warnings.append(f"the part is {measured.solids} separate solids, not one")
    if min(measured.size) < THIN_MM:
        warnings.append(f"the part is only {min(measured.size):.3g} mm thick somewhere")
    if max(measured.size) > HUGE_MM:
        warnings.append(
            f"the part is {max(measured.size) / 1000:.3g} m long: check the units (millimetres)"
        )
    return measured, warnings
