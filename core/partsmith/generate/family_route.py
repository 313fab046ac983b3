"""The first answer of a base model with no training: one kit family and its sizes.

A small base model (the embedded one, before its adapter is trained) fills a family's sizes far
better than a whole part program: it was measured to get the quick start's plate right this way.
So its first attempt is asked in the family form (`{"family": ..., "params": {...}}`, every
family with its summary and one example in a fixed head that stays in the KV cache, then the
examples nearest the prompt), and the answer becomes a one-body part program, compiled like any
other. Its repairs write whole programs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from partsmith.errors import InputError
from partsmith.generate.frame import asked, one_line, shown
from partsmith.generate.structured import parse_answer
from partsmith.kit.registry import FAMILIES, Family
from partsmith.program import Program
from partsmith.program.examples import ProgramExample
from partsmith.program.schema import FAMILY_OF_TYPE

HEAD = (
    "Each description of a mechanical part is converted to JSON: the part family and its "
    "parameters in millimetres. A radius is half a diameter. Parameters not mentioned are left out.\n\n"
    "Families:\n"
)


def _family_schema(entry: Family) -> dict[str, Any]:
    params = entry.schema()
    params.pop("title", None)
    params["additionalProperties"] = False
    return {
        "type": "object",
        "properties": {"family": {"const": entry.name}, "params": params},
        "required": ["family", "params"],
        "additionalProperties": False,
    }


def json_schema() -> dict[str, Any]:
    """One schema for every family, so the grammar ties each family to its own parameters."""
    return {"anyOf": [_family_schema(entry) for entry in FAMILIES.values()]}


def _example(prompt: str, family: str, params: dict[str, Any]) -> str:
    return shown(prompt, json.dumps({"family": family, "params": params}))


def head() -> str:
    lines = [HEAD]
    for entry in FAMILIES.values():
        lines.append(f"- {entry.name}: {entry.summary}. Parameters: {', '.join(entry.model.model_fields)}.\n")
    lines.append("\n")
    for entry in FAMILIES.values():
        text, params = entry.examples[0]
        lines.append(_example(text, entry.name, params))
    return "".join(lines)


def _as_family(example: ProgramExample) -> tuple[str, dict[str, Any]] | None:
    body = example.program.features[0]
    family = FAMILY_OF_TYPE.get(body.type)
    if family is None or len(example.program.features) != 1:
        return None
    fields = FAMILIES[family].model.model_fields
    return family, {k: v for k, v in body.model_dump().items() if k in fields}


def build_prompt(prompt: str, near: Sequence[ProgramExample] = ()) -> str:
    """The fixed head, the nearest single-family examples, then the prompt (as data, one line)."""
    near_ones = "".join(_example(e.prompt, *found) for e in near if (found := _as_family(e)) is not None)
    return f"{head()}{near_ones}{asked(one_line(prompt))}"


def parse(text: str) -> Program:
    """The model's family and sizes as a one-body program (a whole program is as good an
    answer). Raises InputError when unusable."""
    try:
        data = json.loads(text)
    except ValueError:
        raise InputError(f"the model's answer is not valid JSON: {text[:200]!r}") from None
    if not isinstance(data, dict) or ("features" not in data and data.get("family") not in FAMILIES):
        family = data.get("family") if isinstance(data, dict) else None
        raise InputError(f"the model chose an unknown part family: {family!r}")
    if "features" not in data and not isinstance(data.get("params") or {}, dict):
        raise InputError("the model's parameters are not an object")
    if "features" not in data:
        data = {"family": data["family"], "params": data.get("params") or {}}
    return parse_answer(json.dumps(data))
