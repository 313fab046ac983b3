"""Screenshots for the README: the Partsmith panel and a generated part in a real FreeCAD window
and a real Blender window, both under xvfb, against a real engine (`partsmith serve` with the
model the settings choose: the embedded one on a machine with nothing else).

    .venv/bin/python scripts/screenshots.py [freecad] [blender] [--out docs/images]

FreeCAD comes from Debian (`freecad`); Blender is the `blender` on PATH (Debian's, or any build).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from partsmith.client.client import Client

ROOT = Path(__file__).resolve().parent.parent
PROMPT = "a 40 x 30 x 5 mm plate with four 4 mm holes 5 mm from the edges"
SCREEN = "-screen 0 1600x1000x24"


def build(name: str, dist: Path) -> Path:
    subprocess.run([sys.executable, str(ROOT / "build_addon.py"), name, "--dist", str(dist)], check=True,
                   capture_output=True)
    return next(dist.glob(f"partsmith-{name}.zip"))


def freecad(out: Path, home: Path, scratch: Path) -> Path:
    user = scratch / "freecad-user"
    mod = user / ".local" / "share" / "FreeCAD" / "Mod"
    mod.mkdir(parents=True)
    with zipfile.ZipFile(build("freecad", scratch / "dist")) as archive:
        archive.extractall(mod)
    shot = out / "freecad.png"
    env = {**os.environ, "HOME": str(user), "PARTSMITH_HOME": str(home),
           "QTWEBENGINE_DISABLE_SANDBOX": "1", "QTWEBENGINE_CHROMIUM_FLAGS": "--no-sandbox",
           "PARTSMITH_FC_OUT": str(scratch / "freecad.json"), "PARTSMITH_FC_SCREENSHOT": str(shot),
           "PARTSMITH_FC_PROMPT": PROMPT, "PARTSMITH_FC_SCREENSHOT_ONLY": "1"}
    driver = ROOT / "tests" / "freecad" / "gui_driver.py"
    subprocess.run(["xvfb-run", "-a", "-s", SCREEN, "freecad", str(driver)], env=env, check=False,
                   timeout=600, capture_output=True)
    return shot


def blender(out: Path, home: Path, scratch: Path, checks: Path | None = None) -> Path:
    version = subprocess.run(["blender", "--version"], capture_output=True, text=True, check=True).stdout
    modern = any(f"Blender {v}" in version for v in ("4.2", "4.3", "4.4", "4.5", "5."))
    zip_path = build("blender" if modern else "blender-legacy", scratch / "dist")
    shot = out / "blender.png"
    env = {**os.environ, "HOME": str(scratch / "blender-user"), "PARTSMITH_HOME": str(home),
           "PARTSMITH_ZIP": str(zip_path), "PARTSMITH_PROMPT": PROMPT, "PARTSMITH_SHOT": str(shot)}
    if checks is not None:
        env["PARTSMITH_CHECKS"] = str(checks)
    (scratch / "blender-user").mkdir()
    # Blender shows its splash screen over the scene unless it opens a file: start from an empty one.
    empty = scratch / "empty.blend"
    subprocess.run(["blender", "-b", "--factory-startup", "--python-expr",
                    f"import bpy; bpy.ops.wm.save_as_mainfile(filepath={str(empty)!r})"],
                   env=env, check=True, timeout=120, capture_output=True)
    done = subprocess.run(["xvfb-run", "-a", "-s", SCREEN, "blender", "--factory-startup", str(empty),
                           "--python", str(ROOT / "scripts" / "blender_screenshot.py")],
                          env=env, check=False, timeout=600, capture_output=checks is not None, text=True)
    if checks is not None:  # what Blender printed, for a test that finds no checks to say why
        checks.with_suffix(".log").write_text(f"exit status {done.returncode}\n{done.stdout}\n{done.stderr}")
    return shot


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("which", nargs="*", help="freecad and / or blender (default: both)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    args = parser.parse_args()
    unknown = set(args.which) - {"freecad", "blender"}
    if unknown:
        parser.error(f"unknown: {', '.join(sorted(unknown))}")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="partsmith-shots-") as folder:
        scratch = Path(folder)
        home = scratch / "engine"
        client = Client(home=home, start_command=f"{sys.executable} -m partsmith serve")
        client.connect(wait_s=300)
        try:
            for name in args.which or ["freecad", "blender"]:
                if shutil.which("freecad" if name == "freecad" else "blender") is None:
                    print(f"{name}: not installed, skipped")
                    continue
                shot = (freecad if name == "freecad" else blender)(args.out, home, scratch)
                print(f"{name}: {shot}" if shot.exists() else f"{name}: no screenshot was made")
        finally:
            info = client.info or {}
            if client.started is not None:
                client.started.terminate()
                client.started.wait(timeout=30)
            elif info.get("pid"):
                os.kill(int(info["pid"]), 15)
    return 0


if __name__ == "__main__":
    sys.exit(main())
