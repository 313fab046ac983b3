"""Run by FreeCAD's own Python (`freecadcmd freecad_side.py`) for `partsmith install freecad`:
reports FreeCAD's version and the Mod folder this version reads, and writes or removes the
workbench's parameters. Its orders come in PARTSMITH_INSTALL_* variables (FreeCADCmd keeps no
arguments for scripts); it answers in the JSON file PARTSMITH_INSTALL_REPORT.

Importable anywhere: FreeCAD is imported only when it runs.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path
from typing import Any

GROUP = "User parameter:BaseApp/Preferences/Mod/Partsmith"


def act(action: str, engine_command: str) -> dict[str, Any]:
    import FreeCAD as App

    parent, _, name = GROUP.rpartition("/")
    if action == "install":
        group = App.ParamGet(GROUP)
        group.SetString("EngineCommand", engine_command)
    elif action == "uninstall":
        App.ParamGet(GROUP).Clear()  # RemGroup alone leaves a group that a handle still holds
        App.ParamGet(parent).RemGroup(name)
    if action in {"install", "uninstall"} and hasattr(App, "saveParameter"):
        App.saveParameter()
    parameters = App.ParamGet(GROUP)
    mod = Path(App.getUserAppDataDir()) / "Mod"
    return {"version": [int(part) for part in App.Version()[:3] if part.isdigit()],
            "mod": str(mod), "engine_command": parameters.GetString("EngineCommand", ""),
            "workbench": (mod / "Partsmith" / "InitGui.py").is_file()}


def main() -> None:
    report = os.environ["PARTSMITH_INSTALL_REPORT"]
    try:
        seen = act(os.environ.get("PARTSMITH_INSTALL_ACTION", "status"),
                   os.environ.get("PARTSMITH_INSTALL_ENGINE", ""))
    except Exception:  # noqa: BLE001 (reported to the installer, which shows it)
        seen = {"error": traceback.format_exc().strip().splitlines()[-1]}
    Path(report).write_text(json.dumps(seen))
    sys.stdout.flush()
    os._exit(0)  # FreeCADCmd would otherwise go on to its interactive console


if __name__ in {"__main__", "freecad_side"} and os.environ.get("PARTSMITH_INSTALL_REPORT"):
    main()
