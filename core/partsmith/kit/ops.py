"""The operations a compiled part program calls: bodies, placement, and features on faces and edges.

A part program (`partsmith.program`) compiles to a short script of calls to this module, so the
script stays readable and its head literals stay the program's sizes. Every operation knows which
entry of the program it carries out (`index`, `kind`), and a failure raises `FeatureError` naming
that entry, `features[2] (fillet): ...`, which the repair loop sends back to the model.

Conventions (millimetres, Z up): a body is built along its own +Z with the centre of its base at
the origin (a sphere or a torus: its centre), then turned so that +Z points along `axis`, spun by
`rot` degrees about that axis, and moved to (x, y, z). A face feature works on one of the six
sides of the part (top +Z, bottom -Z, right +X, left -X, back +Y, front -Y) at points given in that
side's own two coordinates: top and bottom (X, Y), front and back (X, Z), left and right (Y, Z).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import build123d as bd
from OCP.BRepExtrema import BRepExtrema_DistShapeShape
from OCP.gp import gp_Dir, gp_Lin, gp_Pnt
from OCP.IntCurvesFace import IntCurvesFace_ShapeIntersector

from partsmith.errors import FailedFeature
from partsmith.kit import screws

Point = tuple[float, float]
Vec3 = tuple[float, float, float]

# Outward normal, first and second in-plane axis of each side.
FACES: dict[str, tuple[Vec3, Vec3, Vec3]] = {
    "top": ((0, 0, 1), (1, 0, 0), (0, 1, 0)),
    "bottom": ((0, 0, -1), (1, 0, 0), (0, 1, 0)),
    "right": ((1, 0, 0), (0, 1, 0), (0, 0, 1)),
    "left": ((-1, 0, 0), (0, 1, 0), (0, 0, 1)),
    "back": ((0, 1, 0), (1, 0, 0), (0, 0, 1)),
    "front": ((0, -1, 0), (1, 0, 0), (0, 0, 1)),
}
AXES: dict[str, Vec3] = {
    "z": (0, 0, 1), "-z": (0, 0, -1), "x": (1, 0, 0), "-x": (-1, 0, 0), "y": (0, 1, 0), "-y": (0, -1, 0),
}
TOL = 1e-3


def kernel_said(exc: BaseException) -> str:
    """The CAD kernel's own words for a failure, kept inside ours: its type and message."""
    text = " ".join(str(exc).split())[:200]
    return f"the kernel said: {type(exc).__name__}{': ' + text if text else ''}"


class FeatureError(ValueError):
    """A program entry that cannot be built; the message starts with the entry it names.

    `feature` is (index, kind, reason) once the entry is known: the engine reads these fields, not
    the message, to know which feature failed (it may build the part without it).
    """

    def __init__(self, message: str, feature: FailedFeature | None = None) -> None:
        super().__init__(message)
        self.feature = feature


# ---------------------------------------------------------------------------------------------
# 2D shapes, in the XY plane, centred on the origin.


def rect(width: float, length: float, radius: float = 0.0) -> bd.Face:
    """A rectangle `width` along X, `length` along Y, corners rounded by `radius` (0: sharp)."""
    face = bd.Rectangle(width, length)
    if radius > 0:
        if radius >= min(width, length) / 2:
            raise ValueError(f"a corner radius of {radius:g} mm does not fit a {width:g} x {length:g} mm "
                             "rectangle (it must be under half the shorter side)")
        face = bd.fillet(face.vertices(), radius=radius)
    return _face(face)


def circle(diameter: float) -> bd.Face:
    return _face(bd.Circle(diameter / 2))


def slot(length: float, width: float) -> bd.Face:
    """A slot (a stadium) along X: `length` between the centres of its round ends, `width` across."""
    return _face(bd.SlotCenterToCenter(length, width))


def polygon(sides: int, diameter: float, across: str = "flats") -> bd.Face:
    """A regular polygon, `diameter` across its flats or across its corners, a flat along X: its
    bottom side lies along X for every number of sides, so an octagon 50 across flats is 50 x 50
    (build123d puts a corner on +X, which for 4, 8, 12 ... sides puts corners on both axes)."""
    sides = int(sides)
    if sides < 3:
        raise ValueError(f"a polygon needs at least 3 sides, not {sides}")
    turn = (180 / sides - 90) % (360 / sides)  # the corners either side of -Y, a flat between
    return _face(bd.RegularPolygon(diameter / 2, sides, major_radius=across == "corners", rotation=turn))


def path(start: Point, segments: Sequence[tuple[str, float, float, float]]) -> bd.Face:
    """A closed outline from `start` through straight lines `("line", x, y, 0)` and circular arcs
    `("arc", x, y, r)` (r > 0 bulges to the right of the direction of travel, r < 0 to the left).
    The outline closes back to `start` with a straight line."""
    edges: list[bd.Edge] = []
    here = bd.Vector(start[0], start[1], 0)
    points = [(kind, bd.Vector(x, y, 0), r) for kind, x, y, r in segments]
    if (points[-1][1] - here).length > TOL:
        points.append(("line", here, 0.0))
    for kind, there, radius in points:
        if (there - here).length < TOL:
            continue
        if kind == "arc" and radius != 0:
            if abs(radius) < (there - here).length / 2 - TOL:
                raise ValueError(f"an arc of radius {abs(radius):g} mm cannot span "
                                 f"{(there - here).length:g} mm")
            edges.append(bd.RadiusArc(here, there, radius))
        else:
            edges.append(bd.Line(here, there))
        here = there
    if len(edges) < 2:
        raise ValueError("the outline needs at least two segments")
    return bd.Face(bd.Wire(edges))


def _face(sketch: Any) -> bd.Face:
    faces = sketch.faces()
    return faces[0] if len(faces) == 1 else bd.Face(faces[0].outer_wire())


# ---------------------------------------------------------------------------------------------
# Bodies, each along +Z with the centre of its base at the origin.


def box(length: float, width: float, height: float) -> bd.Part:
    return bd.Box(length, width, height, align=(bd.Align.CENTER, bd.Align.CENTER, bd.Align.MIN))


def cylinder(diameter: float, height: float) -> bd.Part:
    return bd.Cylinder(diameter / 2, height, align=(bd.Align.CENTER, bd.Align.CENTER, bd.Align.MIN))


def sphere(diameter: float) -> bd.Part:
    """Centred on the origin."""
    return bd.Sphere(diameter / 2)


def cone(bottom_diameter: float, top_diameter: float, height: float) -> bd.Part:
    return bd.Cone(bottom_diameter / 2, top_diameter / 2, height,
                   align=(bd.Align.CENTER, bd.Align.CENTER, bd.Align.MIN))


def tube(outer_diameter: float, inner_diameter: float, height: float) -> bd.Part:
    if inner_diameter >= outer_diameter:
        raise ValueError(f"the inner diameter {inner_diameter:g} mm must be less than the outer "
                         f"{outer_diameter:g} mm")
    return cylinder(outer_diameter, height) - cylinder(inner_diameter, height)


def torus(outer_diameter: float, inner_diameter: float, wall: float = 0.0) -> bd.Part:
    """A ring in the XY plane centred on the origin, `outer_diameter` and `inner_diameter` across
    the whole ring; `wall` > 0 makes its section a pipe with that wall thickness."""
    if inner_diameter >= outer_diameter:
        raise ValueError(f"the inner diameter {inner_diameter:g} mm must be less than the outer "
                         f"{outer_diameter:g} mm")
    major, minor = (outer_diameter + inner_diameter) / 4, (outer_diameter - inner_diameter) / 4
    ring = bd.Torus(major, minor)
    if wall > 0:
        if wall >= minor:
            raise ValueError(f"a wall of {wall:g} mm does not fit a ring section {2 * minor:g} mm across")
        ring = ring - bd.Torus(major, minor - wall)
    return ring


def wedge(length: float, width: float, height: float, top: float = 0.0) -> bd.Part:
    """A ramp: `length` along X at the bottom, `top` along X at the top (0: a sharp edge), the
    vertical side at -X, `width` along Y."""
    if top > length:
        raise ValueError(f"the top length {top:g} mm must not exceed the bottom length {length:g} mm")
    x0 = -length / 2
    points = [(x0, 0.0), (x0 + length, 0.0), (x0 + top, height), (x0, height)]
    if top <= TOL:
        points = points[:2] + points[3:]
    outline = bd.Plane.XZ * bd.Face(bd.Wire.make_polygon([bd.Vector(x, y, 0) for x, y in points], close=True))
    return bd.extrude(outline, amount=width / 2, both=True)


def prism(sides: int, diameter: float, height: float, across: str = "flats") -> bd.Part:
    return bd.extrude(polygon(sides, diameter, across), amount=height)


def extrusion(shape: bd.Face, height: float) -> bd.Part:
    return bd.extrude(shape, amount=height)


def revolution(profile: bd.Face, angle: float = 360.0) -> bd.Part:
    """`profile` drawn with X as the distance from the Z axis and Y as the height, turned about Z."""
    standing = bd.Plane.XZ * profile
    if standing.bounding_box().min.X < -TOL:
        raise ValueError("a revolved profile must stay on one side of the axis (x >= 0)")
    return bd.revolve(standing, bd.Axis.Z, revolution_arc=angle)


def loft(bottom: bd.Face, top: bd.Face, height: float) -> bd.Part:
    return bd.loft([bottom, bd.Pos(0, 0, height) * top])


# ---------------------------------------------------------------------------------------------
# Points of hole patterns, in a side's two coordinates.


def pyramid(length: float, width: float, height: float, top_length: float = 0.0,
            top_width: float = 0.0) -> bd.Part:
    """A rectangular pyramid: base `length` along X and `width` along Y, apex `height` above its
    centre; with a top (`top_length` and `top_width` > 0) a frustum, a tapered block."""
    base = rect(width=length, length=width)
    if (top_length > TOL) != (top_width > TOL):
        raise ValueError("a tapered block's top needs both its length and its width (both 0: a point)")
    if top_length > TOL:
        return bd.loft([base, bd.Pos(0, 0, height) * rect(width=top_length, length=top_width)])
    return bd.loft([base, bd.Vertex(0, 0, height)])


def dome(diameter: float, height: float = 0.0) -> bd.Part:
    """A spherical cap standing on its flat base, `diameter` across the base, `height` tall (0: a
    hemisphere, `diameter` / 2 tall)."""
    radius = diameter / 2
    height = height if height > TOL else radius
    if height > 2 * radius * 10:
        raise ValueError(f"a dome {height:g} mm tall on a {diameter:g} mm base is no cap of a sphere")
    sphere_radius = (radius * radius + height * height) / (2 * height)
    ball = bd.Pos(0, 0, height - sphere_radius) * bd.Sphere(sphere_radius)
    side = 2 * sphere_radius + 1.0
    keep = bd.Box(side, side, height + 1.0, align=(bd.Align.CENTER, bd.Align.CENTER, bd.Align.MIN))
    return ball & keep


def capsule(diameter: float, length: float) -> bd.Part:
    """A cylinder with hemispherical ends, `length` overall along Z (at least `diameter`), standing
    on the tip of its lower end."""
    if length < diameter - TOL:
        raise ValueError(f"a capsule {length:g} mm long cannot be {diameter:g} mm across: its length "
                         "is overall, ends included")
    radius = diameter / 2
    straight = length - diameter
    ends = bd.Pos(0, 0, radius) * bd.Sphere(radius)
    if straight <= TOL:
        return ends
    ends += bd.Pos(0, 0, radius + straight) * bd.Sphere(radius)
    return ends + bd.Pos(0, 0, radius) * cylinder(diameter, straight)


def right_triangle(leg_x: float, leg_y: float, height: float) -> bd.Part:
    """A right-triangle plate: the right angle at the origin, legs `leg_x` along +X and `leg_y`
    along +Y, `height` thick along Z."""
    outline = bd.Face(bd.Wire.make_polygon([bd.Vector(0, 0, 0), bd.Vector(leg_x, 0, 0),
                                            bd.Vector(0, leg_y, 0)], close=True))
    return bd.extrude(outline, amount=height)


def grid(x: float, y: float, columns: int, rows: int, dx: float, dy: float) -> list[Point]:
    """`columns` x `rows` points `dx` and `dy` apart, centred on (x, y)."""
    columns, rows = int(columns), int(rows)
    return [(x + (i - (columns - 1) / 2) * dx, y + (j - (rows - 1) / 2) * dy)
            for j in range(rows) for i in range(columns)]


def bolt_circle(x: float, y: float, count: int, diameter: float, start: float = 0.0) -> list[Point]:
    """`count` points evenly on a circle of `diameter` about (x, y), the first at `start` degrees."""
    count = int(count)
    return [(x + diameter / 2 * math.cos(math.radians(start + 360 * i / count)),
             y + diameter / 2 * math.sin(math.radians(start + 360 * i / count))) for i in range(count)]


def row(x: float, y: float, count: int, dx: float, dy: float) -> list[Point]:
    """`count` points from (x, y) in steps of (dx, dy)."""
    return [(x + i * dx, y + i * dy) for i in range(int(count))]


def metric(size: str, fit: str = "clearance") -> float:
    """The drill diameter for an ISO metric screw: its clearance hole or its tapping drill."""
    return screws.drill(size, fit)


# ---------------------------------------------------------------------------------------------
# Placement.


def _orient(shape: Any, axis: str) -> Any:
    if axis == "z":
        return shape
    turns = {"-z": bd.Rot(180, 0, 0), "x": bd.Rot(0, 90, 0), "-x": bd.Rot(0, -90, 0),
             "y": bd.Rot(-90, 0, 0), "-y": bd.Rot(90, 0, 0)}
    if axis not in turns:
        raise ValueError(f"unknown axis {axis!r}; one of: {', '.join(AXES)}")
    return turns[axis] * shape


def place(shape: Any, x: float = 0.0, y: float = 0.0, z: float = 0.0, axis: str = "z",
          rot: float = 0.0, mid: bool = False) -> Any:
    """Turn a body built along +Z to point along `axis`, spin it by `rot` degrees about that axis
    and move its base centre to (x, y, z); `mid`: (x, y, z) is its middle along the axis."""
    if mid:
        box_ = shape.bounding_box()
        shape = bd.Pos(0, 0, -(box_.min.Z + box_.max.Z) / 2) * shape
    if rot:
        shape = bd.Rot(0, 0, rot) * shape
    return bd.Pos(x, y, z) * _orient(shape, axis)


# ---------------------------------------------------------------------------------------------
# The part being built.


def _solid(shape: Any) -> Any:
    """One shape from an operation's result (a boolean may return a list-like ShapeList)."""
    if isinstance(shape, bd.ShapeList):
        return bd.Compound(list(shape)) if len(shape) != 1 else shape[0]
    return shape


def _volume(shape: Any) -> float:
    return float(shape.volume) if shape is not None else 0.0


def _surface(shape: Any) -> Any:
    return bd.Compound(list(shape.faces()))


def _near(point: bd.Vector, surface: Any, tolerance: float = 0.01) -> bool:
    vertex = bd.Vertex(point.X, point.Y, point.Z)
    extrema = BRepExtrema_DistShapeShape(vertex.wrapped, surface.wrapped)
    return bool(extrema.IsDone()) and extrema.Value() <= tolerance


def _on(edge: bd.Edge, surface: Any) -> bool:
    return all(_near(edge.position_at(t), surface) for t in (0.25, 0.5, 0.75))


class Part:
    """The part a program builds, one entry at a time.

    Keeps, for each entry, the solid it added or cut (its `tool`, which later entries may name
    with `of=`) and the part before it (for the edges where a body meets the rest). An entry that
    joins or intersects without changing the part (a boss inside it, a mirrored copy of a
    symmetric body) is listed in `idle`: it builds, and the engine's checks say it did nothing.
    A cut that cuts nothing fails, as it always means a misplaced tool."""

    def __init__(self) -> None:
        self.shape: Any = None
        self.tools: dict[int, tuple[Any, str]] = {}
        self.before: dict[int, Any] = {}
        self.idle: list[int] = []

    # --- running one entry --------------------------------------------------------------------

    def _run(self, index: int, kind: str, action: Callable[[], None]) -> None:
        label = f"features[{index}] ({kind})"
        kind = kind.split()[0]  # a fillet's label says its size and edges; its kind is the first word
        self.before[index] = self.shape
        try:
            action()
        except FeatureError as exc:
            raise FeatureError(f"{label}: {exc}", FailedFeature(index, kind, str(exc))) from None
        except Exception as exc:  # noqa: BLE001 - the kernel's failures come in many types
            text = str(exc).strip() or type(exc).__name__
            raise FeatureError(f"{label}: {text}", FailedFeature(index, kind, text)) from None
        if self.shape is None or not self.shape.solids():
            raise FeatureError(f"{label}: leaves no solid", FailedFeature(index, kind, "leaves no solid"))

    def _need(self) -> Any:
        if self.shape is None:
            raise FeatureError("there is no body before it: start the program with a body")
        return self.shape

    def _apply(self, index: int, tool: Any, op: str) -> None:
        tool = _solid(tool)
        self.tools[index] = (tool, op)
        if op == "add" and self.shape is None:
            self.shape = tool
            return
        current = self._need()
        before = _volume(current)
        if op == "add":
            self.shape = _solid(current + tool)
        else:
            self.shape = _solid(current - tool if op == "cut" else current & tool)
        if abs(before - _volume(self.shape)) < 1e-6 * max(before, 1.0):
            if op == "cut":
                raise FeatureError("cuts nothing: it does not reach the part; check its position")
            self.idle.append(index)

    # --- bodies -------------------------------------------------------------------------------

    def body(self, index: int, kind: str, make: Callable[[], Any], *, op: str = "add",
             x: float = 0.0, y: float = 0.0, z: float = 0.0, axis: str = "z", rot: float = 0.0,
             mid: bool = False) -> None:
        """A body, placed, then joined to (`add`), cut from (`cut`) or intersected with
        (`intersect`) what came before."""
        if op != "add" and self.shape is None:
            self._run(index, kind, lambda: self._need())
        self._run(index, kind, lambda: self._apply(index, place(make(), x, y, z, axis, rot, mid), op))

    # --- features on a side -------------------------------------------------------------------

    def _frame(self, face: str) -> tuple[bd.Vector, bd.Vector, bd.Vector]:
        if face not in FACES:
            raise FeatureError(f"unknown face {face!r}; one of: {', '.join(FACES)}")
        n, u, v = (bd.Vector(*c) for c in FACES[face])
        return n, u, v

    def _extent(self, n: bd.Vector) -> tuple[float, float]:
        """The part's lowest and highest coordinate along `n`."""
        box_ = self._need().bounding_box()
        corners = [bd.Vector(cx, cy, cz) for cx in (box_.min.X, box_.max.X)
                   for cy in (box_.min.Y, box_.max.Y) for cz in (box_.min.Z, box_.max.Z)]
        along = [c.dot(n) for c in corners]
        return min(along), max(along)

    def _surface_at(self, face: str, a: float, b: float) -> tuple[bd.Vector, bool]:
        """Where a line along the side's normal through (a, b) first meets the part, and whether
        it meets it at all (else: the plane of the part's outermost extent)."""
        n, u, v = self._frame(face)
        low, high = self._extent(n)
        start = u * a + v * b + n * (high + 10)
        intersector = IntCurvesFace_ShapeIntersector()
        intersector.Load(self._need().wrapped, 1e-6)
        line = gp_Lin(gp_Pnt(start.X, start.Y, start.Z), gp_Dir(-n.X, -n.Y, -n.Z))
        intersector.Perform(line, 0.0, high - low + 20)
        hits = [intersector.WParameter(i) for i in range(1, intersector.NbPnt() + 1)]
        if hits:
            return start - n * min(hits), True
        return u * a + v * b + n * high, False

    def _tool(self, face: str, profile: bd.Face, a: float, b: float, angle: float, depth: float,
              rise: float = 1.0, surface: bd.Vector | None = None) -> Any:
        """`profile` placed on the side at (a, b), from `rise` outside the surface to `depth`
        inside it (depth 0: through the whole part)."""
        n, u, _ = self._frame(face)
        if surface is None:
            surface, _ = self._surface_at(face, a, b)
        if depth <= 0:
            low, _ = self._extent(n)
            depth = surface.dot(n) - low + 1.0
        plane = bd.Plane(origin=surface + n * rise, x_dir=u, z_dir=n)
        flipped = plane.y_dir.dot(self._frame(face)[2]) < 0
        turned = bd.Rot(0, 0, -angle if flipped else angle) * profile
        return bd.Solid.extrude(plane * turned, n * -(depth + rise))

    def _check_fits(self, face: str, size: float, what: str) -> None:
        _, u, v = self._frame(face)
        box_ = self._need().bounding_box()
        spans = [abs((box_.max - box_.min).dot(axis)) for axis in (u, v)]
        if size >= min(spans) - TOL:
            raise FeatureError(f"{what} {size:g} mm is larger than the {face} face "
                               f"({spans[0]:g} x {spans[1]:g} mm)")

    def hole(self, index: int, *, face: str = "top", points: Iterable[Point], diameter: float,
             depth: float = 0.0, counterbore: tuple[float, float] = (0.0, 0.0),
             countersink: tuple[float, float] = (0.0, 90.0)) -> None:
        """Round holes at `points` on a side, `depth` deep (0: through), with an optional
        counterbore (diameter, depth) or countersink (diameter, included angle)."""
        def action() -> None:
            where = list(points)
            if not where:
                raise FeatureError("has no points")
            self._check_fits(face, diameter, "the hole diameter")
            cb_d, cb_depth = counterbore
            cs_d, cs_angle = countersink
            if cb_d > 0 and cb_d <= diameter:
                raise FeatureError(f"the counterbore diameter {cb_d:g} mm must exceed the hole's "
                                   f"{diameter:g} mm")
            if cs_d > 0 and cs_d <= diameter:
                raise FeatureError(f"the countersink diameter {cs_d:g} mm must exceed the hole's "
                                   f"{diameter:g} mm")
            tools = []
            for a, b in where:
                surface, hit = self._surface_at(face, a, b)
                if not hit:
                    raise FeatureError(f"the hole at ({a:g}, {b:g}) misses the part on its {face} face")
                tool = self._tool(face, circle(diameter), a, b, 0, depth, surface=surface)
                if cb_d > 0 and cb_depth > 0:
                    tool = tool + self._tool(face, circle(cb_d), a, b, 0, cb_depth, surface=surface)
                if cs_d > 0:
                    n, u, _ = self._frame(face)
                    sink = (cs_d - diameter) / 2 / math.tan(math.radians(cs_angle) / 2)
                    cone_ = bd.Solid.make_cone(diameter / 2, cs_d / 2, sink,
                                               bd.Plane(origin=surface - n * sink, x_dir=u, z_dir=n))
                    tool = tool + cone_ + self._tool(face, circle(cs_d), a, b, 0, TOL, surface=surface)
                tools.append(tool)
            self._apply(index, _union(tools), "cut")
        self._run(index, "hole", action)

    def pocket(self, index: int, *, face: str = "top", shape: Callable[[], bd.Face], x: float = 0.0,
               y: float = 0.0, angle: float = 0.0, depth: float = 0.0) -> None:
        """A cut of `shape()` into a side at (x, y), `depth` deep (0: through)."""
        def action() -> None:
            self._need()
            self._apply(index, self._tool(face, shape(), x, y, angle, depth), "cut")
        self._run(index, "pocket", action)

    def boss(self, index: int, *, face: str = "top", shape: Callable[[], bd.Face], x: float = 0.0,
             y: float = 0.0, angle: float = 0.0, height: float = 1.0) -> None:
        """`shape()` raised `height` out of a side at (x, y)."""
        def action() -> None:
            n, u, _ = self._frame(face)
            surface, _ = self._surface_at(face, x, y)
            plane = bd.Plane(origin=surface - n * 0.01, x_dir=u, z_dir=n)
            flipped = plane.y_dir.dot(self._frame(face)[2]) < 0
            turned = bd.Rot(0, 0, -angle if flipped else angle) * shape()
            self._apply(index, bd.Solid.extrude(plane * turned, n * (height + 0.01)), "add")
        self._run(index, "boss", action)

    def rib(self, index: int, *, face: str = "top", start: Point, end: Point, thickness: float,
            height: float) -> None:
        """A wall `thickness` thick from `start` to `end` on a side, `height` high."""
        def action() -> None:
            dx, dy = end[0] - start[0], end[1] - start[1]
            length = math.hypot(dx, dy)
            if length < TOL:
                raise FeatureError("its start and end are the same point")
            angle = math.degrees(math.atan2(dy, dx))
            mid = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
            n, u, v = self._frame(face)
            surfaces = [self._surface_at(face, *p)[0].dot(n) for p in (start, mid, end)]
            base = min(surfaces)
            plane = bd.Plane(origin=u * mid[0] + v * mid[1] + n * (base - 0.01), x_dir=u, z_dir=n)
            flipped = plane.y_dir.dot(v) < 0
            wall = bd.Rot(0, 0, -angle if flipped else angle) * rect(length, thickness)
            solid = bd.Solid.extrude(plane * wall, n * (height + 0.01))
            # A rib ends at the part's outline, as a CAD rib tool extends its sketch to the
            # boundary: "a rib down the middle" is the part's length, whatever ends were said.
            trimmed = _solid(solid & self._footprint(n, height + 1.0))
            if _volume(trimmed) < TOL:
                raise FeatureError(f"it lies outside the part's {face} side; check its start and end")
            self._apply(index, trimmed, "add")
        self._run(index, "rib", action)

    def _footprint(self, n: bd.Vector, rise: float) -> Any:
        """The part's bounding box, grown `rise` beyond it along `n`: where a feature standing
        on that side may be."""
        box_ = self._need().bounding_box()
        low = bd.Vector(*(min(a, a + g) for a, g in zip(box_.min, n * rise, strict=True)))
        high = bd.Vector(*(max(a, a + g) for a, g in zip(box_.max, n * rise, strict=True)))
        size = high - low
        return bd.Pos(*low) * bd.Box(size.X, size.Y, size.Z, align=(bd.Align.MIN,) * 3)

    def ledge(self, index: int, *, face: str = "top", width: float, depth: float) -> None:
        """Cut a step `width` wide and `depth` deep all round the outline of a side."""
        def action() -> None:
            n, _, _ = self._frame(face)
            part = self._need()
            _, high = self._extent(n)
            outermost = [f for f in part.faces() if abs(f.center().dot(n) - high) < TOL
                         and f.normal_at().dot(n) > 0.99]
            if not outermost:
                raise FeatureError(f"the part has no flat {face} face")
            outer = max(outermost, key=lambda f: f.area)
            inner = bd.offset(bd.Face(outer.outer_wire()), amount=-width)
            if not inner.faces():
                raise FeatureError(f"a step {width:g} mm wide leaves nothing of the {face} face")
            top = bd.Face(outer.outer_wire())
            band = bd.Solid.extrude(bd.Pos(*(n * 1.0)) * top, n * -(depth + 1.0))
            keep = bd.Solid.extrude(bd.Pos(*(n * 1.0)) * inner.faces()[0], n * -(depth + 1.0))
            self._apply(index, band - keep, "cut")
        self._run(index, "ledge", action)

    # --- edges --------------------------------------------------------------------------------

    def edges(self, group: str, of: int | None = None) -> list[bd.Edge]:
        """The part's edges in `group`: all, vertical, horizontal, long (straight, along the longest
        extent), top, bottom, front, back, left, right (the edges on that outermost side), joint
        (where entry `of` meets the part before it); restricted to the edges on entry `of`'s
        surface when `of` is given."""
        part = self._need()
        found = list(part.edges())
        if of is not None:
            if of not in self.tools:
                raise FeatureError(f"features[{of}] made no body or cut to take edges from")
            surface = _surface(self.tools[of][0])
            found = [e for e in found if _on(e, surface)]
            if group == "joint":
                before = self.before.get(of)
                if before is None:
                    raise FeatureError(f"features[{of}] is the first body: it meets nothing")
                previous = _surface(before)
                found = [e for e in found if _on(e, previous)]
        elif group == "joint":
            raise FeatureError("the joint edges need `of`: the entry whose body meets the rest")
        if group in ("all", "joint"):
            return found
        if group == "vertical":
            return [e for e in found if e.geom_type == bd.GeomType.LINE
                    and abs(abs((e.end_point() - e.start_point()).normalized().Z) - 1) < 1e-6]
        if group == "horizontal":
            return [e for e in found if e.bounding_box().size.Z < TOL]
        if group == "long":  # straight edges along the longest extent (of entry `of`, when given)
            size = (self.tools[of][0] if of is not None else part).bounding_box().size
            longest = max(range(3), key=lambda i: (size.X, size.Y, size.Z)[i])
            along = [(e, tuple((e.end_point() - e.start_point()).normalized())) for e in found
                     if e.geom_type == bd.GeomType.LINE]
            return [e for e, direction in along if abs(abs(direction[longest]) - 1) < 1e-6]
        if group not in FACES:
            raise FeatureError(f"unknown edge group {group!r}")
        n = bd.Vector(*FACES[group][0])
        if not found:
            return []
        high = max(_far(e, n) for e in found)
        return [e for e in found if _far(e, n) > high - 0.01 and _far(e, -n) < -high + 0.01]

    def fillet(self, index: int, *, radius: float, edges: str = "all", of: int | None = None) -> None:
        self._round(index, "fillet", radius, edges, of)

    def chamfer(self, index: int, *, length: float, edges: str = "all", of: int | None = None) -> None:
        self._round(index, "chamfer", length, edges, of)

    def _round(self, index: int, kind: str, size: float, group: str, of: int | None) -> None:
        where = f"{group} edges" + (f" of features[{of}]" if of is not None else "")

        def action() -> None:
            chosen = self.edges(group, of)
            if not chosen:
                raise FeatureError(f"selects no edges ({where})")
            try:
                done = (bd.fillet(chosen, radius=size) if kind == "fillet"
                        else bd.chamfer(chosen, length=size))
            except Exception as exc:  # noqa: BLE001 - OCCT reports a failed fillet in several types
                shortest = min(e.length for e in chosen)
                raise FeatureError(
                    f"{'radius' if kind == 'fillet' else 'length'} {size:g} mm on the {where} "
                    f"({len(chosen)} edges, the shortest {shortest:.3g} mm) cannot be built: make it "
                    f"smaller than the faces next to those edges ({kernel_said(exc)})") from None
            if not done.is_valid:
                raise FeatureError(f"{size:g} mm on the {where} gives an invalid solid: make it smaller")
            self.shape = _solid(done)
        self._run(index, f"{kind} {size:g} mm on {where}", action)

    # --- whole-part operations ----------------------------------------------------------------

    def shell(self, index: int, *, thickness: float, open: str = "top") -> None:
        """Hollow the part to walls `thickness` thick, open on one side (`none`: closed inside)."""
        def action() -> None:
            part = self._need()
            openings: list[bd.Face] = []
            if open != "none":
                n = bd.Vector(*FACES[open][0])
                _, high = self._extent(n)
                openings = [f for f in part.faces() if abs(f.center().dot(n) - high) < TOL]
                if not openings:
                    raise FeatureError(f"the part has no flat {open} face to leave open")
            try:
                if openings:
                    done = bd.offset(part, amount=-thickness, openings=openings)
                else:  # offset alone gives the shrunk core: the closed shell is what is left
                    done = part - bd.offset(part, amount=-thickness)
            except Exception as exc:  # noqa: BLE001 - OCCT reports a failed offset in several types
                raise FeatureError(f"a wall of {thickness:g} mm cannot be made: make it thinner than "
                                   f"half the part's thinnest section ({kernel_said(exc)})") from None
            self.shape = _solid(done)
        self._run(index, f"shell {thickness:g} mm", action)

    def mirror(self, index: int, *, plane: str = "yz", of: int | None = None) -> None:
        """Add a mirror image of the part (or of entry `of`'s body) across a plane through the origin."""
        planes = {"yz": bd.Plane.YZ, "xz": bd.Plane.XZ, "xy": bd.Plane.XY}

        def action() -> None:
            source, op = self._source(of)
            self._apply(index, bd.mirror(source, about=planes[plane]), op)
        self._run(index, f"mirror across {plane}", action)

    def linear(self, index: int, *, count: int, dx: float = 0.0, dy: float = 0.0, dz: float = 0.0,
               of: int | None = None) -> None:
        """`count` - 1 more copies of the part (or of entry `of`'s body or cut), each moved by
        (dx, dy, dz) from the one before."""
        def action() -> None:
            source, op = self._source(of)
            copies = [bd.Pos(dx * i, dy * i, dz * i) * source for i in range(1, int(count))]
            if copies:
                self._apply(index, _union(copies), op)
        self._run(index, "linear copies", action)

    def polar(self, index: int, *, count: int, angle: float = 360.0, axis: str = "z",
              of: int | None = None) -> None:
        """`count` copies in all spread over `angle` degrees about an axis through the origin
        (360: evenly round the circle)."""
        def action() -> None:
            source, op = self._source(of)
            total = int(count)
            step = angle / total if abs(angle - 360) < TOL else angle / max(total - 1, 1)
            turn = bd.Axis(bd.Vector(0, 0, 0), bd.Vector(*AXES[axis]))
            copies = [source.rotate(turn, step * i) for i in range(1, total)]
            if copies:
                self._apply(index, _union(copies), op)
        self._run(index, "polar copies", action)

    def _source(self, of: int | None) -> tuple[Any, str]:
        if of is None:
            return self._need(), "add"
        if of not in self.tools:
            raise FeatureError(f"features[{of}] made no body or cut to copy")
        self._need()
        return self.tools[of]


def _far(edge: bd.Edge, n: bd.Vector) -> float:
    box_ = edge.bounding_box()
    return max(box_.min.dot(n), box_.max.dot(n))


def _union(shapes: Sequence[Any]) -> Any:
    total = shapes[0]
    for shape in shapes[1:]:
        total = total + shape
    return _solid(total)
