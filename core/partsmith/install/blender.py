"""`partsmith install blender`: the add-on into a Blender found on this computer, enabled, with the
engine command in its preferences.

Blender 4.2 and later get the extension through Blender's own command line
(`blender --command extension install-file -r user_default --enable ZIP`); older versions get the
legacy add-on in the user's add-on folder, enabled and saved in the user preferences. Either way
a Blender process then writes the engine command into the add-on's preferences and saves them, and
a fresh one reports what it sees.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from partsmith.install import bundle, programs
from partsmith.install.errors import InstallError
from partsmith.install.programs import Program

MINIMUM = (3, 4)
EXTENSIONS = (4, 2)
NAMES = ("blender", "blender.exe")
PATTERNS = ("/opt/blender*/blender", "/usr/local/blender*/blender", "/snap/bin/blender", "~/blender*/blender",
            "/Applications/Blender*.app/Contents/MacOS/Blender",
            "C:/Program Files/Blender Foundation/Blender */blender.exe")
SIDE = Path(__file__).with_name("blender_side.py")
EXTENSION_ID = "partsmith"


@dataclass(frozen=True)
class State:
    """What a Blender process reports about the add-on."""

    program: Program
    module: str
    enabled: bool
    panel: bool
    engine_command: str


def version(path: Path) -> tuple[int, ...]:
    done = programs.run([str(path), "--version"], f"{path} --version", timeout_s=60)
    found = programs.version_of(done.stdout, "Blender")
    if found is None:
        raise InstallError(f"{path} did not say which Blender it is", hint="is it Blender?")
    return found


def find(explicit: Path | None = None) -> list[Program]:
    """Every Blender found (explicit path, PATH, usual folders) that answers, newest first."""
    paths = programs.candidates(explicit, NAMES, PATTERNS)
    if not paths:
        raise InstallError("Blender was not found (on PATH or in the usual folders)",
                           hint="install Blender 3.4 or later, or pass --blender PATH/TO/blender")
    found = [Program("Blender", path, version(path)) for path in paths]
    return sorted(found, key=lambda program: program.version, reverse=True)


def side(program: Program, action: str, engine: str = "", zip_path: str = "") -> State:
    """Run the side script in a new background Blender process, and read its report."""
    with tempfile.TemporaryDirectory(prefix="partsmith-install-") as scratch:
        report = Path(scratch) / "report.json"
        command = [str(program.path), "--background", "--python", str(SIDE), "--", action, str(report),
                   engine, zip_path]
        done = programs.run(command, f"Blender ({action})")
        data = programs.read_report(report, f"Blender ({action})", done.stdout + done.stderr)
    return State(program, str(data["module"]), bool(data["enabled"]), bool(data["panel"]),
                 str(data["engine_command"]))


def status(program: Program) -> State:
    return side(program, "status")


def install(program: Program, engine: str | None = None) -> State:
    """Install (or upgrade) and enable the add-on, write the engine command, and return what a
    new Blender process then sees."""
    if program.version[:2] < MINIMUM:
        raise InstallError(f"{program} is too old: the add-on needs Blender "
                           f"{'.'.join(map(str, MINIMUM))} or later")
    command = engine or programs.engine_command()
    with tempfile.TemporaryDirectory(prefix="partsmith-install-") as scratch:
        if program.version[:2] >= EXTENSIONS:
            archive = bundle.write_zip("blender", Path(scratch) / "partsmith-blender.zip")
            programs.run([str(program.path), "--command", "extension", "install-file", "-r", "user_default",
                          "--enable", str(archive)], "Blender's extension installer")
            side(program, "set-engine", command)
        else:
            archive = bundle.write_zip("blender", Path(scratch) / "partsmith-blender-legacy.zip", "partsmith")
            side(program, "install-legacy", command, str(archive))
    state = status(program)
    if not (state.enabled and state.panel):
        raise InstallError(f"{program}: the add-on was installed but a new Blender does not enable it",
                           hint="open Blender's Preferences > Add-ons and look for Partsmith's error")
    return state


def uninstall(program: Program) -> State:
    """Disable and remove the add-on (and its saved preferences)."""
    if program.version[:2] >= EXTENSIONS:
        programs.run([str(program.path), "--command", "extension", "remove", f"user_default.{EXTENSION_ID}"],
                     "Blender's extension installer")
    else:
        side(program, "uninstall-legacy")
    return status(program)
