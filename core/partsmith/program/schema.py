"""The part program: a typed feature tree in millimetres (Z up) that any model can fill.

A program is a list of `features`, run in order: bodies (a box, a cylinder, a kit family ...)
placed and joined to, cut from or intersected with what came before, and features that work on
the part so far (holes, pockets, fillets, a shell, copies ...). Every number has bounds and every
choice is an enum, and the JSON schema is shaped for llama.cpp's schema-to-grammar conversion:
each alternative is an object told apart by a `type` constant, keys are short, nothing is
recursive and every list has a maximum length. So a grammar can hold even a small model to
programs that parse.
"""

from __future__ import annotations

import copy
import functools
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator

from partsmith.kit.registry import FAMILIES
from partsmith.kit.screws import SCREWS

# Sizes: lengths, positions (which may be negative), depths (0: through), angles, counts.
Len = Annotated[float, Field(ge=0.1, le=2000, description="mm")]
Len0 = Annotated[float, Field(ge=0, le=2000, description="mm")]
Pos = Annotated[float, Field(ge=-2000, le=2000, description="mm")]
Deg = Annotated[float, Field(ge=-360, le=360, description="deg")]
Count = Annotated[int, Field(ge=1, le=50)]
Sides = Annotated[int, Field(ge=3, le=24)]
# Which earlier entry a feature works on (its index in `features`); -1: the whole part.
Of = Annotated[int, Field(ge=-1, le=23)]

Face = Literal["top", "bottom", "front", "back", "left", "right"]
Axis = Literal["z", "x", "y", "-z", "-x", "-y"]
Op = Literal["add", "cut", "intersect"]
EdgeGroup = Literal[
    "all", "vertical", "horizontal", "long", "top", "bottom", "front", "back", "left", "right", "joint"
]
if TYPE_CHECKING:
    MetricSize = str
else:  # the sizes of the kit's one screw table, as a choice the grammar and the schema list
    MetricSize = Literal[("none", *SCREWS)]

MAX_FEATURES = 24
MAX_POINTS = 24
MAX_SEGMENTS = 24


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- 2D shapes (pocket, boss, extrusion, loft), centred on their position ------------------------


class Rect(_Strict):
    """A rectangle `w` along the first axis, `l` along the second, corners rounded by `r`."""

    type: Literal["rect"]
    w: Len
    l: Len  # noqa: E741
    r: Len0 = 0


class Circle(_Strict):
    type: Literal["circle"]
    d: Len


class Slot(_Strict):
    """A stadium: `l` between the centres of its round ends (along the first axis), `w` across."""

    type: Literal["slot"]
    l: Len  # noqa: E741
    w: Len


class Polygon(_Strict):
    """A regular polygon with `n` sides, `d` across its flats (or corners, `across`)."""

    type: Literal["polygon"]
    n: Sides
    d: Len
    across: Literal["flats", "corners"] = "flats"


class Line(_Strict):
    type: Literal["line"]
    x: Pos
    y: Pos


class Arc(_Strict):
    """A circular arc to (x, y) of radius |r|: r > 0 bulges right of the travel, r < 0 left."""

    type: Literal["arc"]
    x: Pos
    y: Pos
    r: Annotated[float, Field(ge=-2000, le=2000, description="mm")]


class Path(_Strict):
    """A closed outline from (x, y) through lines and arcs, closed back to the start."""

    type: Literal["path"]
    x: Pos
    y: Pos
    segs: list[Annotated[Line | Arc, Field(discriminator="type")]] = Field(
        min_length=2, max_length=MAX_SEGMENTS)


Shape = Annotated[Rect | Circle | Slot | Polygon | Path, Field(discriminator="type")]
FlatShape = Annotated[Rect | Circle | Slot | Polygon, Field(discriminator="type")]


# --- hole patterns, in the face's two coordinates -----------------------------------------------


class Pt(_Strict):
    x: Pos
    y: Pos


class Points(_Strict):
    type: Literal["points"]
    pts: list[Pt] = Field(min_length=1, max_length=MAX_POINTS)


class Grid(_Strict):
    """`nx` x `ny` points `dx` and `dy` apart, centred on (x, y)."""

    type: Literal["grid"]
    x: Pos = 0
    y: Pos = 0
    nx: Count
    ny: Count
    dx: Len0
    dy: Len0


class BoltCircle(_Strict):
    """`n` points evenly on a circle of diameter `d` about (x, y), the first at angle `a`."""

    type: Literal["circle"]
    x: Pos = 0
    y: Pos = 0
    n: Count
    d: Len
    a: Deg = 0


class Row(_Strict):
    """`n` points from (x, y) in steps of (dx, dy)."""

    type: Literal["row"]
    x: Pos
    y: Pos
    n: Count
    dx: Pos
    dy: Pos = 0


Pattern = Annotated[Points | Grid | BoltCircle | Row, Field(discriminator="type")]


# --- bodies --------------------------------------------------------------------------------------


class _Placed(_Strict):
    """Where a body goes: the centre of its base at (x, y, z) (a sphere, a torus: its centre),
    pointing along `axis`, spun `rot` degrees about it; `mid`: (x, y, z) is its middle. `op`:
    joined to, cut from or intersected with what came before."""

    x: Pos = 0
    y: Pos = 0
    z: Pos = 0
    axis: Axis = "z"
    rot: Deg = 0
    mid: bool = False
    op: Op = "add"


class Box(_Placed):
    type: Literal["box"]
    l: Len  # noqa: E741
    w: Len
    h: Len


class Cylinder(_Placed):
    type: Literal["cylinder"]
    d: Len
    h: Len


class Sphere(_Placed):
    type: Literal["sphere"]
    d: Len


class Cone(_Placed):
    """A cone or frustum: `d1` at the base, `d2` at the top (0: a point)."""

    type: Literal["cone"]
    d1: Len0
    d2: Len0
    h: Len


class Tube(_Placed):
    type: Literal["tube"]
    od: Len
    id: Len
    h: Len


class Torus(_Placed):
    """A ring `od` and `id` across; `wall` > 0: a hollow pipe ring with that wall."""

    type: Literal["torus"]
    od: Len
    id: Len
    wall: Len0 = 0


class Wedge(_Placed):
    """A ramp `l` long at the bottom and `top` long at the top (0: sharp), `w` wide, `h` high."""

    type: Literal["wedge"]
    l: Len  # noqa: E741
    w: Len
    h: Len
    top: Len0 = 0


class Prism(_Placed):
    """A regular polygon prism: `n` sides, `d` across flats (or corners), `h` high."""

    type: Literal["prism"]
    n: Sides
    d: Len
    h: Len
    across: Literal["flats", "corners"] = "flats"


class Extrude(_Placed):
    """A 2D shape (a path of lines and arcs, a rectangle, a slot ...) extruded `h`."""

    type: Literal["extrude"]
    shape: Shape
    h: Len


class Revolve(_Placed):
    """A path drawn with x = distance from the axis, y = height, turned `a` degrees about it."""

    type: Literal["revolve"]
    shape: Path
    a: Annotated[float, Field(ge=1, le=360, description="deg")] = 360


class Loft(_Placed):
    """A solid blending the `bottom` shape into the `top` shape `h` above it."""

    type: Literal["loft"]
    bottom: FlatShape
    top: FlatShape
    h: Len


class Pyramid(_Placed):
    """A rectangular pyramid `l` x `w` at the base, `h` high; `tl` x `tw` at the top: a frustum
    (a tapered block; both 0: a point)."""

    type: Literal["pyramid"]
    l: Len  # noqa: E741
    w: Len
    h: Len
    tl: Len0 = 0
    tw: Len0 = 0


class Dome(_Placed):
    """A dome (a spherical cap) on its flat base, `d` across the base, `h` high (0: a hemisphere)."""

    type: Literal["dome"]
    d: Len
    h: Len0 = 0


class Capsule(_Placed):
    """A cylinder with hemispherical ends (a pill), `d` across, `l` long overall, ends included."""

    type: Literal["capsule"]
    d: Len
    l: Len  # noqa: E741


class Triangle(_Placed):
    """A right-triangle plate: the right angle at (x, y), legs `lx` along X and `ly` along Y, `h`
    thick."""

    type: Literal["triangle"]
    lx: Len
    ly: Len
    h: Len


# --- features ------------------------------------------------------------------------------------


class Hole(_Strict):
    """Round holes on a face at a pattern of points: `d` across (or an `m` screw size as a
    clearance or tap drill), `depth` deep (0: through), with an optional counterbore
    (`cb_d`, `cb_h`) or countersink (`cs_d`, included angle `cs_a`)."""

    type: Literal["hole"]
    face: Face = "top"
    at: Pattern
    d: Len0 = 0
    m: MetricSize = "none"
    fit: Literal["clearance", "tap"] = "clearance"
    depth: Len0 = 0
    cb_d: Len0 = 0
    cb_h: Len0 = 0
    cs_d: Len0 = 0
    cs_a: Annotated[float, Field(ge=60, le=120, description="deg")] = 90

    @model_validator(mode="after")
    def _size(self) -> Hole:
        if self.d <= 0 and self.m == "none":
            raise ValueError("a hole needs a diameter `d` or a screw size `m`")
        return self


class Pocket(_Strict):
    """A cut of `shape` into a face at (x, y), turned `a` degrees, `depth` deep (0: through)."""

    type: Literal["pocket"]
    face: Face = "top"
    shape: FlatShape
    x: Pos = 0
    y: Pos = 0
    a: Deg = 0
    depth: Len0 = 0


class Boss(_Strict):
    """`shape` raised `h` out of a face at (x, y), turned `a` degrees."""

    type: Literal["boss"]
    face: Face = "top"
    shape: FlatShape
    x: Pos = 0
    y: Pos = 0
    a: Deg = 0
    h: Len


class Rib(_Strict):
    """A wall `t` thick and `h` high on a face from (x1, y1) to (x2, y2)."""

    type: Literal["rib"]
    face: Face = "top"
    x1: Pos
    y1: Pos
    x2: Pos
    y2: Pos
    t: Len
    h: Len


class Ledge(_Strict):
    """A step `w` wide and `depth` deep cut all round the outline of a face."""

    type: Literal["ledge"]
    face: Face = "top"
    w: Len
    depth: Len


class Fillet(_Strict):
    """Round the edges in a group (of feature `of`'s surface, when `of` >= 0) to radius `r`."""

    type: Literal["fillet"]
    r: Len
    edges: EdgeGroup = "all"
    of: Of = -1


class Chamfer(_Strict):
    type: Literal["chamfer"]
    l: Len  # noqa: E741
    edges: EdgeGroup = "all"
    of: Of = -1


class Shell(_Strict):
    """Hollow the part to walls `t` thick, open on one face (`none`: closed)."""

    type: Literal["shell"]
    t: Len
    open: Literal["top", "bottom", "front", "back", "left", "right", "none"] = "top"


class Mirror(_Strict):
    """Add the mirror image of the part (or of feature `of`) across a plane through the origin."""

    type: Literal["mirror"]
    plane: Literal["yz", "xz", "xy"] = "yz"
    of: Of = -1


class Linear(_Strict):
    """`n` copies in all of the part (or of feature `of`), each (dx, dy, dz) from the last."""

    type: Literal["linear"]
    n: Count
    dx: Pos = 0
    dy: Pos = 0
    dz: Pos = 0
    of: Of = -1


class Polar(_Strict):
    """`n` copies in all of the part (or of feature `of`) over `a` degrees about an axis."""

    type: Literal["polar"]
    n: Count
    a: Annotated[float, Field(ge=1, le=360, description="deg")] = 360
    axis: Literal["z", "x", "y"] = "z"
    of: Of = -1


PRIMITIVES: tuple[type[BaseModel], ...] = (
    Box, Cylinder, Sphere, Cone, Tube, Torus, Wedge, Prism, Extrude, Revolve, Loft, Pyramid, Dome,
    Capsule, Triangle)
OPERATIONS: tuple[type[BaseModel], ...] = (
    Hole, Pocket, Boss, Rib, Ledge, Fillet, Chamfer, Shell, Mirror, Linear, Polar)


def kit_type(family: str) -> str:
    """The program's name for a kit family (prefixed where a primitive has the same name)."""
    taken = {model.model_fields["type"].annotation.__args__[0] for model in PRIMITIVES}  # type: ignore[union-attr]
    return f"kit_{family}" if family in taken else family


def _kit_model(name: str) -> type[BaseModel]:
    entry = FAMILIES[name]
    fields: dict[str, Any] = {"type": (Literal[kit_type(name)], ...)}
    for field_name, info in entry.model.model_fields.items():
        fields[field_name] = (info.annotation, info)
    model: type[BaseModel] = create_model(f"Kit_{name}", __base__=_Placed, **fields)
    model.__doc__ = entry.summary
    return model


KIT_BODIES: dict[str, type[BaseModel]] = {kit_type(name): _kit_model(name) for name in FAMILIES}
# A program body's type -> the kit family it is (the one lookup; `kit_type` goes the other way).
FAMILY_OF_TYPE: dict[str, str] = {kit_type(name): name for name in FAMILIES}
BODIES: tuple[type[BaseModel], ...] = (*PRIMITIVES, *KIT_BODIES.values())
ALL: tuple[type[BaseModel], ...] = (*BODIES, *OPERATIONS)

if TYPE_CHECKING:
    class Feature(_Strict):
        """Any one entry of a program (for the type checker: every entry has a `type`)."""

        type: str
else:
    # The union is built at import time (the kit families come from the registry).
    Feature = Annotated[Union[ALL], Field(discriminator="type")]  # noqa: UP007


class Program(_Strict):
    """A part: its features in order, the first a body."""

    features: list[Feature] = Field(min_length=1, max_length=MAX_FEATURES)

    @model_validator(mode="after")
    def _order(self) -> Program:
        first = self.features[0]
        if not isinstance(first, BODIES) or getattr(first, "op", "add") != "add":
            raise ValueError("features[0] must be a body that is added (a box, a cylinder ...)")
        for index, feature in enumerate(self.features):
            of = getattr(feature, "of", -1)
            if of >= index:
                raise ValueError(f"features[{index}] ({feature.type}) names features[{of}], which "
                                 "does not come before it")
            if of >= 0 and not isinstance(self.features[of], (*BODIES, Hole, Pocket, Boss, Rib)):
                raise ValueError(f"features[{index}] ({feature.type}) names features[{of}] "
                                 f"({self.features[of].type}), which adds or cuts no solid")
        return self


def is_body(feature: BaseModel) -> bool:
    return isinstance(feature, BODIES)


def json_schema() -> dict[str, Any]:
    """The program's JSON schema, flattened for a grammar: references inlined, `oneOf` as
    `anyOf`, titles, descriptions, defaults and the discriminator hints left out. Bounds (minimum,
    maximum), enums, constants and list lengths stay. (A copy: the caller may change it.)"""
    return copy.deepcopy(_flat_schema())


@functools.cache
def _flat_schema() -> dict[str, Any]:
    """The flattened schema, made once: pydantic takes about 0.2 s to write it."""
    raw = Program.model_json_schema()
    defs = raw.pop("$defs", {})
    flat: dict[str, Any] = _flatten(raw, defs)
    return flat


# Placement keys come after a body's sizes in the grammar's (fixed) key order.
PLACEMENT = ("x", "y", "z", "axis", "rot", "mid", "op")
_DROP = {"title", "description", "default", "discriminator"}


def _flatten(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, list):
        return [_flatten(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return _flatten(defs[node["$ref"].rsplit("/", 1)[-1]], defs)
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DROP:
            continue
        if key == "oneOf":
            key = "anyOf"
        if key == "properties":
            out[key] = {name: _flatten(v, defs) for name, v in value.items()}
            continue
        out[key] = _flatten(value, defs)
    if out.get("type") == "object" and "properties" in out:
        out["properties"] = _arranged(out["properties"], out.get("required", []))
        out["additionalProperties"] = False
    return out


def _arranged(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    """Keys in the order the grammar asks for them: llama.cpp's converter puts the required keys
    first and the optional ones after, each in declared order. Declared order here: `type` first,
    a body's placement after its sizes."""
    body = "op" in properties
    names = sorted(properties, key=lambda n: (n != "type", n not in required, body and n in PLACEMENT))
    return {name: properties[name] for name in names}


def _arrange(data: Any, node: dict[str, Any]) -> Any:
    """`data` with its keys in the order of the (flattened) schema `node`."""
    if "anyOf" in node and isinstance(data, dict):
        for option in node["anyOf"]:
            const = option.get("properties", {}).get("type", {}).get("const")
            if const == data.get("type"):
                return _arrange(data, option)
        return data
    if isinstance(data, dict) and "properties" in node:
        return {k: _arrange(data[k], node["properties"][k]) for k in node["properties"] if k in data}
    if isinstance(data, list) and "items" in node:
        return [_arrange(item, node["items"]) for item in data]
    if isinstance(data, float) and data.is_integer():
        return int(data)  # fewer tokens; the schema's numbers take integers too
    return data


def dump(program: Program) -> str:
    """The program as one line of JSON in the grammar's key order."""
    import json

    data = program.model_dump(exclude_defaults=True)
    for raw, feature in zip(data["features"], program.features, strict=True):
        raw["type"] = feature.type
    return json.dumps(_arrange(data, _flat_schema()), separators=(", ", ": "))


def parse(data: Any) -> Program:
    """A program from decoded JSON; raises pydantic's ValidationError when it does not fit."""
    return Program.model_validate(data)
