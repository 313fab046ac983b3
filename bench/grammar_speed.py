"""Decoding speed under the part-program grammar against the structured route before programs (one
kit family and its parameters, its grammar converted from the family schema by llama.cpp), with
the embedded model, on the same prompts, alternating in one process so the ratio holds on a busy
machine. Tokens per second count the generated tokens after the first (the prompt's evaluation is
not decoding). Target: programs no slower than 1 / 1.5 of the family route.

    python -m bench.grammar_speed
"""

from __future__ import annotations

import json
import statistics
from typing import Any

from bench.common import write
from partsmith.generate import structured
from partsmith.kit.registry import FAMILIES, Family
from partsmith.model import model_catalog
from partsmith.model.base import Request
from partsmith.model.local import LlamaCppBackend

PROMPTS = [
    "a 40 x 30 x 5 mm plate with four 4 mm holes",
    "an M8 nut",
    "a cylinder 20 mm in diameter and 50 mm tall with a 6 mm hole through it",
    "a flange 100 mm across, 12 mm thick, with a 40 mm bore and six bolt holes",
    "a 20 x 20 x 80 mm block with all edges chamfered 1 mm",
    "a tube 60 mm long, 25 mm outside diameter, 2 mm wall",
]
ROUNDS = 1


def family_schema() -> dict[str, Any]:
    """The family route's schema: one alternative per family, tied to its own parameters."""
    def one(entry: Family) -> dict[str, Any]:
        params = entry.schema()
        params.pop("title", None)
        params["additionalProperties"] = False
        return {"type": "object", "properties": {"family": {"const": entry.name}, "params": params},
                "required": ["family", "params"], "additionalProperties": False}
    return {"anyOf": [one(entry) for entry in FAMILIES.values()]}


def family_prompt(prompt: str) -> str:
    lines = ["Each description of a mechanical part is converted to JSON: the part family and its "
             "parameters in millimetres. A radius is half a diameter. Parameters not mentioned are left "
             "out.\n\nFamilies:\n"]
    for entry in FAMILIES.values():
        lines.append(f"- {entry.name}: {entry.summary}. Parameters: {', '.join(entry.model.model_fields)}.\n")
    lines.append("\n")
    for entry in FAMILIES.values():
        text, params = entry.examples[0]
        lines.append(f"Description: {text}\nJSON: {json.dumps({'family': entry.name, 'params': params})}\n\n")
    return "".join(lines) + f"Description: {prompt}\nJSON:"


def rate(backend: LlamaCppBackend, request: Request) -> tuple[float, int]:
    completion = backend.generate(request)
    return completion.tokens_per_second, completion.tokens


def main() -> None:
    selection = model_catalog.choose("gemma3-270m")
    info = selection.info
    backend = LlamaCppBackend(selection.path, model_id=info.id, writes_code=info.writes_code,
                              chat_format=info.chat_format)
    schema, grammar = family_schema(), structured.gbnf()
    families: list[float] = []
    programs: list[float] = []
    tokens = {"family": 0, "program": 0}
    for _ in range(ROUNDS):
        for prompt in PROMPTS:
            speed, count = rate(backend, Request(prompt=family_prompt(prompt), max_tokens=256, stop=["\n"],
                                                 json_schema=schema))
            families.append(speed)
            tokens["family"] += count
            speed, count = rate(backend, Request(prompt=structured.build_prompt(prompt), max_tokens=768,
                                                 stop=["\n"], json_schema=structured.json_schema(),
                                                 grammar=grammar))
            programs.append(speed)
            tokens["program"] += count
    family, program = statistics.median(families), statistics.median(programs)
    data = {"model": info.id, "threads": backend.llama.n_threads, "prompts": len(PROMPTS), "rounds": ROUNDS,
            "family_tokens_per_s": family, "program_tokens_per_s": program,
            "ratio_program_to_family": program / family, "tokens": tokens,
            "family_rates": families, "program_rates": programs, "grammar_chars": len(grammar)}
    table = (
        "| model | family grammar tok/s (before) | program grammar tok/s | ratio "
        "| tokens family / program |\n"
        "|---|---|---|---|---|\n"
        f"| {info.id} ({data['threads']} threads, CPU) | {family:.1f} | {program:.1f} | "
        f"{program / family:.2f} (target >= 0.67) | {tokens['family']} / {tokens['program']} |\n"
    )
    write("grammar-speed", data, table)


if __name__ == "__main__":
    main()
