"""A part program compiled to a readable build123d script.

The script opens with one named literal per size of the program (`box_length = 40.0  # mm
[0.1, 2000]`), each name unique and saying what it sizes, so `partsmith rerun --param`, Blender's
fields and FreeCAD's properties edit the part without the model. The trailing comment follows the
parameter comment contract: `# mm [MIN, MAX]` for a length, `# deg [MIN, MAX]` for an angle,
`# [MIN, MAX]` for a plain number, `# one of: a, b, c` for a choice; free text may follow after
` - `. The body of the script is one call of `partsmith.kit.ops` per feature, each naming its
entry, so a feature that cannot be built fails with a message that says which one.

Nothing the user typed reaches the script: its docstring is made from the program alone.
"""

from __future__ import annotations

import re
import typing
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from partsmith.kit.registry import FAMILIES
from partsmith.program import schema as s

# Long names for the program's short keys, in parameter names.
LONG = {
    "l": "length", "w": "width", "h": "height", "d": "diameter", "d1": "bottom_diameter",
    "d2": "top_diameter", "od": "outer_diameter", "id": "inner_diameter", "wall": "wall",
    "top": "top_length", "r": "radius", "t": "thickness", "a": "angle", "rot": "rotation",
    "depth": "depth", "cb_d": "counterbore_diameter", "cb_h": "counterbore_depth",
    "cs_d": "countersink_diameter", "cs_a": "countersink_angle", "nx": "columns", "ny": "rows",
    "dx": "dx", "dy": "dy", "dz": "dz", "x": "x", "y": "y", "z": "z", "m": "size", "fit": "fit",
    "tl": "top_length", "tw": "top_width", "lx": "leg_x", "ly": "leg_y",
}
# What a plain count is called, by feature.
COUNT_NAMES = {"prism": "sides", "polygon": "sides"}


@dataclass
class Head:
    """The script's parameters: unique names, values and contract comments, in order."""

    lines: list[str] = field(default_factory=list)
    names: set[str] = field(default_factory=set)

    def add(self, name: str, value: Any, info: FieldInfo | None, note: str = "") -> str:
        base = name
        number = 2
        while name in self.names:
            name = f"{base}_{number}"
            number += 1
        self.names.add(name)
        if info is not None and info.annotation is float and isinstance(value, int):
            value = float(value)  # a default written as 0 is still a length
        comment = _comment(value, info)
        if note:
            comment += f" - {note}"
        self.lines.append(f"{name} = {_literal(value)}  # {comment}")
        return name


def _literal(value: Any) -> str:
    if isinstance(value, (bool, str)):
        return repr(value)
    if isinstance(value, int):
        return str(value)
    return repr(float(value))


def _bound(value: Any) -> str:
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)


def _comment(value: Any, info: FieldInfo | None) -> str:
    """The contract comment for a value from its field's type, unit and bounds."""
    if info is not None:
        choices = _choices(info.annotation)
        if choices:
            return "one of: " + ", ".join(choices)
    if isinstance(value, bool):
        return "one of: True, False"
    if isinstance(value, str):
        return "one of: " + value
    low = high = None
    unit = ""
    note = ""
    if info is not None:
        for meta in info.metadata:
            for attr in ("ge", "gt"):
                if getattr(meta, attr, None) is not None:
                    low = getattr(meta, attr)
            for attr in ("le", "lt"):
                if getattr(meta, attr, None) is not None:
                    high = getattr(meta, attr)
        description = (info.description or "").strip()
        said = re.match(r"^(mm|deg)\b[\s,]*(.*)$", description)
        if said:  # "mm, along X", "mm (custom size)": the unit goes first, before the range
            unit, note = said[1], said[2].strip()
        else:
            note = description
    bounds = f"[{_bound(low)}, {_bound(high)}]" if low is not None and high is not None else ""
    text = " ".join(part for part in (unit, bounds) if part) or "value"
    return f"{text} - {note}" if note else text


def _choices(annotation: Any) -> list[str]:
    if typing.get_origin(annotation) is typing.Literal:
        return [str(a) for a in typing.get_args(annotation)]
    return []


def _info(model: type[BaseModel] | BaseModel, key: str) -> FieldInfo:
    fields = type(model).model_fields if isinstance(model, BaseModel) else model.model_fields
    return fields[key]


class Compiler:
    """Compiles one program; keeps the head and the body lines apart until the end."""

    def __init__(self, program: s.Program) -> None:
        self.program = program
        self.head = Head()
        self.body: list[str] = []
        self.kit: list[str] = []
        self.counts: dict[str, int] = {}
        # The parameters of the first body's length and width, when it is a box square on the
        # origin: hole grids centred on it keep their distance to its edges (design intent).
        self.outline: tuple[str, str, float, float] | None = None

    def _prefix(self, kind: str) -> str:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        number = self.counts[kind]
        return kind if number == 1 else f"{kind}{number}"

    def param(self, prefix: str, model: BaseModel, key: str, note: str = "",
              name: str | None = None) -> str:
        value = getattr(model, key)
        long = name or LONG.get(key, key)
        if key == "n":
            long = COUNT_NAMES.get(model.type, "count")  # type: ignore[attr-defined]
        # A part of one feature needs no prefix: its sizes are the part's (`length`, `holes`).
        bare = len(self.program.features) == 1 and prefix == self.program.features[0].type
        return self.head.add(long if bare else f"{prefix}_{long}", value, _info(model, key), note)

    # --- pieces -----------------------------------------------------------------------------

    def shape(self, prefix: str, shape: BaseModel) -> str:
        if isinstance(shape, s.Rect):
            w, l_, r = (self.param(prefix, shape, k) for k in ("w", "l", "r"))
            return f"ops.rect({w}, {l_}, {r})"
        if isinstance(shape, s.Circle):
            return f"ops.circle({self.param(prefix, shape, 'd')})"
        if isinstance(shape, s.Slot):
            l_, w = self.param(prefix, shape, "l", "centre to centre"), self.param(prefix, shape, "w")
            return f"ops.slot({l_}, {w})"
        if isinstance(shape, s.Polygon):
            n, d = self.param(prefix, shape, "n"), self.param(prefix, shape, "d", f"across {shape.across}")
            return f"ops.polygon({n}, {d}, {shape.across!r})"
        assert isinstance(shape, s.Path)
        x0 = self.param(prefix, shape, "x", "outline start", name="x0")
        y0 = self.param(prefix, shape, "y", "outline start", name="y0")
        segments = []
        for number, seg in enumerate(shape.segs, 1):
            x = self.param(prefix, seg, "x", name=f"x{number}")
            y = self.param(prefix, seg, "y", name=f"y{number}")
            if isinstance(seg, s.Arc):
                r = self.param(prefix, seg, "r", "arc radius, + bulges right", name=f"r{number}")
                segments.append(f'("arc", {x}, {y}, {r})')
            else:
                segments.append(f'("line", {x}, {y}, 0)')
        return f"ops.path(({x0}, {y0}), [{', '.join(segments)}])"

    @staticmethod
    def _inset(at: s.Grid, outline: tuple[str, str, float, float] | None) -> bool:
        """Whether a grid is a pattern set in from the edges of the box it is centred on: its
        holes then stay that far from the edges when the box changes size."""
        return (outline is not None and at.x == 0 and at.y == 0 and at.nx >= 2 and at.ny >= 2
                and 0 < at.dx < outline[2] and 0 < at.dy < outline[3])

    def points(self, prefix: str, at: BaseModel,
               outline: tuple[str, str, float, float] | None = None) -> str:
        if isinstance(at, s.Points):
            if len(at.pts) == 1:
                pt = at.pts[0]
                return f"[({self.param(prefix, pt, 'x')}, {self.param(prefix, pt, 'y')})]"
            pairs = []
            for i, pt in enumerate(at.pts, 1):
                x, y = self.param(prefix, pt, "x", name=f"x{i}"), self.param(prefix, pt, "y", name=f"y{i}")
                pairs.append(f"({x}, {y})")
            return "[" + ", ".join(pairs) + "]"
        if isinstance(at, s.Grid) and self._inset(at, outline):
            assert outline is not None
            length, width, full_l, full_w = outline
            x, y, nx, ny = (self.param(prefix, at, k, note) for k, note in (
                ("x", "grid centre"), ("y", "grid centre"), ("nx", ""), ("ny", "")))
            info = _info(at, "dx")
            inset_x = self.head.add(f"{prefix}_inset_x", (full_l - at.dx) / 2, info,
                                    "hole centre to the edge along X")
            inset_y = self.head.add(f"{prefix}_inset_y", (full_w - at.dy) / 2, info,
                                    "hole centre to the edge along Y")
            return (f"ops.grid({x}, {y}, {nx}, {ny}, {length} - 2 * {inset_x}, "
                    f"{width} - 2 * {inset_y})")
        if isinstance(at, s.Grid):
            args = [self.param(prefix, at, k, note) for k, note in (
                ("x", "grid centre"), ("y", "grid centre"), ("nx", ""), ("ny", ""), ("dx", "spacing"),
                ("dy", "spacing"))]
            return f"ops.grid({', '.join(args)})"
        if isinstance(at, s.BoltCircle):
            args = [self.param(prefix, at, "x", "circle centre"),
                    self.param(prefix, at, "y", "circle centre"), self.param(prefix, at, "n"),
                    self.param(prefix, at, "d", "bolt circle", name="circle_diameter"),
                    self.param(prefix, at, "a", "first hole", name="start_angle")]
            return f"ops.bolt_circle({', '.join(args)})"
        assert isinstance(at, s.Row)
        args = [self.param(prefix, at, k, note) for k, note in (
            ("x", "first hole"), ("y", "first hole"), ("n", ""), ("dx", "step"), ("dy", "step"))]
        return f"ops.row({', '.join(args)})"

    def placement(self, prefix: str, feature: BaseModel) -> str:
        parts = [f"op={feature.op!r}"]  # type: ignore[attr-defined]
        for key in ("x", "y", "z"):
            parts.append(f"{key}={self.param(prefix, feature, key)}")
        if feature.axis != "z":  # type: ignore[attr-defined]
            parts.append(f"axis={feature.axis!r}")  # type: ignore[attr-defined]
        if feature.rot:  # type: ignore[attr-defined]
            parts.append(f"rot={self.param(prefix, feature, 'rot')}")
        if feature.mid:  # type: ignore[attr-defined]
            parts.append("mid=True")
        return ", ".join(parts)

    # --- entries ----------------------------------------------------------------------------

    def entry(self, index: int, feature: BaseModel) -> None:
        kind: str = feature.type  # type: ignore[attr-defined]
        prefix = self._prefix(kind)
        if kind in s.KIT_BODIES:
            self.kit_body(index, prefix, feature)
            return
        make = self.make(prefix, feature)
        if make is not None:
            where = self.placement(prefix, feature)
            self.body.append(f"part.body({index}, {kind!r}, lambda: {make}, {where})")
            return
        self.body.append(self.operation(index, prefix, feature))

    def make(self, p: str, f: BaseModel) -> str | None:
        """The `ops` call that builds a primitive body, or None for a feature."""
        par = self.param
        if isinstance(f, s.Box):
            sizes = (par(p, f, "l", "along X"), par(p, f, "w", "along Y"), par(p, f, "h", "along Z"))
            if not self.body and f.x == f.y == 0 and f.axis == "z" and not f.rot:  # the first body
                self.outline = (sizes[0], sizes[1], float(f.l), float(f.w))
            return f"ops.box({', '.join(sizes)})"
        if isinstance(f, s.Cylinder):
            return f"ops.cylinder({par(p, f, 'd')}, {par(p, f, 'h')})"
        if isinstance(f, s.Sphere):
            return f"ops.sphere({par(p, f, 'd')})"
        if isinstance(f, s.Cone):
            return f"ops.cone({par(p, f, 'd1')}, {par(p, f, 'd2')}, {par(p, f, 'h')})"
        if isinstance(f, s.Tube):
            return f"ops.tube({par(p, f, 'od')}, {par(p, f, 'id')}, {par(p, f, 'h')})"
        if isinstance(f, s.Torus):
            return f"ops.torus({par(p, f, 'od')}, {par(p, f, 'id')}, {par(p, f, 'wall', '0: solid')})"
        if isinstance(f, s.Wedge):
            return (f"ops.wedge({par(p, f, 'l')}, {par(p, f, 'w')}, {par(p, f, 'h')}, "
                    f"{par(p, f, 'top', '0: sharp')})")
        if isinstance(f, s.Prism):
            return (f"ops.prism({par(p, f, 'n')}, {par(p, f, 'd', f'across {f.across}')}, "
                    f"{par(p, f, 'h')}, {f.across!r})")
        if isinstance(f, s.Extrude):
            return f"ops.extrusion({self.shape(p, f.shape)}, {par(p, f, 'h')})"
        if isinstance(f, s.Revolve):
            return f"ops.revolution({self.shape(p, f.shape)}, {par(p, f, 'a')})"
        if isinstance(f, s.Pyramid):
            base = f"{par(p, f, 'l', 'along X')}, {par(p, f, 'w', 'along Y')}, {par(p, f, 'h')}"
            return f"ops.pyramid({base}, {par(p, f, 'tl', '0: a point')}, {par(p, f, 'tw', '0: a point')})"
        if isinstance(f, s.Dome):
            return f"ops.dome({par(p, f, 'd')}, {par(p, f, 'h', '0: a hemisphere')})"
        if isinstance(f, s.Capsule):
            return f"ops.capsule({par(p, f, 'd')}, {par(p, f, 'l', 'overall, ends included')})"
        if isinstance(f, s.Triangle):
            return (f"ops.right_triangle({par(p, f, 'lx', 'along X')}, {par(p, f, 'ly', 'along Y')}, "
                    f"{par(p, f, 'h')})")
        if isinstance(f, s.Loft):
            bottom = self.shape(f"{p}_bottom", f.bottom)
            top = self.shape(f"{p}_top", f.top)
            return f"ops.loft({bottom}, {top}, {par(p, f, 'h')})"
        return None

    def kit_body(self, index: int, prefix: str, feature: BaseModel) -> None:
        kind: str = feature.type  # type: ignore[attr-defined]
        family = s.FAMILY_OF_TYPE[kind]
        if family not in self.kit:
            self.kit.append(family)
        standard = FAMILIES[family].standard
        if standard is not None:  # the sizes a standard choice fixes, as the part has them
            feature = feature.model_copy(update=standard(feature.model_dump()))
        args = [f"{name}={self.param(prefix, feature, name, name=name)}"
                for name in FAMILIES[family].model.model_fields]
        make = f"{family}({', '.join(args)})"
        where = self.placement(prefix, feature)
        self.body.append(f"part.body({index}, {kind!r}, lambda: {make}, {where})")

    def operation(self, i: int, p: str, f: BaseModel) -> str:
        par = self.param
        if isinstance(f, s.Hole):
            points = self.points(p, f.at, self.outline if f.face in ("top", "bottom") else None)
            if f.m != "none":
                size = par(p, f, "m", "ISO metric screw")
                fit = par(p, f, "fit")
                diameter = f"ops.metric({size}, {fit})"
            else:
                diameter = par(p, f, "d")
            args = [f"face={f.face!r}", f"points={points}", f"diameter={diameter}",
                    f"depth={par(p, f, 'depth', '0: through')}"]
            if f.cb_d > 0:
                args.append(f"counterbore=({par(p, f, 'cb_d')}, {par(p, f, 'cb_h')})")
            if f.cs_d > 0:
                args.append(f"countersink=({par(p, f, 'cs_d')}, {par(p, f, 'cs_a', 'included')})")
            return f"part.hole({i}, {', '.join(args)})"
        if isinstance(f, (s.Pocket, s.Boss)):
            shape = self.shape(p, f.shape)
            args = [f"face={f.face!r}", f"shape=lambda: {shape}", f"x={par(p, f, 'x')}",
                    f"y={par(p, f, 'y')}"]
            if f.a:
                args.append(f"angle={par(p, f, 'a')}")
            if isinstance(f, s.Pocket):
                args.append(f"depth={par(p, f, 'depth', '0: through')}")
                return f"part.pocket({i}, {', '.join(args)})"
            args.append(f"height={par(p, f, 'h')}")
            return f"part.boss({i}, {', '.join(args)})"
        if isinstance(f, s.Rib):
            start = f"({par(p, f, 'x1', name='x1')}, {par(p, f, 'y1', name='y1')})"
            end = f"({par(p, f, 'x2', name='x2')}, {par(p, f, 'y2', name='y2')})"
            return (f"part.rib({i}, face={f.face!r}, start={start}, end={end}, "
                    f"thickness={par(p, f, 't')}, height={par(p, f, 'h')})")
        if isinstance(f, s.Ledge):
            return (f"part.ledge({i}, face={f.face!r}, width={par(p, f, 'w')}, "
                    f"depth={par(p, f, 'depth')})")
        of_index: int = getattr(f, "of", -1)
        of = f", of={of_index}" if of_index >= 0 else ""
        if isinstance(f, s.Fillet):
            return f"part.fillet({i}, radius={par(p, f, 'r')}, edges={f.edges!r}{of})"
        if isinstance(f, s.Chamfer):
            return f"part.chamfer({i}, length={par(p, f, 'l')}, edges={f.edges!r}{of})"
        if isinstance(f, s.Shell):
            return f"part.shell({i}, thickness={par(p, f, 't')}, open={f.open!r})"
        if isinstance(f, s.Mirror):
            return f"part.mirror({i}, plane={f.plane!r}{of})"
        if isinstance(f, s.Linear):
            moves = ", ".join(f"{k}={par(p, f, k)}" for k in ("dx", "dy", "dz"))
            return f"part.linear({i}, count={par(p, f, 'n')}, {moves}{of})"
        assert isinstance(f, s.Polar)
        return (f"part.polar({i}, count={par(p, f, 'n')}, angle={par(p, f, 'a')}, "
                f"axis={f.axis!r}{of})")

    def script(self) -> str:
        for index, feature in enumerate(self.program.features):
            self.entry(index, feature)
        kinds = [f.type for f in self.program.features]
        doc = f'"""A part program compiled to build123d: {", ".join(kinds)}. Sizes in mm, Z up."""'
        imports = ["import partsmith.kit.ops as ops"]
        if self.kit:
            imports.append(f"from partsmith.kit import {', '.join(self.kit)}")
        lines = [doc, *imports, "", *self.head.lines, "", "part = ops.Part()", *self.body,
                 "result = part.shape", ""]
        return "\n".join(lines)


def compile_program(program: s.Program) -> str:
    """The build123d script for `program`."""
    return Compiler(program).script()
