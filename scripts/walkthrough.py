"""A new user's first session in FreeCAD and in Blender, for the record: a fresh home, `partsmith
install freecad|blender`, then the program under xvfb driven through its panels and real keys
(scripts/walkthrough_freecad.py, scripts/walkthrough_blender.py) against the engine it starts itself
with the embedded model: the plate prompt, Apply length 80, Like "but 10 mm thick", Undo, Apply
again. Screenshots and what each step made go to the output folder (docs/images by default).

    python scripts/walkthrough.py [freecad] [blender] [--out docs/images]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROMPT = "a 100 x 60 x 5 mm plate with four 6 mm holes 6 mm from the corners"
SCREEN = "-screen 0 1600x1000x24"


def _run(program: str, home: Path, env: dict[str, str]) -> None:
    script = str(ROOT / "scripts" / f"walkthrough_{program}.py")
    if program == "freecad":
        command = ["xvfb-run", "-a", "-s", SCREEN, "freecad", script]
    else:
        # Blender shows its splash screen unless it opens a file: a new file, default cube and all.
        empty = home / "untitled.blend"
        subprocess.run(["blender", "-b", "--factory-startup", "--python-expr",
                        f"import bpy; bpy.ops.wm.save_as_mainfile(filepath={str(empty)!r})"],
                       env=env, check=True, timeout=120, capture_output=True)
        command = ["xvfb-run", "-a", "-s", SCREEN, "blender", str(empty), "--python", script]
    ran = subprocess.run(command, env=env, timeout=900, capture_output=True, text=True)
    (home / f"{program}.log").write_text(ran.stdout[-20000:] + ran.stderr[-20000:])


def walk(program: str, out: Path) -> dict[str, object]:
    partsmith = str(Path(sys.executable).parent / "partsmith")
    with tempfile.TemporaryDirectory(prefix="partsmith-walk-") as folder:
        home = Path(folder)
        data = home / ".local" / "share" / "partsmith"
        env = {**os.environ, "HOME": str(home), "PARTSMITH_HOME": str(data),
               "QTWEBENGINE_DISABLE_SANDBOX": "1", "QTWEBENGINE_CHROMIUM_FLAGS": "--no-sandbox",
               "PARTSMITH_WALK_OUT": str(out), "PARTSMITH_WALK_PROMPT": PROMPT,
               "PARTSMITH_WALK_LOGS": str(home)}
        env.pop("PARTSMITH_SERVICE__IDLE_EXIT_S", None)
        (out / f"{program}-walk.json").unlink(missing_ok=True)
        installed = subprocess.run([partsmith, "install", program], env=env, capture_output=True, text=True)
        print(installed.stdout + installed.stderr)
        if installed.returncode != 0:
            return {"crash": f"partsmith install {program} failed"}
        try:
            _run(program, home, env)
            if not (out / f"{program}-walk.json").exists():  # keep what the program said, for why
                for log in home.glob(f"{program}*.*"):
                    if log.suffix in {".log", ".txt"}:
                        (out / log.name).write_bytes(log.read_bytes())
        finally:
            info = data / "engine.json"
            if info.exists():
                os.kill(int(json.loads(info.read_text())["pid"]), signal.SIGTERM)
    result = out / f"{program}-walk.json"
    return json.loads(result.read_text()) if result.exists() else {"crash": f"{program} wrote nothing"}


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("which", nargs="*", help="freecad and / or blender (default: both)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    failed = False
    for program in args.which or ["freecad", "blender"]:
        seen = walk(program, args.out)
        print(json.dumps(seen, indent=2))
        failed = failed or "crash" in seen
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
