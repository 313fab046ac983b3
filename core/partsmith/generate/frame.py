"""The frame every program prompt is written in: `Description: <one line>` then `JSON:`.

The few-shot heads, their examples, the family form and the adapted model's short prompt all use
it, and training writes its examples in it, so it lives once, here.
"""

from __future__ import annotations

PREFIX = "Description: "
ANSWER = "\nJSON:"


def one_line(text: str) -> str:
    """The text on one line, its runs of blanks (newlines included) made one space."""
    return " ".join(text.split())


def shown(description: str, answer: str) -> str:
    """A worked example: a description and its answer, then a blank line."""
    return f"{PREFIX}{one_line(description)}{ANSWER} {answer}\n\n"


def asked(line: str, before_answer: str = "") -> str:
    """The request: the description, already on one line (as data), then where the answer starts.
    `before_answer`: lines between the two (a repair's rejected answer and its error)."""
    return f"{PREFIX}{line}\n{before_answer}{ANSWER.lstrip()}"
