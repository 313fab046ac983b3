"""`partsmith install` and `uninstall` for real, with Debian's Blender (3.4: the legacy add-on) and
FreeCAD (0.20), each in a temporary home so the real user folders are untouched. After each step
a new program process says what it sees: the add-on enabled with its panel and the engine command,
or the workbench listed with its parameter."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from partsmith.install import blender, freecad, programs
from partsmith.install.errors import InstallError
from partsmith.install.programs import Program

HERE = Path(__file__).parent

BLENDER_CHECK = """
import bpy, json, sys
addons = sorted(k for k in bpy.context.preferences.addons.keys() if "partsmith" in k)
prefs = bpy.context.preferences.addons[addons[0]].preferences if addons else None
json.dump({"addons": addons, "panel": hasattr(bpy.types, "VIEW3D_PT_partsmith"),
           "engine_command": prefs.engine_command if prefs else None,
           "folder": bpy.utils.user_resource("SCRIPTS", path="addons")}, open(sys.argv[-1], "w"))
"""


def cli(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOME": str(home), "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "partsmith", *args], env=env, capture_output=True,
                          text=True, timeout=600, check=False)


def blender_sees(home: Path, scratch: Path) -> dict:  # type: ignore[type-arg]
    out = scratch / "blender-sees.json"
    out.unlink(missing_ok=True)
    subprocess.run(["blender", "-b", "--python-expr", BLENDER_CHECK, "--", str(out)], check=True, timeout=300,
                   capture_output=True, env={**os.environ, "HOME": str(home)})
    return json.loads(out.read_text())  # type: ignore[no-any-return]


def test_blender_install_upgrade_and_uninstall(tmp_path: Path) -> None:
    if shutil.which("blender") is None:
        pytest.skip("Blender is not installed: run `python scripts/setup.py --tests` as root")
    home = tmp_path / "home"
    home.mkdir()
    first = cli("install", "blender", home=home)
    assert first.returncode == 0, first.stderr
    assert "found Blender 3.4" in first.stdout and "installed the legacy add-on" in first.stdout
    seen = blender_sees(home, tmp_path)
    assert seen["addons"] == ["partsmith"] and seen["panel"] is True
    assert seen["engine_command"] == programs.engine_command()
    assert seen["engine_command"].startswith(str(Path(sys.executable).parent / "partsmith"))

    second = cli("install", "blender", home=home)
    assert second.returncode == 0 and "upgraded the legacy add-on" in second.stdout
    again = blender_sees(home, tmp_path)
    assert again["addons"] == ["partsmith"] and again["panel"] is True
    assert sorted(p.name for p in Path(again["folder"]).iterdir()) == ["partsmith"]  # no second copy

    removed = cli("uninstall", "blender", home=home)
    assert removed.returncode == 0 and "removed the add-on" in removed.stdout
    after = blender_sees(home, tmp_path)
    assert after["addons"] == [] and after["panel"] is False and not (Path(after["folder"]) / "partsmith").exists()


FREECAD_CHECK = """
import json, os
import FreeCAD as App, FreeCADGui as Gui
try:
    from PySide import QtCore
except ImportError:
    from PySide2 import QtCore
def report():
    group = App.ParamGet("User parameter:BaseApp/Preferences/Mod/Partsmith")
    with open(os.environ["PARTSMITH_TEST_OUT"], "w") as handle:
        json.dump({"workbenches": sorted(Gui.listWorkbenches()),
                   "engine_command": group.GetString("EngineCommand", "")}, handle)
    os._exit(0)
QtCore.QTimer.singleShot(500, report)
"""


def freecad_sees(home: Path, scratch: Path) -> dict:  # type: ignore[type-arg]
    out, script = scratch / "freecad-sees.json", scratch / "freecad_check.py"
    out.unlink(missing_ok=True)
    script.write_text(FREECAD_CHECK)
    env = {**os.environ, "HOME": str(home), "PARTSMITH_TEST_OUT": str(out),
           "QTWEBENGINE_DISABLE_SANDBOX": "1", "QTWEBENGINE_CHROMIUM_FLAGS": "--no-sandbox"}
    run = subprocess.run(["xvfb-run", "-a", "freecad", str(script)], env=env, capture_output=True, text=True,
                         timeout=300, check=False)
    assert out.exists(), run.stdout[-2000:] + run.stderr[-2000:]
    return json.loads(out.read_text())  # type: ignore[no-any-return]


def test_freecad_install_upgrade_and_uninstall(tmp_path: Path) -> None:
    if shutil.which("freecad") is None or shutil.which("xvfb-run") is None:
        pytest.skip("FreeCAD and xvfb are needed: run `python scripts/setup.py --tests` as root")
    home = tmp_path / "home"
    home.mkdir()
    first = cli("install", "freecad", home=home)
    assert first.returncode == 0, first.stderr
    mod = home / ".local" / "share" / "FreeCAD" / "Mod"
    assert "found FreeCAD 0.20" in first.stdout and f"reads workbenches from {mod}" in first.stdout
    seen = freecad_sees(home, tmp_path)
    assert "PartsmithWorkbench" in seen["workbenches"]
    assert seen["engine_command"] == programs.engine_command()

    second = cli("install", "freecad", home=home)
    assert second.returncode == 0 and "upgraded the Partsmith workbench" in second.stdout
    assert sorted(p.name for p in mod.iterdir()) == ["Partsmith"]
    assert (mod / "Partsmith" / "partsmith_freecad" / "client.py").is_file()

    removed = cli("uninstall", "freecad", home=home)
    assert removed.returncode == 0 and "removed the workbench" in removed.stdout
    after = freecad_sees(home, tmp_path)
    assert "PartsmithWorkbench" not in after["workbenches"] and after["engine_command"] == ""
    assert not (mod / "Partsmith").exists()


def test_each_failure_says_what_went_wrong(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    missing = cli("install", "blender", "--blender", str(tmp_path / "no-blender"), home=home)
    assert missing.returncode == 1 and "no-blender does not exist" in missing.stderr
    assert "Traceback" not in missing.stderr
    unknown = cli("install", "maya", home=home)
    assert unknown.returncode == 1 and "unknown program 'maya'" in unknown.stderr
    with pytest.raises(InstallError, match="did not say which Blender it is"):
        blender.find(Path(shutil.which("true") or "/bin/true"))
    with pytest.raises(InstallError, match="too old"):
        blender.install(Program("Blender", Path("/usr/bin/blender"), (2, 93, 0)))
    old = freecad.State(Program("FreeCAD", Path("/usr/bin/freecadcmd"), (0, 19, 4)), tmp_path, "", False)
    with pytest.raises(InstallError, match="too old"):
        freecad.install(old)


def test_a_folder_that_cannot_be_written_is_named(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    state = freecad.State(Program("FreeCAD", Path("/usr/bin/freecadcmd"), (0, 20, 2)), blocker / "Mod", "", False)
    with pytest.raises(InstallError, match=f"cannot write the workbench into {blocker / 'Mod'}"):
        freecad.install(state)
