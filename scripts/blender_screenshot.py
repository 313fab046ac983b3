"""Runs inside a real Blender window (under xvfb) for scripts/screenshots.py: installs the add-on,
opens the Partsmith tab, generates the prompt through the panel's modal operator (so the timer
polling and the status line are the real ones), imports a part whose script's head comments give
its parameters' fields (a drop-down for a choice, lengths in the scene's unit), then saves a
screenshot and quits.

Environment: PARTSMITH_ZIP (the extension or legacy zip), PARTSMITH_PROMPT, PARTSMITH_SHOT, and
PARTSMITH_CHECKS (optional): a JSON file for the tests, with what the window showed, including
what one undo did, how often Blender's event loop ran while the engine worked and while an engine
that never comes up was awaited, and whether the selection is still followed after a file loads.
"""

import contextlib
import os
import sys
import time

import bpy

STARTED = time.monotonic()
TICKS: list[float] = []  # when the UI loop ran while the part was being made
SEEN: dict = {}


def later(step, first_interval: float, persistent: bool = False) -> None:  # type: ignore[no-untyped-def]
    """Run `step` from Blender's timer; an exception in it ends the run with its traceback in
    the checks file (a timer's exception is printed and the run would wait for nothing)."""

    def guarded():  # type: ignore[no-untyped-def]
        try:
            return step()
        except Exception:  # noqa: BLE001 (reported to the test, then the run ends)
            import json
            import traceback

            print(traceback.format_exc(), file=sys.stderr, flush=True)
            if os.environ.get("PARTSMITH_CHECKS"):
                with open(os.environ["PARTSMITH_CHECKS"], "w") as handle:  # noqa: PTH123
                    json.dump({**SEEN, "error": traceback.format_exc()}, handle, default=str)
            os._exit(1)

    bpy.app.timers.register(guarded, first_interval=first_interval, persistent=persistent)
SPEC_SCRIPT = '''"""A mounting plate whose head comments follow the parameter contract."""
from build123d import Box, Cylinder, Locations, Pos

length = 60  # mm [10, 200] - along X
width = 40.0  # mm [10, 200] - along Y
thickness = 5  # mm [1, 20]
holes = "corners"  # one of: none, corners, centre - where the holes go
hole_diameter = 5.0  # mm [1, 12]

result = Box(length, width, thickness)
if holes == "corners":
    spots = [(x, y) for x in (-length / 2 + 8, length / 2 - 8) for y in (-width / 2 + 8, width / 2 - 8)]
    result -= Locations(*spots) * Cylinder(hole_diameter / 2, thickness * 2)
elif holes == "centre":
    result -= Pos(0, 0, 0) * Cylinder(hole_diameter / 2, thickness * 2)
'''


MODULE = "partsmith"


def addon(name: str):
    import importlib

    return importlib.import_module(f"{MODULE}.{name}")


def install() -> str:
    global MODULE
    zip_path = os.environ["PARTSMITH_ZIP"]
    if bpy.app.version >= (4, 2, 0):
        bpy.ops.extensions.package_install_files(filepath=zip_path, repo="user_default",
                                                 enable_on_install=True)
        MODULE = "bl_ext.user_default.partsmith"
        return MODULE
    bpy.ops.preferences.addon_install(filepath=zip_path, overwrite=True)
    bpy.ops.preferences.addon_enable(module="partsmith")
    return "partsmith"


def window_context():
    window = bpy.context.window_manager.windows[0]
    area = next(a for a in window.screen.areas if a.type == "VIEW_3D")
    region = next(r for r in area.regions if r.type == "WINDOW")
    return window, area, region


def setup_view() -> None:
    # The checks keep the new file's default cube, as a new user has it: the part must land beside
    # it. The picture shows the part alone.
    for obj in list(bpy.data.objects) if not os.environ.get("PARTSMITH_CHECKS") else []:
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

    if os.environ.get("PARTSMITH_CHECKS"):
        undo_checks()
    else:  # the picture: only the part whose fields it shows
        for obj in [o for o in bpy.data.objects if "partsmith_id" in o]:
            bpy.data.objects.remove(obj)
    import_spec_part()
    window, area, region = window_context()
    view = area.spaces.active.region_3d
    view.view_rotation = Euler((math.radians(55), 0, math.radians(35))).to_quaternion()
    view.view_perspective = "ORTHO"
    with bpy.context.temp_override(window=window, area=area, region=region):
        bpy.ops.view3d.view_selected()
    view.view_distance *= 1.8
    if not hasattr(area.regions[0], "active_panel_category"):
        click_partsmith_tab(window, area)
    later(shoot, first_interval=1.5)
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


def import_spec_part() -> None:
    """A part from a script with the contract's comments, so its fields fit (drop-down, lengths)."""
    client = addon("connection").get(bpy.context)
    prompt = "a 60 x 40 x 5 mm mounting plate with 5 mm holes in the corners"
    job = client.wait(client.submit("script", script=SPEC_SCRIPT, host="blender", prompt=prompt)["id"])
    bpy.ops.partsmith.import_entry("EXEC_DEFAULT", entry_id=job["entry"]["id"])
    params = bpy.context.window_manager.partsmith.params
    SEEN["spec_fields"] = {item.name: [item.kind, item.bl_rna.properties[item.field()].type]
                           for item in params}
    SEEN["spec_part"] = bpy.context.view_layer.objects.active.name


def shoot() -> None:
    window, area, region = window_context()
    with bpy.context.temp_override(window=window, area=area, region=region):
        bpy.ops.screen.screenshot(filepath=os.environ["PARTSMITH_SHOT"])
    print("partsmith screenshot:", bpy.context.window_manager.partsmith.stage, flush=True)
    if os.environ.get("PARTSMITH_CHECKS"):
        no_engine_check()
        return
    os._exit(0)  # bpy segfaults at exit after a glTF import on some builds


def undo_checks() -> None:
    import itertools

    window, area, region = window_context()
    gaps = [b - a for a, b in itertools.pairwise(TICKS)]
    SEEN.update({"version": bpy.app.version_string, "stage": bpy.context.window_manager.partsmith.stage,
                 "ticks": len(TICKS), "longest_gap_s": max(gaps, default=None)})
    parts = [o for o in bpy.data.objects if "partsmith_id" in o]
    SEEN["parts"] = [{"name": o.name, "dimensions": list(o.dimensions),
                      "rotation": list(o.rotation_euler), "location": list(o.location)} for o in parts]
    with bpy.context.temp_override(window=window, area=area, region=region):
        bpy.ops.ed.undo()
        SEEN["after_undo"] = sorted(o.name for o in bpy.data.objects if "partsmith_id" in o)
        SEEN["fields_after_undo"] = sorted(p.name for p in bpy.context.window_manager.partsmith.params)
        bpy.ops.ed.redo()
        SEEN["after_redo"] = sorted(o.name for o in bpy.data.objects if "partsmith_id" in o)
        SEEN["fields_after_redo"] = sorted(p.name for p in bpy.context.window_manager.partsmith.params)


def no_engine_check() -> None:
    """No engine running, and an engine command that takes seconds to fail: Generate shows what is
    happening and Blender's event loop keeps running until the failure is shown."""
    import tempfile

    prefs = bpy.context.preferences.addons[MODULE].preferences
    prefs.engine_command = "sleep 4"  # "starts", answers nothing, exits after 4 s
    os.environ["PARTSMITH_HOME"] = tempfile.mkdtemp()  # this test's own process: no engine here
    addon("connection").forget()
    ticks: list[float] = []
    lines: set[str] = set()
    bpy.context.scene.partsmith_prompt = "a 10 mm cube"
    asked = time.monotonic()
    generate()

    def watch() -> float | None:
        status = bpy.context.window_manager.partsmith
        ticks.append(time.monotonic())
        lines.add(status.stage)
        if status.stage.startswith("failed") or len(ticks) > 600:
            import itertools

            SEEN["no_engine_lines"] = sorted(lines)
            SEEN["no_engine_seconds"] = ticks[-1] - asked
            SEEN["no_engine_longest_gap_s"] = max(b - a for a, b in itertools.pairwise(ticks))
            later(load_check, first_interval=0.2)
            return None
        return 0.05

    later(watch, first_interval=0.05)


def load_check() -> None:
    """After a file is loaded, selecting a part still shows its parameters (the selection is
    followed again after every load)."""
    import tempfile

    path = os.path.join(tempfile.mkdtemp(), "scene.blend")  # noqa: PTH118
    bpy.ops.wm.save_as_mainfile(filepath=path)
    later(lambda: load_and_select(path), first_interval=0.2, persistent=True)


def load_and_select(path: str) -> None:
    bpy.ops.wm.open_mainfile(filepath=path)
    later(select_spec_part, first_interval=0.5, persistent=True)


def select_spec_part() -> None:
    bpy.context.window_manager.partsmith.params.clear()
    part = bpy.data.objects[SEEN["spec_part"]]
    other = next(o for o in bpy.data.objects if o.name != part.name and "partsmith_id" in o)
    bpy.context.view_layer.objects.active = other  # a change of selection the message bus reports
    bpy.context.view_layer.objects.active = part
    later(write_checks, first_interval=1.0, persistent=True)


def write_checks() -> None:
    import json

    SEEN["params_after_load"] = sorted(item.name for item in bpy.context.window_manager.partsmith.params)
    with open(os.environ["PARTSMITH_CHECKS"], "w") as handle:  # noqa: PTH123
        json.dump(SEEN, handle)
    os._exit(0)


IDLE_TICKS: list[float] = []  # when the UI loop ran with nothing to do: this machine's own pace now
IDLE_S = 2.0


def idle_then_generate() -> float | None:
    """Tick with nothing running for IDLE_S (the gaps a busy machine gives an idle Blender, the
    yardstick for the gaps while the engine works), then press Generate."""
    IDLE_TICKS.append(time.monotonic())
    if IDLE_TICKS[-1] - IDLE_TICKS[0] < IDLE_S:
        return 0.05
    import itertools

    SEEN["idle_longest_gap_s"] = max(b - a for a, b in itertools.pairwise(IDLE_TICKS))
    generate()
    later(frame_and_shoot, first_interval=0.2)
    return None


def start() -> None:
    install()
    setup_view()
    later(idle_then_generate, first_interval=0.5)


if __name__ == "__main__":
    try:
        start()
    except Exception as exc:  # noqa: BLE001 (printed for scripts/screenshots.py)
        print("partsmith screenshot failed:", exc, file=sys.stderr, flush=True)
        os._exit(1)
