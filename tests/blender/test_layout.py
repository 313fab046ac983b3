"""The add-on's modules import each other without a cycle: the panel only draws, the state lives in
a module of its own that neither the operators nor the panel are imported by."""

from __future__ import annotations

import ast
from pathlib import Path

ADDON = Path(__file__).resolve().parents[2] / "blender_addon"


def _imports() -> dict[str, set[str]]:
    """Each add-on module and the add-on modules it imports (`from . import x`)."""
    found: dict[str, set[str]] = {}
    for path in ADDON.glob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                names.update([node.module] if node.module else [alias.name for alias in node.names])
        found[path.stem] = names
    return found


def test_no_module_of_the_addon_imports_itself_back() -> None:
    graph = _imports()
    graph.pop("__init__")

    def reaches(start: str, target: str, seen: set[str]) -> bool:
        for name in graph.get(start, set()):
            if name == target or (name not in seen and reaches(name, target, seen | {name})):
                return True
        return False

    assert [name for name in graph if reaches(name, name, set())] == []


def test_the_panel_only_draws_and_the_state_has_its_own_module() -> None:
    graph = _imports()
    assert graph["panel"] == {"state"}
    assert "operators" not in graph["state"] and "panel" not in graph["state"]
    assert "state" in graph["operators"] and "panel" not in graph["operators"]
