"""The structured route: the model picks a kit family and its parameters as grammar-bound JSON,
and that becomes a short script calling the kit.

Works with any model, including a small base model that cannot write code. The prompt is a plain
few-shot completion whose long head (the families and one example each) never changes, so
llama.cpp reuses it from its KV cache; only the examples nearest the request and the request
itself are evaluated anew.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from partsmith.errors import InputError
from partsmith.kit.registry import FAMILIES, Family
from partsmith.router import KitExample

HEAD = (
    "Each description of a mechanical part is converted to JSON: the part family and its "
    "parameters in millimetres. A radius is half a diameter. Parameters not mentioned are left out.\n\n"
    "Families:\n"
)


@dataclass(frozen=True)
class Choice:
    family: str
    params: dict[str, Any]


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
    answer = json.dumps({"family": family, "params": params})
    return f"Description: {prompt}\nJSON: {answer}\n\n"


def head() -> str:
    lines = [HEAD]
    for entry in FAMILIES.values():
        names = ", ".join(entry.model.model_fields)
        lines.append(f"- {entry.name}: {entry.summary}. Parameters: {names}.\n")
    lines.append("\n")
    for entry in FAMILIES.values():
        text, params = entry.examples[0]
        lines.append(_example(text, entry.name, params))
    return "".join(lines)


def build_prompt(prompt: str, examples: Sequence[KitExample] = ()) -> str:
    """The fixed head, then the examples nearest the prompt (chosen by the router), then the prompt."""
    near = "".join(_example(e.prompt, e.family, e.params) for e in examples)
    return f"{head()}{near}Description: {_one_line(prompt)}\nJSON:"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def parse(text: str) -> Choice:
    """The model's JSON, checked against its family. Raises InputError when unusable."""
    try:
        data = json.loads(text)
    except ValueError:
        raise InputError(f"the model's answer is not valid JSON: {text[:200]!r}") from None
    family = data.get("family") if isinstance(data, dict) else None
    if family not in FAMILIES:
        raise InputError(f"the model chose an unknown part family: {family!r}")
    params = data.get("params") or {}
    if not isinstance(params, dict):
        raise InputError("the model's parameters are not an object")
    return Choice(family, FAMILIES[family].validate(params))


def render(choice: Choice, prompt: str) -> str:
    """A script whose head literals are the family's parameters, so they can be edited later."""
    entry = FAMILIES[choice.family]
    lines = [f'"""{_docstring(prompt)}"""', f"from partsmith.kit import {entry.name}", ""]
    for name, info in entry.model.model_fields.items():
        value = choice.params[name]
        unit = f"  # {info.description}" if info.description else ""
        lines.append(f"{name} = {value!r}{unit}")
    args = ", ".join(f"{name}={name}" for name in entry.model.model_fields)
    lines += ["", f"result = {entry.name}({args})", ""]
    return "\n".join(lines)


def _docstring(prompt: str) -> str:
    text = _one_line(prompt).replace("\\", "/").replace('"""', "'''")
    return text[:300]
