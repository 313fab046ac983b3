"""A new user's first session in FreeCAD, for the record: a fresh home, `partsmith install freecad`,
then the workbench under xvfb driven through its panels and real keys (scripts/walkthrough_freecad.py)
against the engine it starts itself with the embedded model. Screenshots and what each step made go
to the output folder (docs/images by default).

    python scripts/walkthrough.py [--out docs/images]
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


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    partsmith = str(Path(sys.executable).parent / "partsmith")
    with tempfile.TemporaryDirectory(prefix="partsmith-walk-") as folder:
        home = Path(folder)
        env = {**os.environ, "HOME": str(home), "PARTSMITH_HOME": str(home / ".local/share/partsmith"),
               "QTWEBENGINE_DISABLE_SANDBOX": "1", "QTWEBENGINE_CHROMIUM_FLAGS": "--no-sandbox",
               "PARTSMITH_WALK_OUT": str(args.out), "PARTSMITH_WALK_PROMPT": PROMPT}
        env.pop("PARTSMITH_SERVICE__IDLE_EXIT_S", None)
        installed = subprocess.run([partsmith, "install", "freecad"], env=env, capture_output=True, text=True)
        print(installed.stdout + installed.stderr)
        if installed.returncode != 0:
            return installed.returncode
        try:
            subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", "freecad",
                            str(ROOT / "scripts" / "walkthrough_freecad.py")], env=env, timeout=900,
                           capture_output=True, text=True)
        finally:
            info = home / ".local/share/partsmith" / "engine.json"
            if info.exists():
                os.kill(int(json.loads(info.read_text())["pid"]), signal.SIGTERM)
    walk = json.loads((args.out / "freecad-walk.json").read_text())
    print(json.dumps(walk, indent=2))
    return 1 if "crash" in walk else 0


if __name__ == "__main__":
    sys.exit(main())
