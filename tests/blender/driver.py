"""Runs inside Blender's Python (the `bpy` wheel in its own environment), driven by the tests.

Usage: python driver.py ZIP RESULT.json; the engine is found through PARTSMITH_HOME. It installs
the extension zip, drives the operators as a user would, and writes what it saw. bpy 4.2
segfaults at exit after a glTF import, so it leaves through os._exit.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any

SPEC_SCRIPT = '''"""A plate whose head comments follow the parameter contract."""
from build123d import Box, Cylinder, Pos

length = 40  # mm [10, 200] - along X
width = 30.0  # mm [10, 200]
rows = 2  # [1, 6]
holes = "corners"  # one of: none, corners, centre - where the holes go

result = Box(length, width, 5)
if holes == "centre":
    result -= Pos(0, 0, 0) * Cylinder(3, 10)
'''


def describe(obj: Any) -> dict[str, Any]:
    return {
        "name": obj.name, "type": obj.type, "dimensions": list(obj.dimensions),
        "location": list(obj.location), "rotation": list(obj.rotation_euler), "scale": list(obj.scale),
        "collection": obj.users_collection[0].name if obj.users_collection else None,
        "props": {key: obj[key] for key in obj.keys() if key.startswith("partsmith_")},  # noqa: SIM118
        "vertices": len(obj.data.vertices), "polygons": len(obj.data.polygons),
        "mesh": obj.data.name,
    }


def run(zip_path: str) -> dict[str, Any]:
    import bpy

    seen: dict[str, Any] = {"version": bpy.app.version_string}
    result = bpy.ops.extensions.package_install_files(filepath=zip_path, repo="user_default",
                                                      enable_on_install=True)
    seen["installed"] = sorted(result)
    seen["addons"] = sorted(k for k in bpy.context.preferences.addons.keys() if "partsmith" in k)  # noqa: SIM118
    # What `partsmith install blender` runs inside a 4.2+ Blender after the extension installer.
    import importlib.util

    side_path = Path(__file__).resolve().parents[2] / "core" / "partsmith" / "install" / "blender_side.py"
    spec = importlib.util.spec_from_file_location("blender_side", side_path)
    side = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(side)
    seen["side_after_set_engine"] = side.act("set-engine", "/opt/partsmith/bin/partsmith serve", "")
    context = bpy.context
    scene = context.scene
    for obj in list(bpy.data.objects):  # an empty scene, as a new user's would be after deleting the cube
        bpy.data.objects.remove(obj)
    work = bpy.data.collections.new("Work")
    scene.collection.children.link(work)
    context.view_layer.active_layer_collection = context.view_layer.layer_collection.children["Work"]
    scene.cursor.location = (0.1, 0.2, 0.0)

    scene.partsmith_prompt = ""
    seen["generate_poll_empty"] = bpy.ops.partsmith.generate.poll()
    scene.partsmith_prompt = "a 40 x 30 x 5 mm plate with four 4 mm holes"
    seen["generate_poll"] = bpy.ops.partsmith.generate.poll()
    seen["apply_poll_nothing_selected"] = bpy.ops.partsmith.apply.poll()
    seen["generate"] = sorted(bpy.ops.partsmith.generate())
    part = context.active_object
    seen["part"] = describe(part)
    seen["params_fields"] = {item.name: item.value() for item in context.window_manager.partsmith.params}
    seen["history_list"] = [item.prompt for item in context.window_manager.partsmith.history]

    part = bpy.data.objects[seen["part"]["name"]]
    for obj in context.selected_objects:
        obj.select_set(False)
    part.select_set(True)
    context.view_layer.objects.active = part
    bpy.ops.partsmith.refresh()
    from importlib import import_module

    state = import_module("bl_ext.user_default.partsmith.state")
    connection = import_module("bl_ext.user_default.partsmith.connection")
    state.load_params(context)
    for item in context.window_manager.partsmith.params:
        if item.name == "length":
            item.set(60.0)
    seen["apply"] = sorted(bpy.ops.partsmith.apply())
    seen["applied"] = describe(bpy.data.objects[seen["part"]["name"]])
    seen["active_after_apply"] = context.view_layer.objects.active.name if context.view_layer.objects.active else None
    seen["selected_after_apply"] = [obj.name for obj in context.selected_objects]
    seen["fields_after_apply"] = {item.name: item.value() for item in context.window_manager.partsmith.params}
    seen["objects_after_apply"] = len(bpy.data.objects)

    scene.partsmith_prompt = "but 80 mm long"
    seen["like"] = sorted(bpy.ops.partsmith.like())
    seen["liked"] = describe(context.active_object)

    scene.partsmith_prompt = "an impossible part"
    objects_before = len(bpy.data.objects)
    try:  # from a script, an operator's ERROR report arrives as a RuntimeError with its text
        seen["failing"] = sorted(bpy.ops.partsmith.generate())
    except RuntimeError as exc:
        seen["failing"] = ["CANCELLED"]
        seen["failure_report"] = str(exc)
    seen["objects_after_failure"] = len(bpy.data.objects) - objects_before
    seen["status_after_failure"] = context.window_manager.partsmith.stage

    # Thumbnails: in the extension's own user folder, not a folder shared through /tmp.
    bpy.ops.partsmith.refresh()
    folder = state.thumbnails_folder()
    seen["thumbnails_folder"] = str(folder)
    seen["thumbnails"] = sorted(p.name for p in folder.glob("*.png"))
    seen["shared_tmp_thumbnails"] = (Path(tempfile.gettempdir()) / "partsmith-blender-thumbnails").exists()

    # Fields that fit their values, from a script with the contract's comments.
    client = connection.get(context)
    job = client.wait(client.submit("script", script=SPEC_SCRIPT, host="blender")["id"], timeout_s=120)
    seen["spec_job"] = job["state"]
    bpy.ops.partsmith.import_entry(entry_id=job["entry"]["id"])
    spec_part = context.view_layer.objects.active.name
    fields = {item.name: item for item in context.window_manager.partsmith.params}
    seen["spec_kinds"] = {name: item.kind for name, item in fields.items()}
    seen["spec_widgets"] = {name: item.bl_rna.properties[item.field()].type for name, item in fields.items()}
    seen["spec_length_units"] = [fields["length"].bl_rna.properties["length"].subtype,
                                 fields["length"].bl_rna.properties["length"].unit]
    seen["spec_length_blender"] = fields["length"].length
    seen["spec_values"] = {name: item.value() for name, item in fields.items()}
    seen["spec_choices"] = [i.identifier for i in fields["holes"].bl_rna.properties["choice"].enum_items_static] \
        or [i[0] for i in state._items(fields["holes"], context)]
    fields["length"].length = 9.0  # 9 m: beyond the 200 mm limit
    fields["rows"].whole = 0  # below the limit of 1
    seen["spec_clamped"] = {"length": fields["length"].value(), "rows": fields["rows"].value()}
    fields["holes"].choice = "centre"
    fields["length"].set(120)
    seen["spec_apply"] = sorted(bpy.ops.partsmith.apply())
    seen["spec_applied"] = describe(bpy.data.objects[spec_part])

    # The engine's settings go to the engine's process only, never into Blender's environment.
    prefs = context.preferences.addons["bl_ext.user_default.partsmith"].preferences
    prefs.gpu_layers = 5
    connection.forget()
    seen["start_env"] = connection.get(context).start_env
    seen["blender_env_gpu_layers"] = os.environ.get("PARTSMITH_LLM__N_GPU_LAYERS")

    # Loading a file: the parameters follow the loaded file's active part.
    context.view_layer.objects.active = bpy.data.objects[spec_part]
    saved = Path(tempfile.mkdtemp()) / "scene.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(saved))
    context.window_manager.partsmith.params.clear()
    bpy.ops.wm.open_mainfile(filepath=str(saved))
    seen["params_after_load"] = sorted(item.name for item in bpy.context.window_manager.partsmith.params)
    return seen


def main() -> None:
    zip_path, out = sys.argv[1], sys.argv[2]
    try:
        seen = run(zip_path)
    except Exception:  # noqa: BLE001 (reported to the test, which fails with it)
        seen = {"crash": traceback.format_exc()}
    with open(out, "w") as handle:  # noqa: PTH123
        json.dump(seen, handle, indent=2)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
