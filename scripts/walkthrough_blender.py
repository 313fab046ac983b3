"""Runs inside a real Blender window (under xvfb) for scripts/walkthrough.py: a new user's first
session with the add-on that `partsmith install blender` put in a fresh home, against the engine
the add-on starts itself (the embedded model). The new file keeps its default cube. Steps: the
plate prompt (Generate), Apply length 80, Like "but 10 mm thick", Undo (Ctrl+Z typed into the 3D
view with xdotool), Apply again (width 50). The buttons run as the panel runs them (INVOKE, the
modal operator and its timer); a screenshot after each step; what each step made goes to
PARTSMITH_WALK_OUT/blender-walk.json.
"""

import faulthandler
import json
import os
import subprocess
import threading
import time
import traceback
from pathlib import Path

import bpy

OUT = Path(os.environ["PARTSMITH_WALK_OUT"])
# Open for the life of Blender: a crash writes its Python stack here.
FAULTS = Path(os.environ["PARTSMITH_WALK_LOGS"], "blender-faults.txt").open("w")  # noqa: SIM115
faulthandler.enable(FAULTS)
WALK: dict = {"steps": []}
STARTED = time.monotonic()


def window_context():
    window = bpy.context.window_manager.windows[0]
    area = next(a for a in window.screen.areas if a.type == "VIEW_3D")
    region = next(r for r in area.regions if r.type == "WINDOW")
    return window, area, region


def status():
    return bpy.context.window_manager.partsmith


def press(operator: str) -> None:
    window, area, region = window_context()
    with bpy.context.temp_override(window=window, area=area, region=region):
        getattr(bpy.ops.partsmith, operator)("INVOKE_DEFAULT")


def _size_mm(obj) -> list:
    """The mesh's own extent (its object has no rotation or scale): `dimensions` lags a new mesh."""
    coords = [v.co for v in obj.data.vertices]
    return [round((max(c[i] for c in coords) - min(c[i] for c in coords)) * 1000, 3) for i in range(3)]


def parts() -> list:
    return [{"name": o.name, "dimensions_mm": _size_mm(o),
             "location_mm": [round(v * 1000, 3) for v in o.location]}
            for o in bpy.data.objects if "partsmith_id" in o]


def fields() -> dict:
    return {item.label or item.name: item.value() for item in status().params}


def record(step: str, seconds: float | None = None) -> None:
    active = bpy.context.view_layer.objects.active
    WALK["steps"].append({
        "step": step, "seconds": seconds, "stage": status().stage, "engine": status().engine,
        "parts": parts(), "active": active.name if active is not None else None,
        "selected": [o.name for o in bpy.context.selected_objects], "fields": fields()})


def shoot(name: str) -> None:
    window, area, region = window_context()
    with bpy.context.temp_override(window=window, area=area, region=region):
        bpy.ops.screen.screenshot(filepath=str(OUT / f"blender-{name}.png"))


def set_field(label: str, value: float) -> None:
    item = next(i for i in status().params if (i.label or i.name) == label)
    item.set(value)


def open_tab() -> None:
    """Blender before 4.2 has no API for the sidebar's tab: click it, as a user would."""
    window, area, _ = window_context()
    area.spaces.active.show_region_ui = True
    region = next(r for r in area.regions if r.type == "UI")
    for region_ui in area.regions:
        if region_ui.type == "UI" and hasattr(region_ui, "active_panel_category"):
            region_ui.active_panel_category = "Partsmith"
            return
    x = region.x + region.width - 9
    top = window.height - (region.y + region.height)
    # The tabs down the sidebar's edge in Blender 3.4 at this size: Item, Tool, View, Partsmith.
    subprocess.run(["xdotool", "mousemove", str(x), str(top + 180), "click", "1"], check=False)


STEPS: list = []


def step(function):
    STEPS.append(function)
    return function


def run_steps() -> float | None:
    """Each step starts a job, or does its work and returns None; the next waits for the job."""
    stages = WALK.setdefault("stages", [])
    if not stages or stages[-1][0] != status().stage:
        stages.append([status().stage, round(time.monotonic() - CLOCK.get("t", STARTED), 2)])
    if status().job_id or any(t.name == "partsmith-task" and t.is_alive() for t in threading.enumerate()):
        # Wait for the add-on's background work too (the history refresh after a part): Blender
        # 3.4's screenshot operator crashed now and then while one of its threads was reading.
        return 0.1
    if time.monotonic() - STARTED > 600 or not STEPS:
        finish()
        return None
    try:
        STEPS.pop(0)()
    except Exception:  # noqa: BLE001 (written for the caller)
        WALK["crash"] = traceback.format_exc()
        finish()
        return None
    return 0.5


CLOCK: dict = {}


@step
def begin() -> None:
    open_tab()
    WALK["objects_at_start"] = sorted(o.name for o in bpy.data.objects)
    bpy.context.scene.partsmith_prompt = os.environ["PARTSMITH_WALK_PROMPT"]
    CLOCK["t"] = time.monotonic()
    press("generate")


@step
def after_generate() -> None:
    record("plate prompt", time.monotonic() - CLOCK["t"])
    WALK["first"] = bpy.context.view_layer.objects.active.name
    shoot("1-generate")
    set_field("length", 80)
    CLOCK["t"] = time.monotonic()
    press("apply")


@step
def after_apply() -> None:
    record("apply length 80", time.monotonic() - CLOCK["t"])
    shoot("2-apply-80")
    bpy.context.scene.partsmith_prompt = "but 10 mm thick"
    CLOCK["t"] = time.monotonic()
    press("like")


@step
def after_like() -> None:
    record("like: but 10 mm thick", time.monotonic() - CLOCK["t"])
    shoot("3-like-thick")
    window, area, _ = window_context()
    x = area.x + area.width // 2
    y = window.height - (area.y + area.height // 2)
    subprocess.run(["xdotool", "mousemove", str(x), str(y)], check=False)
    subprocess.run(["xdotool", "key", "ctrl+z"], check=False)


@step
def after_undo() -> None:
    record("undo (Ctrl+Z)")
    shoot("4-undo")
    first = bpy.data.objects[WALK["first"]]
    for obj in bpy.context.selected_objects:
        obj.select_set(False)
    first.select_set(True)
    bpy.context.view_layer.objects.active = first
    set_field("width", 50)
    CLOCK["t"] = time.monotonic()
    press("apply")


@step
def after_apply_again() -> None:
    record("apply width 50", time.monotonic() - CLOCK["t"])
    shoot("5-apply-again")


def finish() -> None:
    (OUT / "blender-walk.json").write_text(json.dumps(WALK, indent=2))
    os._exit(0)


bpy.context.preferences.view.show_splash = False
bpy.app.timers.register(run_steps, first_interval=2.0, persistent=True)
