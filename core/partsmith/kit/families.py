"""Part families. Millimetres throughout; every part sits on the XY plane (Z from 0 up) and is
centred on the Z axis, unless its docstring says otherwise.

build123d (and OCCT under it) loads on a family's first call, not on import: the engine reads the
families' parameters, for prompts, grammars and forms, without loading the CAD kernel, which only
the sandbox's workers need.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field

from partsmith.kit.registry import LazyModule, family

if TYPE_CHECKING:
    import build123d as bd
else:
    bd = LazyModule("build123d")

Mm = Annotated[float, Field(gt=0, le=5000, description="mm")]
Mm0 = Annotated[float, Field(ge=0, le=5000, description="mm, 0 for none")]


def _through_holes(
    part: bd.Part, points: list[tuple[float, float]], diameter: float, height: float
) -> bd.Part:
    for x, y in points:
        part = part - bd.Pos(x, y, height / 2) * bd.Cylinder(diameter / 2, height * 1.01)
    return part


@family(
    "rectangular plate with optional through holes (corners, centre or a grid) and rounded corners",
    keywords=("plate", "mounting plate", "base plate", "panel", "sheet", "holes"),
    examples=(
        ("a 40 x 30 x 5 mm plate with four 4 mm holes 5 mm from the edges",
         {"length": 40, "width": 30, "thickness": 5, "hole_diameter": 4, "holes": "corners",
          "hole_edge_offset": 5}),
        ("100mm by 60mm plate, 3mm thick, rounded corners radius 5",
         {"length": 100, "width": 60, "thickness": 3, "corner_radius": 5}),
    ),
)
def plate(
    length: Annotated[float, Field(gt=0, le=5000, description="mm, along X")] = 40,
    width: Annotated[float, Field(gt=0, le=5000, description="mm, along Y")] = 30,
    thickness: Annotated[float, Field(gt=0, le=1000, description="mm, along Z")] = 5,
    hole_diameter: Annotated[float, Field(ge=0, le=1000, description="mm, 0 for no holes")] = 0,
    holes: Literal["none", "center", "corners", "grid"] = "none",
    hole_edge_offset: Annotated[float, Field(ge=0, le=1000, description="mm, hole centre to edge")] = 5,
    grid_columns: Annotated[int, Field(ge=1, le=50)] = 2,
    grid_rows: Annotated[int, Field(ge=1, le=50)] = 2,
    corner_radius: Mm0 = 0,
) -> bd.Part:
    """A plate centred on the origin in X and Y, from Z = 0 to `thickness`."""
    sketch = bd.Rectangle(length, width)
    if corner_radius > 0:
        sketch = bd.fillet(sketch.vertices(), radius=min(corner_radius, min(length, width) / 2 * 0.99))
    part = bd.extrude(sketch, amount=thickness)
    if hole_diameter > 0 and holes != "none":
        dx, dy = length / 2 - hole_edge_offset, width / 2 - hole_edge_offset
        if holes == "center":
            points = [(0.0, 0.0)]
        elif holes == "corners":
            points = [(sx * dx, sy * dy) for sx in (-1, 1) for sy in (-1, 1)]
        else:
            xs = [(-dx + 2 * dx * i / (grid_columns - 1)) if grid_columns > 1 else 0.0
                  for i in range(grid_columns)]
            ys = [(-dy + 2 * dy * j / (grid_rows - 1)) if grid_rows > 1 else 0.0
                  for j in range(grid_rows)]
            points = [(x, y) for x in xs for y in ys]
        part = _through_holes(part, points, hole_diameter, thickness)
    return part


@family(
    "rectangular block or cube with optional chamfered or rounded edges and a centre hole",
    keywords=("block", "cube", "box", "prism", "cuboid", "brick", "chamfer", "fillet"),
    examples=(
        ("a 20 x 20 x 80 mm block with all edges chamfered 1 mm",
         {"length": 20, "width": 20, "height": 80, "chamfer": 1}),
        ("a 10mm cube", {"length": 10, "width": 10, "height": 10}),
    ),
)
def block(
    length: Annotated[float, Field(gt=0, le=5000, description="mm, along X")] = 20,
    width: Annotated[float, Field(gt=0, le=5000, description="mm, along Y")] = 20,
    height: Annotated[float, Field(gt=0, le=5000, description="mm, along Z")] = 20,
    chamfer: Mm0 = 0,
    fillet: Mm0 = 0,
    hole_diameter: Annotated[
        float, Field(ge=0, le=5000, description="mm, vertical through hole, 0 for none")
    ] = 0,
) -> bd.Part:
    """A block centred in X and Y, from Z = 0 to `height`."""
    part = bd.Pos(0, 0, height / 2) * bd.Box(length, width, height)
    smallest = min(length, width, height)
    if chamfer > 0:
        part = bd.chamfer(part.edges(), length=min(chamfer, smallest / 2 * 0.99))
    elif fillet > 0:
        part = bd.fillet(part.edges(), radius=min(fillet, smallest / 2 * 0.99))
    if hole_diameter > 0:
        part = _through_holes(part, [(0.0, 0.0)], hole_diameter, height)
    return part


@family(
    "solid cylinder, rod, disc or puck, with an optional centre hole and chamfered ends",
    keywords=("cylinder", "rod", "disc", "disk", "puck", "pin", "dowel", "round"),
    examples=(
        ("a cylinder 20 mm in diameter and 50 mm tall", {"diameter": 20, "height": 50}),
        ("a disc of radius 30 mm, 4 mm thick", {"diameter": 60, "height": 4}),
    ),
)
def cylinder(
    diameter: Annotated[
        float, Field(gt=0, le=5000, description="mm, outer diameter (twice the radius)")
    ] = 20,
    height: Annotated[float, Field(gt=0, le=5000, description="mm, along Z")] = 20,
    hole_diameter: Annotated[float, Field(ge=0, le=5000, description="mm, 0 for solid")] = 0,
    chamfer: Mm0 = 0,
) -> bd.Part:
    part = bd.Cylinder(diameter / 2, height, align=(bd.Align.CENTER, bd.Align.CENTER, bd.Align.MIN))
    if chamfer > 0:
        circles = part.edges().filter_by(bd.GeomType.CIRCLE)
        part = bd.chamfer(circles, length=min(chamfer, diameter / 4, height / 2 * 0.99))
    if 0 < hole_diameter < diameter:
        part = _through_holes(part, [(0.0, 0.0)], hole_diameter, height)
    return part


@family(
    "tube, pipe, ring, washer, spacer or bushing: a hollow cylinder",
    keywords=("tube", "pipe", "ring", "washer", "spacer", "bushing", "sleeve", "collar", "gasket"),
    examples=(
        ("a washer with 10 mm outer and 5 mm inner diameter, 1 mm thick",
         {"outer_diameter": 10, "inner_diameter": 5, "length": 1}),
        ("a 100 mm long tube, OD 25 mm, wall 2 mm",
         {"outer_diameter": 25, "inner_diameter": 21, "length": 100}),
    ),
)
def tube(
    outer_diameter: Annotated[float, Field(gt=0, le=5000, description="mm")] = 20,
    inner_diameter: Annotated[float, Field(gt=0, le=5000, description="mm, less than outer")] = 10,
    length: Annotated[float, Field(gt=0, le=5000, description="mm, along Z")] = 10,
) -> bd.Part:
    inner = min(inner_diameter, outer_diameter * 0.98)
    outer = bd.Cylinder(outer_diameter / 2, length, align=(bd.Align.CENTER, bd.Align.CENTER, bd.Align.MIN))
    return _through_holes(outer, [(0.0, 0.0)], inner, length)


# ISO 4032 hex nuts and ISO 4017 hex bolts: width across flats, nut height, head height.
ISO_HEX = {
    "M2": (4.0, 1.6, 1.4), "M2.5": (5.0, 2.0, 1.7), "M3": (5.5, 2.4, 2.0), "M4": (7.0, 3.2, 2.8),
    "M5": (8.0, 4.7, 3.5), "M6": (10.0, 5.2, 4.0), "M8": (13.0, 6.8, 5.3), "M10": (16.0, 8.4, 6.4),
    "M12": (18.0, 10.8, 7.5), "M16": (24.0, 14.8, 10.0), "M20": (30.0, 18.0, 12.5),
    "M24": (36.0, 21.5, 15.0),
}
IsoSize = Literal["M2", "M2.5", "M3", "M4", "M5", "M6", "M8", "M10", "M12", "M16", "M20", "M24"]


def _thread_diameter(size: str) -> float:
    return float(size[1:])


def _hex_prism(across_flats: float, height: float) -> bd.Part:
    hexagon = bd.RegularPolygon(across_flats / math.sqrt(3), 6, major_radius=True)
    return bd.extrude(hexagon, amount=height)


def _nut_standard(params: dict[str, Any]) -> dict[str, Any]:
    """What an ISO size fixes of a nut (ISO 4032): across flats, thickness and the hole."""
    size = params.get("size")
    if size not in ISO_HEX:
        return {}
    across_flats, thickness, _ = ISO_HEX[size]
    return {"across_flats": across_flats, "thickness": thickness,
            "hole_diameter": min(_thread_diameter(size), across_flats * 0.9)}


@family(
    "hexagonal nut (threads not modelled), either a standard ISO metric size or custom dimensions",
    keywords=("nut", "hex nut", "hexagon", "hexagonal", "M3", "M4", "M5", "M6", "M8"),
    examples=(
        ("an M6 nut", {"size": "M6"}),
        ("a hex nut 10 mm across flats with a 5 mm hole, 5 mm thick",
         {"size": "custom", "across_flats": 10, "hole_diameter": 5, "thickness": 5}),
    ),
    standard=_nut_standard,
)
def hex_nut(
    size: Literal[
        "custom", "M2", "M2.5", "M3", "M4", "M5", "M6", "M8", "M10", "M12", "M16", "M20", "M24"
    ] = "M6",
    across_flats: Annotated[
        float, Field(gt=0, le=500, description="mm, flat to flat, when size is custom")] = 10,
    hole_diameter: Annotated[float, Field(gt=0, le=500, description="mm, when size is custom")] = 5,
    thickness: Annotated[float, Field(gt=0, le=500, description="mm, when size is custom")] = 5,
) -> bd.Part:
    """A nut with two flats parallel to the X axis."""
    if size != "custom":
        across_flats, thickness, _ = ISO_HEX[size]
        hole_diameter = _thread_diameter(size)
    nut = _hex_prism(across_flats, thickness)
    return _through_holes(nut, [(0.0, 0.0)], min(hole_diameter, across_flats * 0.9), thickness)


@family(
    "hexagon head bolt or screw with a plain (unthreaded) shank, ISO metric size",
    keywords=("bolt", "screw", "hex bolt", "cap screw", "fastener"),
    examples=(("an M8 x 40 bolt", {"size": "M8", "length": 40}),),
)
def hex_bolt(
    size: IsoSize = "M6",
    length: Annotated[float, Field(gt=0, le=1000, description="mm, shank length under the head")] = 20,
) -> bd.Part:
    """Head from Z = 0 up; the shank points down to Z = -length."""
    across_flats, _, head = ISO_HEX[size]
    below = (bd.Align.CENTER, bd.Align.CENTER, bd.Align.MAX)
    shank = bd.Cylinder(_thread_diameter(size) / 2, length, align=below)
    return _hex_prism(across_flats, head) + shank


@family(
    "L-shaped angle bracket with mounting holes in both flanges",
    keywords=("bracket", "angle", "l bracket", "l-bracket", "corner bracket", "shelf bracket"),
    examples=(
        ("an L bracket 50 mm wide, legs 40 and 30 mm, 3 mm thick, with 5 mm holes",
         {"width": 50, "base_length": 40, "height": 30, "thickness": 3, "hole_diameter": 5}),
    ),
)
def l_bracket(
    width: Annotated[float, Field(gt=0, le=2000, description="mm, along X")] = 40,
    base_length: Annotated[float, Field(gt=0, le=2000, description="mm, horizontal leg along Y")] = 40,
    height: Annotated[float, Field(gt=0, le=2000, description="mm, vertical leg along Z")] = 40,
    thickness: Annotated[float, Field(gt=0, le=200, description="mm")] = 4,
    hole_diameter: Mm0 = 5,
    holes_per_leg: Annotated[int, Field(ge=0, le=10)] = 2,
) -> bd.Part:
    """The legs meet along the X axis at Y = 0; the base runs along +Y, the upright along +Z."""
    base = bd.Pos(0, base_length / 2, thickness / 2) * bd.Box(width, base_length, thickness)
    upright = bd.Pos(0, thickness / 2, height / 2) * bd.Box(width, thickness, height)
    part = base + upright
    if hole_diameter > 0 and holes_per_leg > 0:
        xs = [width * (i + 1) / (holes_per_leg + 1) - width / 2 for i in range(holes_per_leg)]
        mid_base = thickness + (base_length - thickness) / 2
        mid_up = thickness + (height - thickness) / 2
        for x in xs:
            part = part - bd.Pos(x, mid_base, thickness / 2) * bd.Cylinder(hole_diameter / 2, thickness * 1.1)
            part = part - bd.Pos(x, thickness / 2, mid_up) * bd.Rot(90, 0, 0) * bd.Cylinder(
                hole_diameter / 2, thickness * 1.1)
    return part


@family(
    "U-shaped bracket or channel: a base with two parallel walls",
    keywords=("u bracket", "u-bracket", "channel", "u channel", "clamp", "saddle"),
    examples=(("a U channel 100 mm long, 30 mm wide, 20 mm tall, 2 mm thick",
               {"length": 100, "width": 30, "height": 20, "thickness": 2}),),
)
def u_bracket(
    length: Annotated[float, Field(gt=0, le=5000, description="mm, along X")] = 60,
    width: Annotated[float, Field(gt=0, le=2000, description="mm, outside, along Y")] = 30,
    height: Annotated[float, Field(gt=0, le=2000, description="mm, outside, along Z")] = 25,
    thickness: Annotated[float, Field(gt=0, le=200, description="mm")] = 3,
    hole_diameter: Mm0 = 0,
) -> bd.Part:
    outer = bd.Pos(0, 0, height / 2) * bd.Box(length, width, height)
    inner_width = max(width - 2 * thickness, width * 0.02)
    cut = bd.Pos(0, 0, thickness + height / 2) * bd.Box(length * 1.01, inner_width, height)
    part = outer - cut
    if hole_diameter > 0:
        part = _through_holes(part, [(-length / 4, 0.0), (length / 4, 0.0)], hole_diameter, thickness)
    return part


@family(
    "enclosure or open-top box with walls (a hollow box, optionally with a separate lid beside it)",
    keywords=("enclosure", "case", "housing", "box", "container", "tray", "lid", "project box"),
    examples=(("an electronics enclosure 80 x 50 x 30 mm with 2 mm walls",
               {"length": 80, "width": 50, "height": 30, "wall": 2}),),
)
def enclosure(
    length: Annotated[float, Field(gt=0, le=5000, description="mm, outside, along X")] = 80,
    width: Annotated[float, Field(gt=0, le=5000, description="mm, outside, along Y")] = 50,
    height: Annotated[float, Field(gt=0, le=5000, description="mm, outside, along Z")] = 30,
    wall: Annotated[float, Field(gt=0, le=100, description="mm, wall and floor thickness")] = 2,
    corner_radius: Mm0 = 0,
    lid: bool = False,
) -> bd.Part:
    """An open box from Z = 0; with `lid`, a flat lid lies beside it along +X."""
    def outline(l: float, w: float, r: float) -> bd.Sketch:  # noqa: E741
        sketch = bd.Rectangle(l, w)
        return bd.fillet(sketch.vertices(), radius=min(r, min(l, w) / 2 * 0.99)) if r > 0 else sketch

    shell = bd.extrude(outline(length, width, corner_radius), amount=height)
    inner = outline(length - 2 * wall, width - 2 * wall, max(corner_radius - wall, 0))
    part = shell - bd.Pos(0, 0, wall) * bd.extrude(inner, amount=height)
    if lid:
        cover = bd.extrude(outline(length, width, corner_radius), amount=wall)
        part = part + bd.Pos(length + 10, 0, 0) * cover
    return part


@family(
    "round flange: a disc with a centre bore, an optional raised hub, and bolt holes on a circle",
    keywords=("flange", "hub", "bolt circle", "pipe flange", "mounting flange", "coupling"),
    examples=(("a flange 80 mm diameter, 10 mm thick, 30 mm bore, six 6 mm holes on a 60 mm circle",
               {"outer_diameter": 80, "thickness": 10, "bore_diameter": 30, "bolt_holes": 6,
                "bolt_hole_diameter": 6, "bolt_circle_diameter": 60}),),
)
def flange(
    outer_diameter: Annotated[float, Field(gt=0, le=5000, description="mm")] = 80,
    thickness: Annotated[float, Field(gt=0, le=500, description="mm")] = 10,
    bore_diameter: Mm0 = 20,
    hub_diameter: Mm0 = 0,
    hub_height: Mm0 = 0,
    bolt_holes: Annotated[int, Field(ge=0, le=64)] = 4,
    bolt_hole_diameter: Mm0 = 6,
    bolt_circle_diameter: Annotated[float, Field(ge=0, le=5000, description="mm, 0 to place midway")] = 0,
) -> bd.Part:
    align = (bd.Align.CENTER, bd.Align.CENTER, bd.Align.MIN)
    part = bd.Cylinder(outer_diameter / 2, thickness, align=align)
    if hub_diameter > 0 and hub_height > 0:
        part = part + bd.Pos(0, 0, thickness) * bd.Cylinder(hub_diameter / 2, hub_height, align=align)
    total = thickness + (hub_height if hub_diameter > 0 else 0)
    if bore_diameter > 0:
        part = _through_holes(part, [(0.0, 0.0)], bore_diameter, total)
    if bolt_holes > 0 and bolt_hole_diameter > 0:
        circle = bolt_circle_diameter or (outer_diameter + max(bore_diameter, hub_diameter)) / 2
        points = [(circle / 2 * math.cos(2 * math.pi * i / bolt_holes),
                   circle / 2 * math.sin(2 * math.pi * i / bolt_holes)) for i in range(bolt_holes)]
        part = _through_holes(part, points, bolt_hole_diameter, thickness)
    return part


@family(
    "standoff: a round or hexagonal pillar with a hole through it, for mounting boards",
    keywords=("standoff", "stand-off", "pillar", "post", "spacer", "boss"),
    examples=(("a 10 mm tall hex standoff for M3, 5.5 mm across flats",
               {"shape": "hex", "width": 5.5, "height": 10, "hole_diameter": 3}),),
)
def standoff(
    shape: Literal["round", "hex"] = "round",
    width: Annotated[float, Field(gt=0, le=500, description="mm, diameter or across flats")] = 6,
    height: Annotated[float, Field(gt=0, le=1000, description="mm")] = 10,
    hole_diameter: Annotated[float, Field(ge=0, le=500, description="mm")] = 3,
) -> bd.Part:
    body = (_hex_prism(width, height) if shape == "hex"
            else bd.Cylinder(width / 2, height, align=(bd.Align.CENTER, bd.Align.CENTER, bd.Align.MIN)))
    if 0 < hole_diameter < width:
        body = _through_holes(body, [(0.0, 0.0)], hole_diameter, height)
    return body


@family(
    "spur gear with involute teeth, a bore and an optional hub",
    keywords=("gear", "spur gear", "cog", "pinion", "teeth", "module"),
    examples=(("a spur gear, module 2, 20 teeth, 8 mm thick, 6 mm bore",
               {"module": 2, "teeth": 20, "thickness": 8, "bore_diameter": 6}),),
)
def spur_gear(
    module: Annotated[float, Field(gt=0.1, le=50, description="mm, pitch diameter / teeth")] = 2,
    teeth: Annotated[int, Field(ge=6, le=300)] = 20,
    thickness: Annotated[float, Field(gt=0, le=500, description="mm")] = 8,
    bore_diameter: Mm0 = 5,
    pressure_angle: Annotated[float, Field(ge=14.5, le=30, description="degrees")] = 20,
) -> bd.Part:
    pitch_r = module * teeth / 2
    base_r = pitch_r * math.cos(math.radians(pressure_angle))
    tip_r = pitch_r + module
    root_r = max(pitch_r - 1.25 * module, module)

    def involute(r: float) -> tuple[float, float]:
        """Polar angle of the involute point at radius r (from the base circle)."""
        t = math.sqrt(max((r / base_r) ** 2 - 1, 0))
        return r, t - math.atan(t)

    # Half a tooth's angular thickness at the pitch circle, offset by the involute there.
    half = math.pi / (2 * teeth) + involute(pitch_r)[1]
    radii = [max(base_r, root_r) + (tip_r - max(base_r, root_r)) * i / 8 for i in range(9)]
    # Where the root between two teeth starts, from a tooth's centre; with many teeth (53 and up at
    # 20 degrees) that would pass the middle of the gap and the outline would cross itself.
    gap = min(half + math.pi / (4 * teeth), 0.999 * math.pi / teeth)
    points: list[tuple[float, float]] = []
    for tooth in range(teeth):
        centre = 2 * math.pi * tooth / teeth
        flank = [(r, half - involute(r)[1]) for r in radii]
        side_a = [(r, centre - a) for r, a in flank]
        side_b = [(r, centre + a) for r, a in reversed(flank)]
        points.append(_polar(root_r, centre - gap))
        points.extend(_polar(r, a) for r, a in side_a)
        points.extend(_polar(r, a) for r, a in side_b)
        points.append(_polar(root_r, centre + gap))
    profile = bd.make_face(bd.Polyline(*points, close=True))
    gear = bd.extrude(profile, amount=thickness)
    if 0 < bore_diameter < root_r * 2:
        gear = _through_holes(gear, [(0.0, 0.0)], bore_diameter, thickness)
    return gear


def _polar(r: float, angle: float) -> tuple[float, float]:
    return (r * math.cos(angle), r * math.sin(angle))


@family(
    "V-belt or round-belt pulley: a wheel with a groove around its rim and a bore",
    keywords=("pulley", "sheave", "wheel", "belt", "groove", "idler"),
    examples=(("a pulley 40 mm diameter, 10 mm wide, 8 mm bore",
               {"diameter": 40, "width": 10, "bore_diameter": 8}),),
)
def pulley(
    diameter: Annotated[float, Field(gt=0, le=2000, description="mm, outer diameter")] = 40,
    width: Annotated[float, Field(gt=0, le=500, description="mm, along Z")] = 10,
    groove_depth: Annotated[float, Field(ge=0, le=500, description="mm")] = 3,
    bore_diameter: Mm0 = 5,
) -> bd.Part:
    r, depth = diameter / 2, min(groove_depth, diameter / 4)
    half = width / 2
    profile = bd.Polyline(
        (0, 0), (r, 0), (r, half * 0.4), (r - depth, half), (r, width - half * 0.4), (r, width),
        (0, width), close=True,
    )
    face = bd.Plane.XZ * bd.make_face(profile)
    wheel = bd.revolve(face, bd.Axis.Z)
    if 0 < bore_diameter < diameter:
        wheel = _through_holes(wheel, [(0.0, 0.0)], bore_diameter, width)
    return wheel


@family(
    "control knob: a cylinder with grip ridges (knurls) around it and a blind hole for a shaft",
    keywords=("knob", "dial", "handle knob", "grip", "potentiometer knob", "knurled"),
    examples=(("a knob 30 mm across and 15 mm tall for a 6 mm shaft",
               {"diameter": 30, "height": 15, "shaft_diameter": 6}),),
)
def knob(
    diameter: Annotated[float, Field(gt=0, le=500, description="mm")] = 25,
    height: Annotated[float, Field(gt=0, le=500, description="mm")] = 15,
    ridges: Annotated[int, Field(ge=0, le=120)] = 18,
    shaft_diameter: Mm0 = 6,
    shaft_depth: Annotated[float, Field(ge=0, le=500, description="mm, blind hole from below")] = 10,
) -> bd.Part:
    align = (bd.Align.CENTER, bd.Align.CENTER, bd.Align.MIN)
    body = bd.Cylinder(diameter / 2, height, align=align)
    groove = diameter * math.pi / max(ridges, 1) / 4
    for i in range(ridges):
        angle = 2 * math.pi * i / ridges
        body = body - bd.Pos(diameter / 2 * math.cos(angle), diameter / 2 * math.sin(angle), 0) * bd.Cylinder(
            groove, height, align=align)
    if shaft_diameter > 0 and shaft_depth > 0:
        body = body - bd.Cylinder(shaft_diameter / 2, min(shaft_depth, height * 0.9), align=align)
    return body


@family(
    "shaft: a rod with an optional second, smaller step and chamfered ends",
    keywords=("shaft", "axle", "spindle", "stepped shaft", "arbor"),
    examples=(("a shaft 8 mm diameter, 100 mm long, with a 6 mm x 20 mm step",
               {"diameter": 8, "length": 100, "step_diameter": 6, "step_length": 20}),),
)
def shaft(
    diameter: Annotated[float, Field(gt=0, le=1000, description="mm")] = 8,
    length: Annotated[float, Field(gt=0, le=5000, description="mm, total, along Z")] = 100,
    step_diameter: Mm0 = 0,
    step_length: Mm0 = 0,
    chamfer: Annotated[float, Field(ge=0, le=50, description="mm")] = 0.5,
) -> bd.Part:
    align = (bd.Align.CENTER, bd.Align.CENTER, bd.Align.MIN)
    stepped = 0 < step_diameter < diameter and 0 < step_length < length
    main = length - step_length if stepped else length
    part = bd.Cylinder(diameter / 2, main, align=align)
    if stepped:
        part = part + bd.Pos(0, 0, main) * bd.Cylinder(step_diameter / 2, step_length, align=align)
    if chamfer > 0:
        ends: Any = part.edges().filter_by(bd.GeomType.CIRCLE).group_by(bd.Axis.Z)
        smallest = step_diameter if stepped else diameter
        part = bd.chamfer([*ends[0], *ends[-1]], length=min(chamfer, smallest / 4))
    return part
