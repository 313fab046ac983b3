"""Run by Blender (`blender -b --python blender_side.py -- ACTION REPORT [ENGINE] [ZIP]`) for
`partsmith install blender`: installs and enables the legacy add-on (before 4.2), writes the
engine command into the add-on's preferences and saves them, or removes it all; then reports
what a Blender process sees: the add-on enabled, its panel registered, the engine command.

Importable anywhere: bpy is imported only when it runs.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import traceback
from pathlib import Path
from typing import Any

LEGACY = "partsmith"
EXTENSION = "bl_ext.user_default.partsmith"


def _module() -> str:
    """The add-on's module name in this Blender: the extension's from 4.2, else the legacy one."""
    import bpy

    addons = bpy.context.preferences.addons
    for name in (EXTENSION, LEGACY):
        if name in addons:
            return name
    return EXTENSION if bpy.app.version >= (4, 2, 0) else LEGACY


def _legacy_folder() -> str:
    import bpy

    return str(bpy.utils.user_resource("SCRIPTS", path="addons", create=True))


def install_legacy(zip_path: str) -> None:
    """The add-on into the user's add-on folder (an older copy removed first), enabled."""
    import addon_utils
    import bpy

    addon_utils.disable(LEGACY, default_set=True)
    old = Path(_legacy_folder()) / LEGACY
    if old.is_dir():
        shutil.rmtree(old)
    bpy.ops.preferences.addon_install(filepath=zip_path, overwrite=True)
    bpy.ops.preferences.addon_enable(module=LEGACY)


def uninstall_legacy() -> None:
    import addon_utils

    addon_utils.disable(LEGACY, default_set=True)
    old = Path(_legacy_folder()) / LEGACY
    if old.is_dir():
        shutil.rmtree(old)


def set_engine(engine: str) -> None:
    import bpy

    bpy.context.preferences.addons[_module()].preferences.engine_command = engine


def status() -> dict[str, Any]:
    import bpy

    module = _module()
    addon = bpy.context.preferences.addons.get(module)
    return {"version": list(bpy.app.version), "module": module, "enabled": addon is not None,
            "panel": hasattr(bpy.types, "VIEW3D_PT_partsmith"),
            "engine_command": addon.preferences.engine_command if addon is not None else "",
            "legacy_folder": _legacy_folder()}


def act(action: str, engine: str, zip_path: str) -> dict[str, Any]:
    import bpy

    if action == "install-legacy":
        install_legacy(zip_path)
    if action == "uninstall-legacy":
        uninstall_legacy()
    if action in {"install-legacy", "set-engine"}:
        set_engine(engine)
    if action != "status":
        bpy.ops.wm.save_userpref()
    return status()


def main() -> None:
    args = sys.argv[sys.argv.index("--") + 1:] if "--" in sys.argv else []
    action, report = args[0], args[1]
    engine = args[2] if len(args) > 2 else ""
    zip_path = args[3] if len(args) > 3 else ""
    try:
        seen = act(action, engine, zip_path)
    except Exception:  # noqa: BLE001 (reported to the installer, which shows it)
        seen = {"error": traceback.format_exc().strip().splitlines()[-1]}
    with open(report, "w") as handle:  # noqa: PTH123
        json.dump(seen, handle)
    sys.stdout.flush()
    os._exit(0)  # Blender's own exit can crash after some add-ons; the report is written


if __name__ == "__main__":
    main()
