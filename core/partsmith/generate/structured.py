"""The structured route: the model writes a part program (`partsmith.program`) as grammar-bound
JSON, which compiles to a readable build123d script.

Works with any model, including a small base model that cannot write code: the grammar holds
every answer to a program that parses, with every number bounded and every choice an enum. The
prompt is a plain few-shot completion whose long head (what a program is, and fixed examples)
never changes, so llama.cpp reuses it from its KV cache; only the examples nearest the request,
the request and, on a repair, the rejected answer with its error are evaluated anew.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from partsmith.errors import InputError
from partsmith.generate.frame import asked, one_line, shown
from partsmith.generate.short_prompt import short_prompt
from partsmith.kit.registry import FAMILIES
from partsmith.program import Program, compile_program, parse
from partsmith.program import json_schema as program_schema
from partsmith.program.examples import ProgramExample, examples
from partsmith.program.grammar import gbnf
from partsmith.program.schema import FAMILY_OF_TYPE, KIT_BODIES, kit_type

__all__ = ["build_prompt", "gbnf", "head", "json_schema", "parse_answer", "render"]

HEAD = """Each description of a mechanical part is converted to a part program: JSON listing its \
features in order, in millimetres, Z up. Bodies are placed with x, y, z (the centre of the base; \
a sphere or torus: its centre), axis (z, x, y, -z, -x, -y) and op (add, cut, intersect). \
Features work on the part so far; face is top, bottom, front, back, left or right, and points on \
a face are in its two coordinates (top: x, y). A depth of 0 goes through. A radius is half a \
diameter.
Bodies: box (l along x, w along y, h), cylinder (d, h), sphere (d), cone (d1, d2, h), tube (od, \
id, h), torus (od, id), wedge (l, w, h), prism (n sides, d across flats, h), extrude (shape, h), \
revolve (path, a), loft (bottom, top, h), pyramid (l, w, h; tl, tw: a flat top), dome (d, h; no h: \
a hemisphere), capsule (d, l overall), triangle (right angle at x, y; legs lx, ly; h), and parts: \
{kit}.
Features: hole (at: points, grid, circle or row; d or m size; depth; cb_d, cb_h counterbore; cs_d \
countersink), pocket and boss (shape: rect w l r, circle d, slot l w, polygon n d), rib, ledge, \
fillet (r) and chamfer (l) on edges (all, vertical, horizontal, long, top, bottom, front, back, left, \
right, joint; of: a feature's number), shell (t, open face), mirror, linear and polar copies.

"""
# How many of the hand-written examples sit in the fixed head.
HEAD_EXAMPLES = 8


def head() -> str:
    kit = ", ".join(kit_type(name) for name in FAMILIES)
    fixed = "".join(shown(e.prompt, e.answer) for e in examples()[:HEAD_EXAMPLES])
    return HEAD.format(kit=kit) + fixed


def json_schema() -> dict[str, Any]:
    """The schema an answer must follow."""
    return program_schema()


def is_kit_only(example: ProgramExample) -> bool:
    """Whether an example is a single kit family (the shape the family style's answer takes)."""
    return len(example.program.features) == 1 and example.program.features[0].type in KIT_BODIES


def build_prompt(prompt: str, near: Sequence[ProgramExample] = (),
                 rejected: tuple[str, str] | None = None, adapted: bool = False) -> str:
    """The fixed head, the examples nearest the prompt (chosen by the router), then the prompt;
    on a repair, the rejected answer and why, so the model can do better. `adapted`: the model
    carries the part-program adapter, trained on the short prompt alone (no head, no examples)."""
    if adapted:
        return short_prompt(prompt)
    near_ones = "".join(shown(e.prompt, e.answer) for e in near)
    retry = ""
    if rejected is not None:
        answer, error = rejected
        retry = f"Rejected JSON: {one_line(answer)[:1500]}\nError: {one_line(error)[:400]}\n"
    return f"{head()}{near_ones}{asked(one_line(prompt), retry)}"


def parse_answer(text: str) -> Program:
    """The model's JSON as a program. Raises InputError, naming the entry, when unusable.

    A small model sometimes repeats its last feature until it runs out of tokens: an answer cut
    short keeps its complete features, and a feature repeated word for word counts once."""
    try:
        data = json.loads(text)
    except ValueError:
        data = _salvage(text)
        if data is None:
            raise InputError(f"the model's answer is not valid JSON: {text[:200]!r}") from None
    if isinstance(data, dict) and data.get("family") in FAMILIES and isinstance(data.get("params"), dict):
        # The family form (a kit family and its sizes) is a program of one body.
        checked = FAMILIES[data["family"]].validate(data["params"])
        data = {"features": [{"type": kit_type(data["family"]), **checked}]}
    if isinstance(data, dict) and isinstance(data.get("features"), list):
        kept: list[Any] = []
        for feature in data["features"]:
            if not kept or feature != kept[-1]:
                kept.append(feature)
        data["features"] = kept
    try:
        return parse(data)
    except ValidationError as exc:
        problems = "; ".join(_problem(e) for e in exc.errors()[:4])
        raise InputError(f"the program does not fit the schema: {problems}") from None


REPEAT_CHARS = 80


def repeating(text: str) -> bool:
    """Whether an answer being written has started to repeat itself: its last characters (a
    feature's worth) already appear earlier on."""
    return len(text) >= 2 * REPEAT_CHARS and text[-REPEAT_CHARS:] in text[:-REPEAT_CHARS]


def _salvage(text: str) -> Any:
    """The complete features of an answer cut short, as a program, or None."""
    depth, inside, escaped, end = 0, False, False, None
    for index, char in enumerate(text):
        if inside:
            escaped = char == "\\" and not escaped
            if char == '"' and not escaped:
                inside = False
            continue
        if char == '"':
            inside = True
        elif char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
            if depth == 2 and char == "}":
                end = index + 1  # a feature just closed
    if end is None:
        return None
    try:
        return json.loads(text[:end] + "]}")
    except ValueError:
        return None


def _problem(error: Any) -> str:
    location = error.get("loc") or ()
    where = ""
    for part in location:
        if isinstance(part, int):
            where += f"[{part}]"
        elif part not in where and not str(part).startswith(("Kit_", "function-")):
            where += f".{part}" if where else str(part)
    return f"{where}: {error.get('msg')}"


def render(program: Program) -> str:
    """The build123d script for a program. The user's words never reach it (a prompt can hold
    any characters, quotes and inch marks included)."""
    return compile_program(program)


def family_of(program: dict[str, Any] | None) -> str | None:
    """The kit family a program is built on (its first body), if it is one: what the history
    records as the part's family."""
    if not program or not program.get("features"):
        return None
    first = program["features"][0].get("type")
    return FAMILY_OF_TYPE.get(first) if isinstance(first, str) else None
