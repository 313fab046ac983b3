"""What a job says while it runs, and the first check of a prompt: the vocabulary the engine and
its clients share.

Kept apart from the pipeline so that a client (the command line talking to the running engine)
reads it without importing the engine, OCCT or the model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from partsmith.errors import InputError

MAX_PROMPT_CHARS = 4000
STAGES = ("retrieving", "generating", "running", "repairing", "exporting", "saving")


@dataclass
class Progress:
    stage: str
    attempt: int = 1
    tokens: int = 0
    tokens_per_second: float = 0.0
    message: str = ""
    fraction: float | None = None  # how far along, when the stage knows (a download does)


ProgressCallback = Callable[[Progress], None]


def check_prompt(prompt: str) -> str:
    """The prompt without its outer blanks; an empty or overlong one is refused with a message."""
    text = prompt.strip()
    if not text:
        raise InputError("the prompt is empty", hint="describe the part, with its sizes in mm")
    if len(text) > MAX_PROMPT_CHARS:
        raise InputError(f"the prompt is {len(text)} characters long; the limit is {MAX_PROMPT_CHARS}",
                         hint="describe the part in fewer words; details can follow in a second prompt")
    return text
