from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def freecad_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A user home with the workbench zip unzipped into FreeCAD's Mod folder, as a user would."""
    if shutil.which("freecadcmd") is None:
        pytest.skip("FreeCAD is not installed: run `python scripts/setup.py --tests` as root")
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, str(ROOT / "build_addon.py"), "freecad", "--dist", str(dist)],
                   check=True, capture_output=True)
    home = tmp_path_factory.mktemp("freecad-user")
    mod = home / ".local" / "share" / "FreeCAD" / "Mod"
    mod.mkdir(parents=True)
    with zipfile.ZipFile(dist / "partsmith-freecad.zip") as archive:
        archive.extractall(mod)
    return home
