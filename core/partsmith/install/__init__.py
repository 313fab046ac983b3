"""`partsmith install` and `partsmith uninstall`: the Blender add-on and the FreeCAD workbench put
into the programs found on this computer, with this environment's engine command in their
settings, so that their panels start the engine with no PATH set-up.

One module per program (`blender`, `freecad`), each with a side script that runs inside the
program (`blender_side`, `freecad_side`); `bundle` lays out the files; `programs` finds programs
and runs them. The functions here say, line by line, what was found and done.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from partsmith.install import blender, freecad, programs
from partsmith.install.errors import InstallError

__all__ = ["PROGRAMS", "InstallError", "install", "uninstall"]

PROGRAMS = ("blender", "freecad")
Say = Callable[[str], None]


def _others(found: list[str], say: Say) -> None:
    if len(found) > 1:
        say(f"also found: {', '.join(found[1:])} (pass --blender / --freecad PATH to choose one)")


def install(program: str, path: Path | None = None, say: Say = print) -> None:
    """Install (or upgrade) the front end into `program` ("blender" or "freecad")."""
    engine = programs.engine_command()
    if program == "blender":
        found = blender.find(path)
        target = found[0]
        say(f"found {', '.join(str(p) for p in found[:1])}")
        _others([str(p) for p in found], say)
        before = blender.status(target)
        route = "extension" if target.version[:2] >= blender.EXTENSIONS else "legacy add-on"
        state = blender.install(target, engine)
        say(f"{'upgraded' if before.enabled else 'installed'} the {route} ({state.module}), enabled; "
            f"its panel is in the 3D view's sidebar, tab Partsmith")
        say(f"engine command in the add-on's preferences: {state.engine_command}")
    elif program == "freecad":
        states = freecad.find(path)
        target_state = states[0]
        say(f"found {target_state.program}; it reads workbenches from {target_state.mod}")
        _others([str(s.program) for s in states], say)
        done = freecad.install(target_state, engine)
        say(f"{'upgraded' if target_state.workbench else 'installed'} the Partsmith workbench in "
            f"{done.mod / freecad.FOLDER}")
        say(f"engine command in FreeCAD's parameters (Preferences > Mod > Partsmith): {done.engine_command}")
        say("restart FreeCAD if it is open (it saves its parameters when it closes)")
    else:
        raise InstallError(f"unknown program {program!r}: choose {' or '.join(PROGRAMS)}")


def uninstall(program: str, path: Path | None = None, say: Say = print) -> None:
    """Remove the front end from `program` ("blender" or "freecad")."""
    if program == "blender":
        target = blender.find(path)[0]
        say(f"found {target}")
        state = blender.uninstall(target)
        say("removed the add-on" if not state.enabled else "the add-on is still enabled: remove it in "
            "Blender's Preferences > Add-ons")
    elif program == "freecad":
        target_state = freecad.find(path)[0]
        say(f"found {target_state.program}")
        removed = freecad.uninstall(target_state)
        say(f"removed the workbench from {removed.mod} and its parameters")
    else:
        raise InstallError(f"unknown program {program!r}: choose {' or '.join(PROGRAMS)}")
