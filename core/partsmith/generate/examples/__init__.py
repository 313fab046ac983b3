"""Example part scripts shipped with the engine: the code route shows the model the nearest ones.

Each module is a complete build123d script whose docstring is the prompt it answers. They are
data, read as text, never imported.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class CodeExample:
    name: str
    prompt: str
    code: str


@lru_cache(maxsize=1)
def code_examples() -> list[CodeExample]:
    found = []
    for item in sorted(resources.files(__name__).iterdir(), key=lambda f: f.name):
        if not item.name.endswith(".py") or item.name.startswith("_"):
            continue
        code = item.read_text()
        prompt = ast.get_docstring(ast.parse(code)) or ""
        body = code.split('"""', 2)[-1].lstrip("\n")
        found.append(CodeExample(item.name[:-3], prompt, body))
    return found
