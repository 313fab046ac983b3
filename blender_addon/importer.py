"""Puts an engine part into the scene: the GLB at the 3D cursor, in the active collection, at its
real size (the GLB is in metres, like Blender) with identity rotation, named after the prompt and
carrying its history id, parameters (and their specs) and STEP path as custom properties."""

from __future__ import annotations

import json
from typing import Any

import bpy
from mathutils import Matrix, Vector

NAME_CHARS = 48
KEY_ID = "partsmith_id"
KEY_PARAMS = "partsmith_params"
KEY_STEP = "partsmith_step"
KEY_PROMPT = "partsmith_prompt"
KEY_SPECS = "partsmith_specs"
KEY_FACTS = "partsmith_facts"


def object_name(prompt: str) -> str:
    words = " ".join(prompt.split())
    return (words[:NAME_CHARS].rstrip() + "…") if len(words) > NAME_CHARS else (words or "Part")


# Set when Blender's glTF importer has failed in this session: it is not tried again (a second
# failed import crashed Debian's Blender 3.4 now and then).
_GLTF_FAILED: list[str] = []


def _import_files(files: dict[str, str]) -> list[bpy.types.Object]:
    """The part's objects: from the GLB, or from the STL (in mm, Z up) when Blender's glTF
    importer fails (Debian's Blender 3.4 glTF importer breaks on its own numpy, for one)."""
    before = set(bpy.data.objects)
    try:
        if _GLTF_FAILED:
            raise RuntimeError(_GLTF_FAILED[0])
        bpy.ops.import_scene.gltf(filepath=files["glb"], import_shading="NORMALS", merge_vertices=False)
    except (RuntimeError, KeyError) as exc:
        if isinstance(exc, RuntimeError) and not _GLTF_FAILED:
            _GLTF_FAILED.append(last_line(exc))
        for obj in [o for o in bpy.data.objects if o not in before]:
            bpy.data.objects.remove(obj, do_unlink=True)
        if "stl" not in files:
            raise RuntimeError(f"Blender's glTF importer failed: {last_line(exc)}") from None
        print(f"Partsmith: the glTF importer failed ({last_line(exc)}); importing the STL instead")
        if hasattr(bpy.ops.wm, "stl_import"):  # Blender 4.1+
            bpy.ops.wm.stl_import(filepath=files["stl"], global_scale=0.001)
        else:
            bpy.ops.import_mesh.stl(filepath=files["stl"], global_scale=0.001)
    return [obj for obj in bpy.data.objects if obj not in before]


def last_line(exc: BaseException) -> str:
    """An error's message without the traceback Blender puts into operator errors."""
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    meaningful = [line for line in lines if not line.startswith(("File ", "Traceback", "^", "Location:"))]
    return (meaningful or lines or ["unknown error"])[-1][:300]


def _one_mesh(objects: list[bpy.types.Object]) -> bpy.types.Mesh:
    """A single mesh in the world frame of the imported objects (which are then removed)."""
    meshes = [obj for obj in objects if obj.type == "MESH"]
    if not meshes:
        raise RuntimeError("the engine's GLB holds no mesh")
    target = meshes[0].data.copy()
    target.transform(meshes[0].matrix_world)
    for other in meshes[1:]:
        extra = other.data.copy()
        extra.transform(other.matrix_world)
        _append(target, extra)
        bpy.data.meshes.remove(extra)
    for obj in objects:
        data = obj.data if obj.type == "MESH" else None
        bpy.data.objects.remove(obj, do_unlink=True)
        if data is not None and data.users == 0:
            bpy.data.meshes.remove(data)
    return target


def _append(target: bpy.types.Mesh, extra: bpy.types.Mesh) -> None:
    import bmesh

    combined = bmesh.new()
    combined.from_mesh(target)
    combined.from_mesh(extra)
    combined.to_mesh(target)
    combined.free()


def _tag(obj: bpy.types.Object, entry: dict[str, Any]) -> None:
    obj[KEY_ID] = entry["id"]
    obj[KEY_PROMPT] = entry.get("prompt", "")
    obj[KEY_PARAMS] = json.dumps(entry.get("parameters") or {})
    obj[KEY_STEP] = (entry.get("files") or {}).get("step", "")
    obj[KEY_SPECS] = json.dumps({spec["name"]: spec for spec in entry.get("parameter_specs") or []})
    obj[KEY_FACTS] = json.dumps(entry.get("facts") or [])


def make_active(context: bpy.types.Context, obj: bpy.types.Object) -> None:
    """The part alone selected and active, as after any tool that makes an object (the importer
    leaves its own objects selected, and they are gone)."""
    for other in context.view_layer.objects:
        if other is not None and other is not obj and other.select_get():
            other.select_set(False)
    obj.select_set(True)
    context.view_layer.objects.active = obj


# What a new part must not land inside (lights, cameras and empties take no room).
SOLID_TYPES = {"MESH", "CURVE", "SURFACE", "META", "FONT"}
# Space left between a new part and what is already in the scene, as a share of the part's size
# (at least 5 mm).
GAP = 0.2


def _world_box(objects: list[bpy.types.Object]) -> tuple[Vector, Vector] | None:
    corners = [obj.matrix_world @ Vector(corner) for obj in objects for corner in obj.bound_box]
    if not corners:
        return None
    return (Vector([min(c[i] for c in corners) for i in range(3)]),
            Vector([max(c[i] for c in corners) for i in range(3)]))


def free_spot(context: bpy.types.Context, mesh: bpy.types.Mesh) -> Vector:
    """Where a new part goes: at the 3D cursor, or, when that would put it inside or through what
    is already in the scene, beside it along X (as a person would put a new part on a bench)."""
    cursor = context.scene.cursor.location.copy()
    low = Vector([min(v.co[i] for v in mesh.vertices) for i in range(3)]) if mesh.vertices else Vector()
    high = Vector([max(v.co[i] for v in mesh.vertices) for i in range(3)]) if mesh.vertices else Vector()
    context.view_layer.update()  # the importer's own objects are gone: the layer must know it
    others = [obj for obj in context.view_layer.objects
              if obj is not None and obj.type in SOLID_TYPES and obj.visible_get()]
    scene = _world_box(others)
    if scene is None:
        return cursor
    placed_low, placed_high = cursor + low, cursor + high
    apart = any(placed_low[i] > scene[1][i] or placed_high[i] < scene[0][i] for i in range(3))
    if apart:
        return cursor
    gap = max(0.005, GAP * max(high - low))
    return Vector((scene[1].x + gap - low.x, cursor.y, cursor.z))


def frame(context: bpy.types.Context, obj: bpy.types.Object) -> None:
    """Frame the part in every 3D view of the window (the selected objects: the part alone)."""
    window = getattr(context, "window", None)
    screen = window.screen if window is not None else None
    for area in screen.areas if screen is not None else []:
        if area.type != "VIEW_3D":
            continue
        region = next((r for r in area.regions if r.type == "WINDOW"), None)
        if region is None:
            continue
        with context.temp_override(window=window, area=area, region=region):
            bpy.ops.view3d.view_selected(use_all_regions=False)


def redraw(context: bpy.types.Context) -> None:
    """Every editor shows the new part now (the outliner and the properties too), not at the
    next mouse move."""
    for window in context.window_manager.windows:
        for area in window.screen.areas:
            area.tag_redraw()


def add_part(context: bpy.types.Context, entry: dict[str, Any]) -> bpy.types.Object:
    """A new object for a history entry (as `GET /v1/history/{id}` returns it), beside what is
    in the scene, selected, active and framed."""
    mesh = _one_mesh(_import_files(entry["files"]))
    mesh.name = object_name(entry.get("prompt", ""))
    obj = bpy.data.objects.new(mesh.name, mesh)
    obj.matrix_world = Matrix.Translation(free_spot(context, mesh))
    context.collection.objects.link(obj)
    _tag(obj, entry)
    make_active(context, obj)
    frame(context, obj)
    redraw(context)
    return obj


def replace_part(obj: bpy.types.Object, entry: dict[str, Any]) -> bpy.types.Object:
    """The same object, its mesh replaced by the entry's (a rerun with new parameters)."""
    old = obj.data
    mesh = _one_mesh(_import_files(entry["files"]))
    mesh.name = old.name
    for material in old.materials:
        if material is not None and material.name not in mesh.materials:
            mesh.materials.append(material)
    obj.data = mesh
    if old.users == 0:
        bpy.data.meshes.remove(old)
    _tag(obj, entry)
    return obj


def _json_dict(obj: bpy.types.Object | None, key: str) -> dict[str, Any]:
    if obj is None or key not in obj:
        return {}
    try:
        data = json.loads(obj[key])
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def params_of(obj: bpy.types.Object | None) -> dict[str, Any]:
    """The part's parameter values (engine units: mm, degrees)."""
    return _json_dict(obj, KEY_PARAMS)


def specs_of(obj: bpy.types.Object | None) -> dict[str, dict[str, Any]]:
    """What field fits each parameter (kind, unit, limits, choices), as the engine served it."""
    return _json_dict(obj, KEY_SPECS)


def facts_of(obj: bpy.types.Object | None) -> list[dict[str, Any]]:
    """What the part's prompt stated and whether the part meets each (the engine's facts)."""
    if obj is None or KEY_FACTS not in obj:
        return []
    try:
        data = json.loads(obj[KEY_FACTS])
    except ValueError:
        return []
    return [fact for fact in data if isinstance(fact, dict)] if isinstance(data, list) else []
