"""A script's parameters: the literal assignments at its head, read and rewritten via the syntax tree.

The contract (the README's "Parameter fields"): a generated script opens with named top-level
assignments of literals, `length = 40  # mm`. Those are the part's parameters. The head ends at
the first statement that is neither an import, the docstring, nor such an assignment. Rewriting
replaces only the literal's characters, so comments, layout and the rest of the script stay as
they were.

An assignment's trailing comment says what kind of value it is, so that the front ends can show
a field that fits (a drop-down for a choice, a length in the scene's units, the range as limits):

    length = 40  # mm [1, 5000] - along X        a length in mm, from 1 to 5000
    twist = 15.0  # deg [0, 90]                   an angle in degrees
    teeth = 20  # [6, 200]                        a plain number (an integer here), with limits
    holes = "corners"  # one of: none, corners, centre
    # free text may follow after " - "
    across_flats = 10.0  # mm [0, 500] - flat to flat, when size is custom
                                                  counts only while `size` is "custom"
"""

from __future__ import annotations

import ast
import dataclasses
import math
import re
from dataclasses import dataclass

from partsmith.errors import InputError
from partsmith.program import roles

ParamValue = int | float | bool | str


KINDS = ("length", "angle", "integer", "number", "bool", "choice", "text")
UNITS = {"mm": "length", "deg": "angle"}
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
# The end of a description that says when a value counts: "..., when size is custom".
NEEDS = re.compile(r"\bwhen ([a-z_][a-z0-9_]*) is ([\w.+-]+)$", re.IGNORECASE)
_SPEC = re.compile(rf"^(?:(?P<unit>mm|deg)\b)?\s*(?:\[\s*(?P<low>{_NUMBER})\s*,\s*(?P<high>{_NUMBER})\s*\])?"
                   r"(?P<rest>.*)$", re.IGNORECASE)


@dataclass(frozen=True)
class Parameter:
    """One head parameter: its value and, from its comment, what kind of field fits it."""

    name: str
    value: ParamValue
    line: int
    comment: str = ""
    kind: str = "text"  # one of KINDS
    unit: str = ""  # "mm" for a length, "deg" for an angle, else ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    description: str = ""
    role: str = ""  # what it is, whatever it is called (partsmith.program.roles)
    # (name, value): it counts only while that parameter has that value ("when size is custom")
    needs: tuple[str, str] | None = None
    label: str = ""  # what a person calls it: the name without the first body's prefix, in words

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "value": self.value, "line": self.line, "comment": self.comment,
                "kind": self.kind, "unit": self.unit, "minimum": self.minimum, "maximum": self.maximum,
                "choices": list(self.choices), "description": self.description, "role": self.role,
                "needs": list(self.needs) if self.needs else None, "label": self.label or self.name}


@dataclass(frozen=True)
class Spec:
    """What a comment says about its value (see the module's docstring for the forms)."""

    kind: str
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    description: str = ""


def _plain_kind(value: ParamValue) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return "text"


def read_spec(value: ParamValue, comment: str) -> Spec:
    """The field a value needs, from its comment. A comment outside the contract, or a spec that
    does not fit the value (a range on a string, a choice for a number), leaves the plain kind of
    the value, with the comment as its description."""
    text = comment.strip()
    plain = Spec(_plain_kind(value), description=text)
    if text.lower().startswith("one of:"):
        words, _, description = text[len("one of:"):].partition(" - ")
        choices = tuple(word.strip() for word in words.split(",") if word.strip())
        if isinstance(value, str) and value in choices:
            return Spec("choice", choices=choices, description=description.strip())
        return plain
    found = _SPEC.match(text)
    if found is None or isinstance(value, (bool, str)) or not (found["unit"] or found["low"]):
        return plain
    rest = found["rest"].strip()
    if rest and not (found["unit"] or rest.startswith(("-", ","))):
        return plain  # "[1, 2] and more words" is not the contract's form
    minimum = float(found["low"]) if found["low"] else None
    maximum = float(found["high"]) if found["high"] else None
    if minimum is not None and maximum is not None and minimum > maximum:
        return plain
    unit = (found["unit"] or "").lower()
    kind = UNITS[unit] if unit else _plain_kind(value)
    return Spec(kind, unit, minimum, maximum, description=rest.lstrip("-,").strip())


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
        comment = _comment(lines, stmt)
        spec = read_spec(literal, comment)
        param = Parameter(name, literal, stmt.lineno, comment, spec.kind, spec.unit, spec.minimum,
                          spec.maximum, spec.choices, spec.description)
        needs = NEEDS.search(spec.description)
        params.append(dataclasses.replace(param, role=roles.role_of(param),
                                          needs=(needs[1], needs[2]) if needs else None))
    return _labelled(params)


def _labelled(params: list[Parameter]) -> list[Parameter]:
    """Each parameter's label: a program's first body is the part itself, so its sizes go without
    its prefix ("length", not "box length") when that leaves no two alike."""
    prefix = roles.first_body_prefix([p.name for p in params])
    names = {p.name for p in params}
    labelled = []
    for param in params:
        short = param.name[len(prefix):] if prefix and param.name.startswith(prefix) else param.name
        if short != param.name and short in names:
            short = param.name
        labelled.append(dataclasses.replace(param, label=short.replace("_", " ")))
    return labelled


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
