"""The house's layers: which stage may import which, held over every module of the engine.

A stage imports only the stages below it (the table), the package graph has no cycle, the offline
stages (training, evaluation, installing) are leaves that only the command line reaches, no module
imports a command module, and the engine's process does not load the CAD kernel until a sandbox
job needs it (only the sandbox's workers import build123d).
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "core" / "partsmith"

FOUNDATION = {"errors", "paths", "config", "progress", "retries"}
RUNTIME = FOUNDATION | {"kit", "prompt", "program", "model", "build", "checks", "sandbox", "history",
                        "generate", "client"}
# Each stage (a folder, or a foundation module) and the stages it may import, lowest first.
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "paths": set(),
    "progress": set(),
    "retries": set(),
    "client": set(),  # copied into the front ends: the standard library only
    "config": {"errors", "paths"},
    "kit": FOUNDATION,
    "program": FOUNDATION | {"kit"},
    "prompt": FOUNDATION | {"kit", "program"},
    "model": FOUNDATION,
    "build": FOUNDATION,
    "checks": FOUNDATION | {"kit", "prompt", "program"},
    "sandbox": FOUNDATION | {"kit", "program", "build"},
    "history": FOUNDATION | {"kit", "model"},
    "generate": FOUNDATION | {"kit", "prompt", "program", "model", "checks", "sandbox"},
    "engine": RUNTIME,
    "service": RUNTIME | {"engine"},
    "install": FOUNDATION,
    "evaluate": RUNTIME,
    "training": RUNTIME,
    "cli": RUNTIME | {"engine", "service", "install", "training", "evaluate"},
    "__main__": {"cli"},
}
# Modules that are entry points: run, never imported (but by `python -m partsmith`'s own).
COMMANDS = {"partsmith.__main__", "partsmith.training.__main__", "partsmith.cli.main"}


def _stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every `partsmith` module a file imports, at its head or inside a function."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("partsmith"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            if base.split(".")[0] != "partsmith":
                continue
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names
                         if (PACKAGE.parent / f"{base}.{alias.name}".replace(".", "/")).exists()
                         or (PACKAGE.parent / (f"{base}.{alias.name}".replace(".", "/") + ".py")).exists())
    return found


def _graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    return {_module_name(path): _imports(path) for path in sorted(package.rglob("*.py"))
            if "examples" not in path.relative_to(package).parts}


def _violations(graph: dict[str, set[str]]) -> list[str]:
    found = []
    for module, imported in graph.items():
        here = _stage(module)
        for target in sorted(imported):
            there = _stage(target)
            if target in COMMANDS and module != "partsmith.__main__" and module != target.rpartition(".")[0]:
                found.append(f"{module} imports the command module {target}")
            elif there not in (here, "__init__") and there not in ALLOWED.get(here, set()):
                found.append(f"{module} ({here}) imports {target} ({there}), which its layer may not")
    return found


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Cycles among stages (a package importing another that imports it back)."""
    edges: dict[str, set[str]] = {}
    for module, imported in graph.items():
        for target in imported:
            if _stage(target) != _stage(module):
                edges.setdefault(_stage(module), set()).add(_stage(target))
    found, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == "open":
                found.append([*path[path.index(nxt):], nxt] if nxt in path else [node, nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = "done"

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    return found


def test_every_stage_has_its_row_in_the_table() -> None:
    stages = {_stage(module) for module in _graph()} - {"__init__"}
    assert stages <= set(ALLOWED), f"stages with no row in the layer table: {stages - set(ALLOWED)}"


def test_every_module_imports_only_the_stages_below_it() -> None:
    assert _violations(_graph()) == []


def test_the_stages_import_each_other_in_one_direction() -> None:
    assert _cycles(_graph()) == []


def test_the_offline_stages_are_leaves_that_only_the_command_line_reaches() -> None:
    for module, imported in _graph().items():
        if _stage(module) in ("cli", "training", "evaluate", "install"):
            continue
        offline = {target for target in imported if _stage(target) in ("training", "evaluate", "install")}
        assert not offline, f"{module} imports {offline}"


def test_an_upward_import_is_caught(tmp_path: Path) -> None:
    """The check itself: a prompt module that imports the pipeline, and a cycle it makes, are found."""
    graph = _graph()
    graph["partsmith.prompt.dimensions"] = graph["partsmith.prompt.dimensions"] | {"partsmith.generate.pipeline"}
    assert any("partsmith.prompt.dimensions (prompt) imports partsmith.generate.pipeline" in v
               for v in _violations(graph))
    assert any("prompt" in cycle and "generate" in cycle for cycle in _cycles(graph))
    graph["partsmith.model.backends"] = graph["partsmith.model.backends"] | {"partsmith.training.__main__"}
    assert any("command module partsmith.training.__main__" in v for v in _violations(graph))


@pytest.mark.slow
def test_the_engine_process_has_not_loaded_the_cad_kernel_before_its_first_job(tmp_path: Path) -> None:
    """An engine wired from the settings (model, history, sandbox pool, router), warmed and asked
    for its history, with no job run yet: build123d and OCP are not in its process."""
    code = textwrap.dedent("""
        import os, sys
        from partsmith.engine import assembly
        from partsmith.model.scripted import ScriptedBackend
        from partsmith.kit import FAMILIES
        from partsmith.program import compile_program, parse, json_schema
        from partsmith.generate import structured, family_route
        from partsmith.checks import stated, program
        from partsmith.prompt import dimensions, edits, metric
        from partsmith.service import api
        engine = assembly.build_engine(backend=ScriptedBackend(["x"], writes_code=False))
        engine.warm()
        assert len(FAMILIES) > 10
        structured.gbnf(); family_route.json_schema()
        engine.history.newest(5)
        loaded = [name for name in ("build123d", "OCP", "cadquery") if name in sys.modules]
        print(",".join(loaded))
    """)
    env = {**__import__("os").environ, "PARTSMITH_HOME": str(tmp_path / "home")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip() == "", f"the engine process loaded {out.stdout.strip()} before any job"
