"""Puts an engine part into the scene: the GLB at the 3D cursor, in the active collection, at its
real size (the GLB is in metres, like Blender) with identity rotation, named after the prompt and
carrying its history id, parameters (and their specs) and STEP path as custom properties."""

from __future__ import annotations

import json
from typing import Any

import bpy
from mathutils import Matrix

NAME_CHARS = 48
KEY_ID = "partsmith_id"
KEY_PARAMS = "partsmith_params"
KEY_STEP = "partsmith_step"
KEY_PROMPT = "partsmith_prompt"
KEY_SPECS = "partsmith_specs"


def object_name(prompt: str) -> str:
    words = " ".join(prompt.split())
    return (words[:NAME_CHARS].rstrip() + "…") if len(words) > NAME_CHARS else (words or "Part")


def _import_files(files: dict[str, str]) -> list[bpy.types.Object]:
    """The part's objects: from the GLB, or from the STL (in mm, Z up) when Blender's glTF
    importer fails (Debian's Blender 3.4 glTF importer breaks on its own numpy, for one)."""
    before = set(bpy.data.objects)
    try:
        bpy.ops.import_scene.gltf(filepath=files["glb"], import_shading="NORMALS", merge_vertices=False)
    except (RuntimeError, KeyError) as exc:
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


def add_part(context: bpy.types.Context, entry: dict[str, Any]) -> bpy.types.Object:
    """A new object for a history entry (as `GET /v1/history/{id}` returns it)."""
    mesh = _one_mesh(_import_files(entry["files"]))
    mesh.name = object_name(entry.get("prompt", ""))
    obj = bpy.data.objects.new(mesh.name, mesh)
    obj.matrix_world = Matrix.Translation(context.scene.cursor.location)
    context.collection.objects.link(obj)
    _tag(obj, entry)
    for other in context.selected_objects:
        other.select_set(False)
    obj.select_set(True)
    context.view_layer.objects.active = obj
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
