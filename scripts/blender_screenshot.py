"""Runs inside a real Blender window (under xvfb) for scripts/screenshots.py: installs the add-on,
opens the Partsmith tab, generates the prompt through the panel's modal operator (so the timer
polling and the status line are the real ones), then saves a screenshot and quits.

Environment: PARTSMITH_ZIP (the extension or legacy zip), PARTSMITH_PROMPT, PARTSMITH_SHOT, and
PARTSMITH_CHECKS (optional): a JSON file for the tests, with what the window showed, including
what one undo did and how often Blender's event loop ran while the engine worked.
"""

import contextlib
import os
import sys
import time

import bpy

STARTED = time.monotonic()
TICKS: list[float] = []  # when the UI loop ran while the part was being made


def install() -> str:
    zip_path = os.environ["PARTSMITH_ZIP"]
    if bpy.app.version >= (4, 2, 0):
        bpy.ops.extensions.package_install_files(filepath=zip_path, repo="user_default",
                                                 enable_on_install=True)
        return "bl_ext.user_default.partsmith"
    bpy.ops.preferences.addon_install(filepath=zip_path, overwrite=True)
    bpy.ops.preferences.addon_enable(module="partsmith")
    return "partsmith"


def window_context():
    window = bpy.context.window_manager.windows[0]
    area = next(a for a in window.screen.areas if a.type == "VIEW_3D")
    region = next(r for r in area.regions if r.type == "WINDOW")
    return window, area, region


def setup_view() -> None:
    for obj in list(bpy.data.objects):
        bpy.data.objects.remove(obj)
    _, area, _ = window_context()
    space = area.spaces.active
    space.show_region_ui = True
    space.shading.type = "SOLID"
    space.overlay.show_floor = True
    shown = False
    for region_ui in area.regions:
        if region_ui.type == "UI":
            # Blender 4.x can name the sidebar's tab to show.
            with contextlib.suppress(AttributeError, TypeError):
                region_ui.active_panel_category = "Partsmith"
                shown = True
    if not shown:
        # Older versions show the first tab; for the picture, the sidebar keeps only ours.
        for cls in list(bpy.types.Panel.__subclasses__()):
            if getattr(cls, "bl_space_type", "") == "VIEW_3D" and getattr(cls, "bl_region_type", "") == "UI" \
                    and getattr(cls, "bl_category", "") != "Partsmith":
                with contextlib.suppress(RuntimeError):
                    bpy.utils.unregister_class(cls)
    bpy.context.scene.partsmith_prompt = os.environ["PARTSMITH_PROMPT"]
    bpy.context.scene.unit_settings.length_unit = "MILLIMETERS"


def generate() -> None:
    window, area, region = window_context()
    with bpy.context.temp_override(window=window, area=area, region=region):
        bpy.ops.partsmith.generate("INVOKE_DEFAULT")


def frame_and_shoot() -> float | None:
    status = bpy.context.window_manager.partsmith
    if status.job_id and time.monotonic() - STARTED < 300:
        TICKS.append(time.monotonic())
        return 0.05  # still working: look again soon
    import math

    from mathutils import Euler

    window, area, region = window_context()
    view = area.spaces.active.region_3d
    view.view_rotation = Euler((math.radians(55), 0, math.radians(35))).to_quaternion()
    view.view_perspective = "ORTHO"
    with bpy.context.temp_override(window=window, area=area, region=region):
        bpy.ops.view3d.view_selected()
    view.view_distance *= 1.8
    if not hasattr(area.regions[0], "active_panel_category"):
        click_partsmith_tab(window, area)
    bpy.app.timers.register(shoot, first_interval=1.5)
    return None


def click_partsmith_tab(window, area) -> None:
    """Blender before 4.2 has no API for the sidebar's tab: click it, as a user would. The tabs
    run down the sidebar's right edge; after the built-in "Item" tab comes "Partsmith"."""
    import shutil
    import subprocess

    region = next(r for r in area.regions if r.type == "UI")
    x = region.x + region.width - 9
    top = window.height - (region.y + region.height)
    if shutil.which("xdotool"):
        subprocess.run(["xdotool", "mousemove", str(x), str(top + 78), "click", "1"], check=False)


def shoot() -> None:
    window, area, region = window_context()
    with bpy.context.temp_override(window=window, area=area, region=region):
        bpy.ops.screen.screenshot(filepath=os.environ["PARTSMITH_SHOT"])
    print("partsmith screenshot:", bpy.context.window_manager.partsmith.stage, flush=True)
    if os.environ.get("PARTSMITH_CHECKS"):
        checks(window, area, region)
    os._exit(0)  # bpy segfaults at exit after a glTF import on some builds


def checks(window, area, region) -> None:
    import itertools
    import json

    gaps = [b - a for a, b in itertools.pairwise(TICKS)]
    seen = {"version": bpy.app.version_string, "stage": bpy.context.window_manager.partsmith.stage,
            "ticks": len(TICKS), "longest_gap_s": max(gaps, default=None)}
    parts = [o for o in bpy.data.objects if "partsmith_id" in o]
    seen["parts"] = [{"name": o.name, "dimensions": list(o.dimensions),
                      "rotation": list(o.rotation_euler), "location": list(o.location)} for o in parts]
    with bpy.context.temp_override(window=window, area=area, region=region):
        bpy.ops.ed.undo()
        seen["after_undo"] = sorted(o.name for o in bpy.data.objects if "partsmith_id" in o)
        bpy.ops.ed.redo()
        seen["after_redo"] = sorted(o.name for o in bpy.data.objects if "partsmith_id" in o)
    with open(os.environ["PARTSMITH_CHECKS"], "w") as handle:  # noqa: PTH123
        json.dump(seen, handle)


def start() -> None:
    install()
    setup_view()
    bpy.app.timers.register(lambda: generate() or None, first_interval=1.0)
    bpy.app.timers.register(frame_and_shoot, first_interval=1.2)


if __name__ == "__main__":
    try:
        start()
    except Exception as exc:  # noqa: BLE001 (printed for scripts/screenshots.py)
        print("partsmith screenshot failed:", exc, file=sys.stderr, flush=True)
        os._exit(1)
