"""The package lies in core/partsmith and is imported one way only: as `partsmith`."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import partsmith

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "core" / "partsmith"
# Modules that are scripts for the sandbox or entry points, not libraries to import here.
NOT_IMPORTED = {"partsmith.__main__"}


def _module_names() -> list[str]:
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if name not in NOT_IMPORTED and not name.startswith("partsmith.generate.examples."):
            names.append(name)
    return names


def test_the_package_is_the_folder_core_partsmith() -> None:
    assert Path(partsmith.__file__).resolve() == PACKAGE / "__init__.py"
    assert not (ROOT / "scripts" / "typing").exists()


def test_every_module_imports_by_its_path_name_and_nothing_loads_twice() -> None:
    names = _module_names()
    assert len(names) > 40
    for name in names:
        importlib.import_module(name)
    by_file: dict[str, list[str]] = {}
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if file and Path(file).resolve().is_relative_to(PACKAGE):
            by_file.setdefault(str(Path(file).resolve()), []).append(name)
    twice = {file: found for file, found in by_file.items() if len(found) > 1}
    assert not twice, f"loaded under two names: {twice}"
    assert all(found[0].startswith("partsmith") for found in by_file.values())


def test_a_second_copy_through_the_folder_name_is_refused() -> None:
    out = subprocess.run([sys.executable, "-c", "import core.partsmith.kit.families"], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode != 0
    assert "the engine is the package `partsmith`" in out.stderr
