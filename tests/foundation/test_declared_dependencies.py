"""Issue 15: every third-party package the engine imports is declared in pyproject.toml (matplotlib
was used for thumbnails but not declared: an install without it lost every thumbnail)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Imported directly, but installed and pinned by a declared package on purpose.
BY_ANOTHER = {"OCP": "the OCCT bindings that build123d and cadquery pin together (see the CAD comment)"}
# Scripts the installer runs inside Blender or FreeCAD, with their Python, never the engine's.
IN_ANOTHER_PROGRAM = {"install/blender_side.py", "install/freecad_side.py"}


def _imports() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    package = ROOT / "core" / "partsmith"
    for path in package.rglob("*.py"):
        if str(path.relative_to(package)) in IN_ANOTHER_PROGRAM:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top != "partsmith":
                    found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_imported_package_is_declared() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    # The training package may use the `train` extra (installed by `make train` and `make test`).
    deps = [*project["dependencies"], *project["optional-dependencies"]["train"]]
    declared = {_normal(re.split(r"[<>=!~\[; ]", dep)[0]) for dep in deps}
    providers = packages_distributions()
    missing = {top: sorted(files) for top, files in _imports().items()
               if top not in BY_ANOTHER and not declared & {_normal(d) for d in providers.get(top, [top])}}
    assert missing == {}, f"imported but not in [project] dependencies: {missing}"
