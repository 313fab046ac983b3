"""`partsmith install freecad`: the workbench into the Mod folder that this FreeCAD version reads,
and the engine command into its parameters (Preferences > Mod > Partsmith).

The Mod folder differs between versions (0.20 and 0.21 read the user data folder's `Mod`, 1.x
may use a versioned folder), so FreeCAD itself is asked where it is: `freecadcmd` runs a small
script that reports the version and its user data folder, and writes the parameter.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from partsmith.install import bundle, programs
from partsmith.install.errors import InstallError
from partsmith.install.programs import Program

MINIMUM = (0, 20)
FOLDER = "Partsmith"
NAMES = ("freecadcmd", "FreeCADCmd", "freecadcmd.exe", "FreeCADCmd.exe")
PATTERNS = ("/usr/lib/freecad*/bin/FreeCADCmd", "/opt/freecad*/bin/FreeCADCmd",
            "/opt/FreeCAD*/bin/FreeCADCmd", "/Applications/FreeCAD*.app/Contents/Resources/bin/FreeCADCmd",
            "C:/Program Files/FreeCAD */bin/FreeCADCmd.exe",
            "~/AppData/Local/Programs/FreeCAD */bin/FreeCADCmd.exe")
SIDE = Path(__file__).with_name("freecad_side.py")


@dataclass(frozen=True)
class State:
    """What FreeCAD reports: where its Mod folder is, and what is installed there."""

    program: Program
    mod: Path
    engine_command: str
    workbench: bool


def console_of(path: Path) -> Path:
    """FreeCADCmd for a FreeCAD given by its GUI program (`freecad`, `FreeCAD.exe`): next to it."""
    if "cmd" in path.name.lower():
        return path
    for name in NAMES:
        near = path.with_name(name)
        if near.is_file():
            return near
    raise InstallError(f"{path} is FreeCAD's window program, and there is no FreeCADCmd next to it",
                       hint="pass --freecad with the path of FreeCADCmd")


def ask(path: Path, action: str = "status", engine: str = "") -> State:
    """Run the side script in this FreeCAD: its version, Mod folder and parameter, after `action`."""
    with tempfile.TemporaryDirectory(prefix="partsmith-install-") as scratch:
        report = Path(scratch) / "report.json"
        env = {**os.environ, "PARTSMITH_INSTALL_REPORT": str(report), "PARTSMITH_INSTALL_ACTION": action,
               "PARTSMITH_INSTALL_ENGINE": engine}
        done = programs.run([str(path), str(SIDE)], f"{path.name} (FreeCAD)", env=env)
        data = programs.read_report(report, f"{path.name} (FreeCAD)", done.stdout + done.stderr)
    version = tuple(int(part) for part in data.get("version") or [])  # type: ignore[attr-defined]
    return State(Program("FreeCAD", path, version), Path(str(data["mod"])), str(data["engine_command"]),
                 bool(data["workbench"]))


def find(explicit: Path | None = None) -> list[State]:
    """Every FreeCAD found (explicit path, PATH, usual folders) that answers, newest first."""
    paths = programs.candidates(explicit, (*NAMES, "freecad", "FreeCAD"), PATTERNS)
    consoles: list[Path] = []
    for path in paths:
        try:
            console = console_of(path)
        except InstallError:
            if explicit is not None:
                raise
            continue
        if console.resolve() not in {c.resolve() for c in consoles}:
            consoles.append(console)
    if not consoles:
        raise InstallError("FreeCAD was not found (on PATH or in the usual folders)",
                           hint="install FreeCAD 0.20 or later, or pass --freecad PATH/TO/FreeCADCmd")
    found = [ask(console) for console in consoles]
    return sorted(found, key=lambda state: state.program.version, reverse=True)


def install(state: State, engine: str | None = None) -> State:
    """The workbench into `state`'s Mod folder (an older copy is replaced) and the engine command
    into its parameters; returns what FreeCAD then reports."""
    if state.program.version[:2] < MINIMUM:
        raise InstallError(f"{state.program} is too old: the workbench needs FreeCAD "
                           f"{'.'.join(map(str, MINIMUM))} or later")
    programs.writable(state.mod)
    try:
        bundle.copy_folder("freecad", state.mod / FOLDER)
    except OSError as exc:
        raise InstallError(f"cannot write the workbench into {state.mod}: {exc.strerror}") from None
    return ask(state.program.path, "install", engine or programs.engine_command())


def uninstall(state: State) -> State:
    """The workbench folder and its parameters removed."""
    target = state.mod / FOLDER
    if target.exists():
        try:
            shutil.rmtree(target)
        except OSError as exc:
            raise InstallError(f"cannot remove {target}: {exc.strerror}") from None
    return ask(state.program.path, "uninstall")
