"""Pull a Python script out of a model's answer: fenced or not, with prose around it, or cut off."""

from __future__ import annotations

import ast
import re

FENCE = re.compile(r"```[ \t]*(?:python|py|python3)?[ \t]*\n(.*?)(?:```|\Z)", re.DOTALL | re.IGNORECASE)
CODE_START = re.compile(r"^\s*(from\s+\w+|import\s+\w+|[A-Za-z_]\w*\s*(?::[^=]+)?=|with\s|def\s|class\s|#)")


def _parses(code: str) -> bool:
    try:
        ast.parse(code)
    except SyntaxError:
        return False
    return True


def _trim_to_parseable(code: str) -> str:
    """Drop trailing lines (a cut-off answer, prose after the code) until the code parses."""
    lines = code.rstrip().splitlines()
    while lines and not _parses("\n".join(lines)):
        lines.pop()
    return "\n".join(lines).rstrip() + "\n" if lines else ""


def extract_code(answer: str) -> str:
    """The script in `answer`; an empty string when there is none."""
    blocks = [b for b in FENCE.findall(answer) if b.strip()]
    if blocks:
        # The longest block is the script; short ones are usually snippets in the prose.
        return _trim_to_parseable(max(blocks, key=len))
    lines = answer.splitlines()
    start = next((i for i, line in enumerate(lines) if CODE_START.match(line)), None)
    if start is None:
        return ""
    return _trim_to_parseable("\n".join(lines[start:]))
