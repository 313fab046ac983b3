"""Build the installable front-end packages into dist/: the Blender extension and FreeCAD workbench zips.

Each front end gets a copy of the engine's standard-library client (`core/partsmith/client.py`), so it
needs nothing from the engine's environment. Run: `python build_addon.py` (or `make addons`).
"""

from __future__ import annotations

import argparse
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
FRONT_ENDS = {"blender": ROOT / "blender_addon", "freecad": ROOT / "freecad_workbench"}
CLIENT = ROOT / "core" / "partsmith" / "client.py"
SKIP = {"__pycache__", ".pytest_cache"}


# Each zip: its name, the folder its files sit in inside the zip ("" for the zip's root), and
# where the client goes inside that folder.
LAYOUTS = {
    # A Blender extension (4.2+) has its manifest at the root of the zip.
    "blender": [("partsmith-blender.zip", "", "client.py")],
    # A legacy add-on (Blender 3.6-4.1, Preferences > Add-ons > Install) is one package folder.
    "blender-legacy": [("partsmith-blender-legacy.zip", "partsmith", "client.py")],
    # FreeCAD: unzip into the Mod folder; the folder name is the workbench's. The Mod folder is
    # on FreeCAD's import path, so the client lives inside the workbench's own package.
    "freecad": [("partsmith-freecad.zip", "Partsmith", "partsmith_freecad/client.py")],
}
SOURCES = {"blender": "blender", "blender-legacy": "blender", "freecad": "freecad"}


def build(name: str, source: Path, dist: Path) -> list[Path]:
    """Zip `source` with the engine's client copied in, as dist/partsmith-<name>.zip."""
    if not (source / "__init__.py").exists() and not (source / "InitGui.py").exists():
        raise SystemExit(f"{source.name}/ holds no {name} front end yet: nothing to build")
    dist.mkdir(parents=True, exist_ok=True)
    built = []
    for zip_name, folder, client in LAYOUTS[name]:
        target = dist / zip_name
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(source.rglob("*")):
                if path.is_file() and not SKIP.intersection(path.parts):
                    archive.write(path, Path(folder) / path.relative_to(source))
            archive.write(CLIENT, Path(folder) / client)
        built.append(target)
    return built


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("front_ends", nargs="*", metavar="{blender,blender-legacy,freecad}",
                        help="which to build (default: all)")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    args = parser.parse_args(argv)
    unknown = set(args.front_ends) - set(LAYOUTS)
    if unknown:
        parser.error(f"unknown front end: {', '.join(sorted(unknown))}")
    for name in args.front_ends or LAYOUTS:
        source = FRONT_ENDS[SOURCES[name]]
        if not args.front_ends and not (source / "__init__.py").exists() \
                and not (source / "InitGui.py").exists():
            continue  # building everything: skip a front end that has no code yet
        for path in build(name, source, args.dist):
            print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
