"""The short prompt the adapted model is trained on and asked with: no head, no examples.

One line of description, its slips of the keyboard in CAD words put right (`partsmith.prompt.spelling`:
"hple" is "hole"), its sizes said in millimetres and its round bodies' radii as diameters
(`partsmith.prompt.metric`: the model copies "9.53 mm" and "Ø21" where it would get "3/8 in" and "R10.5"
wrong), and the start of the answer; the answer is the
program as one line of JSON in the grammar's key order (`partsmith.program.schema.dump`).
Training and inference must use exactly this text, so both import it from here.
"""

from __future__ import annotations

from partsmith.generate.frame import asked, one_line
from partsmith.prompt.metric import as_program_says
from partsmith.prompt.spelling import corrected


def short_prompt(description: str) -> str:
    """The prompt for the adapted model: `Description: <one line, as the program says it>` then `JSON:`."""
    return asked(as_program_says(corrected(one_line(description))))


def answer_text(program_json: str) -> str:
    """What the model is trained to write after the prompt (a space, then the JSON)."""
    return f" {program_json}"
