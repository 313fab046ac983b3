"""Build the installable front-end packages into dist/: the Blender extension and FreeCAD workbench zips.

Each front end gets a copy of the engine's standard-library client (`core/partsmith/client/`: the
client, its background helper and the job outcome), so it needs nothing from the engine's
environment. Run: `python build_addon.py` (or `make addons`). `partsmith install blender|freecad`
installs them directly instead.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "core"))

from partsmith.install import bundle  # (found through the line above in a bare checkout)

ROOT = Path(__file__).resolve().parent

# Each zip: its name, its front end, and the folder its files sit in inside the zip ("" for the root).
LAYOUTS = {
    # A Blender extension (4.2+) has its manifest at the root of the zip.
    "blender": ("partsmith-blender.zip", "blender", ""),
    # A legacy add-on (Blender 3.4-4.1, Preferences > Add-ons > Install) is one package folder.
    "blender-legacy": ("partsmith-blender-legacy.zip", "blender", "partsmith"),
    # FreeCAD: unzip into the Mod folder; the folder name is the workbench's.
    "freecad": ("partsmith-freecad.zip", "freecad", "Partsmith"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("front_ends", nargs="*", metavar="{blender,blender-legacy,freecad}",
                        help="which to build (default: all)")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    args = parser.parse_args(argv)
    unknown = set(args.front_ends) - set(LAYOUTS)
    if unknown:
        parser.error(f"unknown front end: {', '.join(sorted(unknown))}")
    for name in args.front_ends or LAYOUTS:
        zip_name, front_end, folder = LAYOUTS[name]
        print(bundle.write_zip(front_end, args.dist / zip_name, folder))
    return 0


if __name__ == "__main__":
    sys.exit(main())
