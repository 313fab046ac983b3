"""The first layer of containment: a static check of the script's syntax tree before it runs.

It refuses imports outside an allow-list, any dunder name or attribute (the usual road to
`__subclasses__`, `__globals__` and `__builtins__`), and the builtins that run code or reach the
interpreter (exec, eval, compile, open, getattr, globals ...). It is strict on purpose: CAD code
needs none of these. It is a first, cheap layer: the audit hook comes next, and the kernel
layers (`landlock`, `seccomp`) hold even when both are bypassed.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from partsmith.errors import PolicyViolation, ScriptError

# Top-level modules a script may import. Everything here is pure computation.
ALLOWED_MODULES: frozenset[str] = frozenset(
    {
        "build123d", "cadquery", "partsmith", "math", "cmath", "random", "itertools",
        "functools", "operator", "statistics", "fractions", "decimal", "enum", "typing",
        "copy", "numbers", "string", "collections", "__future__",
    }
)
# Within the partsmith package only the kit is reachable.
ALLOWED_PARTSMITH = frozenset({"partsmith.kit"})

FORBIDDEN_NAMES: frozenset[str] = frozenset(
    {
        "exec", "eval", "compile", "open", "input", "breakpoint", "globals", "locals", "vars",
        "getattr", "setattr", "delattr", "memoryview", "help", "exit", "quit", "dir",
        "classmethod", "staticmethod", "super", "type", "object",
    }
)
# Attribute names that reach the interpreter from an allowed module: `build123d.text.os`,
# `build123d.build_enums.sys`, `build123d.mesher.ctypes` all exist. No part needs them.
FORBIDDEN_ATTRIBUTES: frozenset[str] = frozenset(
    {
        "os", "sys", "posix", "nt", "subprocess", "socket", "ctypes", "shutil", "tempfile",
        "pathlib", "io", "builtins", "importlib", "signal", "threading", "multiprocessing",
        "resource", "mmap", "fcntl", "pty", "gc", "inspect", "traceback", "marshal", "pickle",
        "runpy", "pkgutil", "zipimport", "site", "sysconfig", "faulthandler", "ssl", "http",
        "urllib", "ftplib", "asyncio", "selectors", "linecache", "platform", "glob", "zipfile",
        "tarfile", "sqlite3", "webbrowser", "modules", "f_globals", "f_locals", "f_back",
        "f_builtins", "gi_frame", "gi_code", "cr_frame", "ag_frame", "tb_frame", "co_code",
        "system", "popen", "spawn", "fork", "kill", "environ", "exec_module", "load_module",
        "f_code", "_getframe", "cell_contents", "attrgetter", "methodcaller", "Formatter",
        # typing evaluates strings as code: a string annotation, a forward reference.
        "get_type_hints", "ForwardRef", "_eval_type", "_evaluate", "evaluate_forward_ref",
        "_getframemodulename",
    }
)
# Names that read attributes chosen at run time (getattr by another name): refused as bare names
# too, since `from operator import *` brings them in unnamed.
GETATTR_BY_ANOTHER_NAME = frozenset({"attrgetter", "methodcaller", "Formatter"})
# The only dunder names a script may use: each is harmless and common in real scripts.
ALLOWED_DUNDERS = frozenset({"__name__", "__init__", "__future__"})


@dataclass(frozen=True)
class Finding:
    line: int
    message: str


def module_allowed(name: str) -> bool:
    top = name.split(".", 1)[0]
    if top == "partsmith":
        return any(name == ok or name.startswith(ok + ".") for ok in ALLOWED_PARTSMITH)
    return top in ALLOWED_MODULES


class _Checker(ast.NodeVisitor):
    def __init__(self) -> None:
        self.findings: list[Finding] = []

    def flag(self, node: ast.AST, message: str) -> None:
        self.findings.append(Finding(getattr(node, "lineno", 0), message))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if not module_allowed(alias.name):
                self.flag(node, f"importing {alias.name!r} is not allowed")
        self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        if node.level:
            self.flag(node, "relative imports are not allowed")
        elif module == "partsmith":
            for alias in node.names:
                if not module_allowed(f"partsmith.{alias.name}"):
                    self.flag(node, f"importing partsmith.{alias.name} is not allowed")
        elif not module_allowed(module):
            self.flag(node, f"importing from {module!r} is not allowed")
        for alias in node.names:
            if _is_dunder(alias.name) and alias.name not in ALLOWED_DUNDERS:
                self.flag(node, f"importing {alias.name!r} is not allowed")
            elif alias.name in FORBIDDEN_ATTRIBUTES:
                # `from build123d.text import os` reaches the same module as `build123d.text.os`.
                self.flag(node, f"importing {alias.name!r} from {module!r} is not allowed")
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if node.id in FORBIDDEN_NAMES or node.id in GETATTR_BY_ANOTHER_NAME:
            self.flag(node, f"{node.id}() is not allowed in a part script")
        elif _is_dunder(node.id) and node.id not in ALLOWED_DUNDERS:
            self.flag(node, f"the name {node.id!r} is not allowed")
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr.startswith("__") or node.attr in FORBIDDEN_ATTRIBUTES:
            self.flag(node, f"the attribute {node.attr!r} is not allowed")
        self.generic_visit(node)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._check_def(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self.flag(node, "async code is not allowed")

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._check_def(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        # A dunder in a string is how getattr-style escapes are usually spelled.
        if isinstance(node.value, str) and "__" in node.value and _mentions_dunder(node.value):
            self.flag(node, "strings naming dunder attributes are not allowed")

    def visit_arg(self, node: ast.arg) -> None:
        self._check_annotation(node.annotation)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._check_annotation(node.annotation)
        self.generic_visit(node)

    def _check_annotation(self, annotation: ast.expr | None) -> None:
        """A string annotation is code that typing evaluates: check it as code."""
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            try:
                tree = ast.parse(annotation.value.strip(), mode="eval")
            except SyntaxError:
                return  # never valid code, so never evaluated
            for node in ast.walk(tree):
                ast.copy_location(node, annotation)
            before = len(self.findings)
            self.visit(tree)
            for index in range(before, len(self.findings)):
                finding = self.findings[index]
                self.findings[index] = Finding(finding.line, f"in a string annotation: {finding.message}")

    def _check_def(self, node: ast.FunctionDef | ast.ClassDef) -> None:
        if isinstance(node, ast.FunctionDef):
            self._check_annotation(node.returns)
        if _is_dunder(node.name) and node.name not in ALLOWED_DUNDERS:
            self.flag(node, f"defining {node.name!r} is not allowed")
        self.generic_visit(node)


def _is_dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__") and len(name) > 4


HARMLESS_DUNDER_STRINGS = frozenset({"main", "partsmith", "name"})


def _mentions_dunder(text: str) -> bool:
    pieces = text.split("__")[1:-1]
    return any(p.isidentifier() and p not in HARMLESS_DUNDER_STRINGS for p in pieces)


def check_source(source: str, filename: str = "script.py") -> ast.Module:
    """Parse and check `source`. Returns its tree; raises PolicyViolation on the first problems."""
    try:
        tree = ast.parse(source, filename=filename)
    except SyntaxError as exc:
        line = (exc.text or "").rstrip("\n") or None
        raise ScriptError(
            f"syntax error on line {exc.lineno}: {exc.msg}", line=exc.lineno, source_line=line
        ) from None
    checker = _Checker()
    checker.visit(tree)
    if checker.findings:
        shown = "; ".join(f"line {f.line}: {f.message}" for f in checker.findings[:5])
        more = len(checker.findings) - 5
        raise PolicyViolation(
            f"the script was refused before running: {shown}"
            + (f" (and {more} more)" if more > 0 else ""),
            hint="part scripts may import build123d, cadquery, math and partsmith.kit, "
            "and may not touch files, the network or the interpreter",
        )
    return tree
