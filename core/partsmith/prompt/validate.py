"""The first check of a prompt, before anything else reads it: not empty, not overlong."""

from __future__ import annotations

from partsmith.errors import InputError

MAX_PROMPT_CHARS = 4000


def check_prompt(prompt: str) -> str:
    """The prompt without its outer blanks; an empty or overlong one is refused with a message."""
    text = prompt.strip()
    if not text:
        raise InputError("the prompt is empty", hint="describe the part, with its sizes in mm")
    if len(text) > MAX_PROMPT_CHARS:
        raise InputError(f"the prompt is {len(text)} characters long; the limit is {MAX_PROMPT_CHARS}",
                         hint="describe the part in fewer words; details can follow in a second prompt")
    return text
