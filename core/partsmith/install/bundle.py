"""The front ends' files as they install: the add-on or workbench folder with the engine's
standard-library client copied in, as a folder (for a Mod folder or a legacy add-on folder) or a
zip (for Blender's extension installer and for `make addons`).

The sources are the checkout's `blender_addon/` and `freecad_workbench/`, next to `core/`.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from partsmith.install.errors import InstallError
from partsmith.paths import CHECKOUT, PACKAGE

SOURCES = {"blender": CHECKOUT / "blender_addon", "freecad": CHECKOUT / "freecad_workbench"}
SKIP = {"__pycache__", ".pytest_cache"}
# The engine's `client/` package: what each front end carries (its modules, not its __init__).
CLIENT = PACKAGE / "client"
# Where those modules go inside each front end's folder.
SHARED = {"blender": Path(), "freecad": Path("partsmith_freecad")}


def source(front_end: str) -> Path:
    """The front end's source folder; a clear error when this installation has none."""
    folder = SOURCES[front_end]
    if not folder.is_dir():
        raise InstallError(f"the {front_end} front end's files are not here ({folder})",
                           hint="install from a checkout of Partsmith (git clone, then `make setup`)")
    return folder


def files(front_end: str) -> list[tuple[Path, Path]]:
    """(file on disk, its path inside the installed folder), sorted."""
    folder = source(front_end)
    found = [(path, path.relative_to(folder)) for path in sorted(folder.rglob("*"))
             if path.is_file() and not SKIP.intersection(path.parts)]
    found += [(path, SHARED[front_end] / path.name) for path in sorted(CLIENT.glob("*.py"))
              if path.name != "__init__.py"]
    return found


def copy_folder(front_end: str, target: Path) -> Path:
    """The front end as the folder `target`, replacing what was there (an upgrade is clean)."""
    if target.exists():
        shutil.rmtree(target)
    for path, inside in files(front_end):
        (target / inside).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target / inside)
    return target


def write_zip(front_end: str, target: Path, folder: str = "") -> Path:
    """The front end as a zip, its files inside `folder` ("" for the zip's root)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, inside in files(front_end):
            archive.write(path, Path(folder) / inside)
    return target
