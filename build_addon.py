"""Build the installable front-end packages into dist/: the Blender extension and FreeCAD workbench zips.

Each front end gets a copy of the engine's standard-library client (`core/client.py`), so it
needs nothing from the engine's environment. Run: `python build_addon.py` (or `make addons`).
"""

from __future__ import annotations

import argparse
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
FRONT_ENDS = {"blender": ROOT / "blender_addon", "freecad": ROOT / "freecad_workbench"}
CLIENT = ROOT / "core" / "client.py"
SKIP = {"__pycache__", ".pytest_cache"}


def build(name: str, source: Path, dist: Path) -> Path:
    """Zip `source` (plus the client, when the engine has one) as dist/partsmith-<name>.zip."""
    if not (source / "__init__.py").exists() and not (source / "InitGui.py").exists():
        raise SystemExit(f"{source.name}/ holds no {name} front end yet: nothing to build")
    dist.mkdir(parents=True, exist_ok=True)
    target = dist / f"partsmith-{name}.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(source.rglob("*")):
            if path.is_file() and not SKIP.intersection(path.parts):
                archive.write(path, Path(source.name) / path.relative_to(source))
        if CLIENT.exists():
            archive.write(CLIENT, Path(source.name) / "client.py")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("front_ends", nargs="*", metavar="{blender,freecad}",
                        help="which to build (default: both)")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    args = parser.parse_args(argv)
    unknown = set(args.front_ends) - set(FRONT_ENDS)
    if unknown:
        parser.error(f"unknown front end: {', '.join(sorted(unknown))}")
    for name in args.front_ends or FRONT_ENDS:
        print(build(name, FRONT_ENDS[name], args.dist))
    return 0


if __name__ == "__main__":
    sys.exit(main())
