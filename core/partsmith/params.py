"""A script's parameters: the literal assignments at its head, read and rewritten via the syntax tree.

The contract (DESIGN.md): a generated script opens with named top-level assignments of literals,
`length = 40  # mm`. Those are the part's parameters. The head ends at the first statement that
is neither an import, the docstring, nor such an assignment. Rewriting replaces only the literal's
characters, so comments, layout and the rest of the script stay as they were.
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass

from partsmith.errors import InputError

ParamValue = int | float | bool | str


@dataclass(frozen=True)
class Parameter:
    name: str
    value: ParamValue
    line: int
    comment: str = ""

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "value": self.value, "line": self.line, "comment": self.comment}


def _literal(node: ast.expr) -> ParamValue | None:
    """The value of a number, bool or string literal (with an optional sign), else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str, bool)):
        return node.value
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, (ast.USub, ast.UAdd))
        and isinstance(node.operand, ast.Constant)
        and isinstance(node.operand.value, (int, float))
        and not isinstance(node.operand.value, bool)
    ):
        value = node.operand.value
        return -value if isinstance(node.op, ast.USub) else value
    return None


def _parse(source: str) -> ast.Module:
    try:
        return ast.parse(source)
    except SyntaxError as exc:
        raise InputError(f"the script has a syntax error on line {exc.lineno}: {exc.msg}") from None


def _head(tree: ast.Module) -> list[tuple[ast.Assign | ast.AnnAssign, str, ast.expr]]:
    found: list[tuple[ast.Assign | ast.AnnAssign, str, ast.expr]] = []
    for index, stmt in enumerate(tree.body):
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            continue
        if index == 0 and isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue  # the docstring
        target: ast.expr | None = None
        value: ast.expr | None = None
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target, value = stmt.targets[0], stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            target, value = stmt.target, stmt.value
        if (
            isinstance(stmt, (ast.Assign, ast.AnnAssign))
            and isinstance(target, ast.Name)
            and value is not None
            and _literal(value) is not None
        ):
            found.append((stmt, target.id, value))
            continue
        break
    return found


def _comment(lines: list[str], stmt: ast.stmt) -> str:
    line = lines[stmt.lineno - 1]
    end = stmt.end_col_offset if stmt.end_lineno == stmt.lineno else None
    if end is not None and "#" in line[end:]:
        return line[end:].split("#", 1)[1].strip()
    return ""


def read_parameters(source: str) -> list[Parameter]:
    """The parameters at the head of `source`, in order."""
    tree = _parse(source)
    lines = source.splitlines()
    params: list[Parameter] = []
    for stmt, name, value in _head(tree):
        literal = _literal(value)
        assert literal is not None
        params.append(Parameter(name, literal, stmt.lineno, _comment(lines, stmt)))
    return params


def _render(value: ParamValue) -> str:
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InputError(f"{value} is not a usable parameter value")
        return repr(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return repr(value)


def coerce(old: ParamValue, new: object, name: str) -> ParamValue:
    """Convert `new` (often a string from a command line or a form) to the type of `old`."""
    try:
        if isinstance(old, bool):
            if isinstance(new, str):
                lowered = new.strip().lower()
                if lowered not in {"true", "false", "1", "0", "yes", "no"}:
                    raise ValueError(new)
                return lowered in {"true", "1", "yes"}
            return bool(new)
        if isinstance(old, (int, float)):
            number = float(new) if isinstance(new, (str, int, float)) else float(str(new))
            if not math.isfinite(number):
                raise ValueError(new)
            if isinstance(old, int) and number.is_integer():
                return int(number)
            return number
        return str(new)
    except (TypeError, ValueError):
        kind = type(old).__name__
        raise InputError(f"parameter {name!r} needs a {kind} value, not {new!r}") from None


def set_parameters(source: str, values: dict[str, object]) -> str:
    """Return `source` with the named head parameters set to `values`.

    Raises InputError for a name that is not a parameter of the script.
    """
    tree = _parse(source)
    head = {name: (stmt, value) for stmt, name, value in _head(tree)}
    unknown = sorted(set(values) - set(head))
    if unknown:
        known = ", ".join(head) or "none"
        raise InputError(f"unknown parameter {', '.join(unknown)}; the script's parameters: {known}")
    lines = source.splitlines(keepends=True)
    # Replace from the bottom up so that earlier positions stay valid.
    edits = sorted(
        ((head[name][1], name, new) for name, new in values.items()),
        key=lambda edit: (edit[0].lineno, edit[0].col_offset),
        reverse=True,
    )
    for node, name, new in edits:
        old = _literal(node)
        assert old is not None
        text = _render(coerce(old, new, name))
        start = _offset(lines, node.lineno, node.col_offset)
        end = _offset(lines, node.end_lineno or node.lineno, node.end_col_offset or 0)
        joined = "".join(lines)
        lines = (joined[:start] + text + joined[end:]).splitlines(keepends=True)
    return "".join(lines)


def _offset(lines: list[str], lineno: int, col: int) -> int:
    """Character offset of a (1-based line, UTF-8 byte column) position."""
    before = sum(len(line) for line in lines[: lineno - 1])
    return before + len(lines[lineno - 1].encode()[:col].decode(errors="ignore"))
