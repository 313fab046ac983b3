"""Prompt styles: how a model is asked for a part, and how its answer is read. One object each.

A backend declares its style (`Backend.prompt_style`), as simonw/llm's models declare what they
can do; the pipeline never looks inside the backend to choose. The styles:
- `code`: a model that writes build123d code. Its code route is a chat (the build123d guide, the
  nearest example scripts); its structured route is the `program` style.
- `program`: a few-shot completion whose fixed head stays in the KV cache, grammar-bound to a
  part program.
- `family`: a base model with no training: its first answer is a kit family and its sizes (the
  family form, which it fills best); its repairs write whole programs (`program`).
- `short`: the embedded model with its part-program adapter: the short prompt it was trained on,
  answered unconstrained (about four times faster), and again under the grammar only when the
  answer does not parse.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from partsmith.errors import ScriptError
from partsmith.generate import family_route, structured
from partsmith.generate.code_prompts import system_prompt
from partsmith.generate.extract import extract_code
from partsmith.model.base import Request
from partsmith.program import Program
from partsmith.program.examples import ProgramExample

STYLES = ("code", "program", "family", "short")
PROGRAM_TOKENS = 768
FAMILY_TOKENS = 256
CODE_TOKENS = 1536


@dataclass(frozen=True)
class Ask:
    """What one attempt asks: the prompt, the examples the router chose, the conversation so far
    (code route), a structured repair's rejected answer and its error, and how to sample."""

    prompt: str
    program_examples: Sequence[ProgramExample] = ()
    kit_examples: Sequence[ProgramExample] = ()
    messages: list[dict[str, str]] = field(default_factory=list)
    rejected: tuple[str, str] | None = None
    sampled: bool = False
    seed: int | None = None
    repeats: int = 0  # answers so far that were the same as an earlier one

    @property
    def temperature(self) -> float:
        """Greedy first; a sample after that, hotter for each answer that only repeated an
        earlier one (a small model is sure of its mistake: a new seed alone gives it again)."""
        return min(1.5, 0.7 + 0.3 * self.repeats) if self.sampled else 0.0


@dataclass(frozen=True)
class Answer:
    """A usable answer: the script to run, and the program it was compiled from (structured)."""

    script: str
    program: Program | None = None


class Style(Protocol):
    name: str
    route: str  # "structured" or "code"
    # Whether an answer is stopped when it starts to repeat itself (a long program can loop).
    watches_repeats: bool

    def warm_request(self) -> Request:
        """What readies the model for this style's first prompt (its fixed head, or its grammar)."""
        ...

    def requests(self, ask: Ask) -> list[Request]:
        """The requests to try in order: the next only when the answer to one cannot be used."""
        ...

    def parse(self, text: str) -> Answer:
        """The answer as a script; raises PartsmithError (what is wrong) when it cannot be used."""
        ...


class ProgramStyle:
    name = "program"
    route = "structured"
    watches_repeats = True

    def warm_request(self) -> Request:
        return Request(prompt=structured.head(), max_tokens=1)

    def requests(self, ask: Ask) -> list[Request]:
        return [Request(prompt=structured.build_prompt(ask.prompt, ask.program_examples, ask.rejected),
                        max_tokens=PROGRAM_TOKENS, stop=["\n"], json_schema=structured.json_schema(),
                        grammar=structured.gbnf(), temperature=ask.temperature, seed=ask.seed)]

    def parse(self, text: str) -> Answer:
        program = structured.parse_answer(text)
        return Answer(structured.render(program), program)


class ShortStyle(ProgramStyle):
    name = "short"

    def warm_request(self) -> Request:
        # No head to cache: ready the grammar and the compute buffers instead.
        return Request(prompt=structured.build_prompt("a 10 mm cube", adapted=True), max_tokens=1,
                       grammar=structured.gbnf())

    def requests(self, ask: Ask) -> list[Request]:
        bound = Request(prompt=structured.build_prompt(ask.prompt, adapted=True), max_tokens=PROGRAM_TOKENS,
                        stop=["\n"], json_schema=structured.json_schema(), grammar=structured.gbnf(),
                        temperature=ask.temperature, seed=ask.seed)
        # Unconstrained first (llama.cpp checks a grammar against all 262k tokens at every step).
        return [replace(bound, json_schema=None, grammar=None), bound]


class FamilyStyle:
    name = "family"
    route = "structured"
    watches_repeats = False

    def warm_request(self) -> Request:
        return Request(prompt=family_route.head(), max_tokens=1)

    def requests(self, ask: Ask) -> list[Request]:
        return [Request(prompt=family_route.build_prompt(ask.prompt, ask.kit_examples),
                        max_tokens=FAMILY_TOKENS, stop=["\n"], json_schema=family_route.json_schema(),
                        temperature=ask.temperature, seed=ask.seed)]

    def parse(self, text: str) -> Answer:
        program = family_route.parse(text)
        return Answer(structured.render(program), program)


class CodeStyle:
    name = "code"
    route = "code"
    watches_repeats = False

    def warm_request(self) -> Request:
        return Request(messages=[{"role": "system", "content": system_prompt()}], max_tokens=1)

    def requests(self, ask: Ask) -> list[Request]:
        return [Request(messages=list(ask.messages), max_tokens=CODE_TOKENS,
                        temperature=0.5 if ask.sampled else 0.0, seed=ask.seed)]

    def parse(self, text: str) -> Answer:
        code = extract_code(text)
        if not code.strip():
            raise ScriptError("the answer contained no Python script")
        return Answer(code)


def style_for(declared: str, route: str, attempt: int) -> Style:
    """The style of one attempt: the backend's declared style, on the route the router chose (a
    code model's structured attempts are programs; a base model's repairs are whole programs)."""
    if declared not in STYLES:
        raise ValueError(f"unknown prompt style {declared!r}; one of {', '.join(STYLES)}")
    if route == "code":
        return CodeStyle()
    if declared == "short":
        return ShortStyle()
    if declared == "family" and attempt == 1:
        return FamilyStyle()
    return ProgramStyle()


def first_style(declared: str) -> Style:
    """The style of a backend's first attempt on its usual route: what warming it readies."""
    return style_for(declared, "code" if declared == "code" else "structured", 1)

