"""The one small interface every LLM backend implements.

Backends are registered by name (`BACKENDS`), not hard-wired: adding one is adding a class.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

# Called with each new piece of text as it is generated.
TokenCallback = Callable[[str], None]


class Cancelled(Exception):
    """Generation was cancelled by the caller."""


@dataclass
class Completion:
    text: str
    tokens: int
    seconds: float
    first_token_s: float | None
    finish: str = "stop"  # stop, length or cancelled

    @property
    def tokens_per_second(self) -> float:
        generating = self.seconds - (self.first_token_s or 0.0)
        return self.tokens / generating if generating > 0 and self.tokens > 1 else 0.0


@dataclass
class Request:
    """One generation: a plain completion (`prompt`) or a chat (`messages`)."""

    prompt: str | None = None
    messages: list[dict[str, str]] | None = None
    max_tokens: int = 512
    temperature: float = 0.0
    stop: list[str] = field(default_factory=list)
    json_schema: dict[str, Any] | None = None
    # A GBNF grammar that a local backend applies instead of converting `json_schema` (it can
    # bound numbers, which the schema conversion cannot); remote backends use `json_schema`.
    grammar: str | None = None
    seed: int | None = None


class Backend(Protocol):
    name: str
    model_id: str
    # Whether the model can write free build123d code (a base model cannot).
    writes_code: bool
    # How the model is asked (`partsmith.generate.styles`): "code", "program", "family" or "short".
    prompt_style: str

    def generate(
        self, request: Request, on_text: TokenCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> Completion: ...


class Timer:
    """Measures a streamed generation: time to first piece, total, pieces."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.first: float | None = None
        self.pieces = 0

    def piece(self) -> None:
        self.pieces += 1
        if self.first is None:
            self.first = time.perf_counter() - self.started

    def finish(self, text: str, finish: str) -> Completion:
        return Completion(text, self.pieces, time.perf_counter() - self.started, self.first, finish)


def collect(
    chunks: Iterator[dict[str, Any]], on_text: TokenCallback | None,
    cancel: threading.Event | None,
) -> Completion:
    """Gather an OpenAI-style stream of completion or chat chunks into a Completion.

    Stops reading at a cancel; the caller closes the stream, which stops the generation.
    """
    timer = Timer()
    parts: list[str] = []
    finish = "stop"
    for chunk in chunks:
        choice = (chunk.get("choices") or [{}])[0]
        piece = choice.get("text") if "text" in choice else (choice.get("delta") or {}).get("content")
        if piece:
            timer.piece()
            parts.append(piece)
            if on_text is not None:
                on_text(piece)
        finish = choice.get("finish_reason") or finish
        if cancel is not None and cancel.is_set():
            finish = "cancelled"
            break
    return timer.finish("".join(parts), finish)


def default_style(writes_code: bool, adapted: bool = False) -> str:
    """The prompt style a model has by what it can do: the short prompt it was trained on when it
    carries the part-program adapter; code when it writes code; else the family form first."""
    return "short" if adapted else "code" if writes_code else "family"
