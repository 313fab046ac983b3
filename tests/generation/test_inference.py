"""Real llama.cpp inference with the embedded model (a base model: structured output only)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import pytest

from partsmith import structured
from partsmith.config import LLMSettings
from partsmith.llm.backends import open_backend
from partsmith.llm.base import Backend, Request
from partsmith.pipeline import Generator
from partsmith.sandbox import SandboxPool

PROMPTS = [
    "a 40 x 30 x 5 mm plate with four 4 mm holes 5 mm from the edges",
    "a 10 mm cube",
    "a washer, 12 mm outside diameter, 6 mm hole, 1.5 mm thick",
    "an M8 nut",
    "a spur gear with 24 teeth, module 1.5, 6 mm thick",
]


@pytest.fixture(scope="module")
def embedded() -> Iterator[Backend]:
    notes: list[str] = []
    backend = open_backend(LLMSettings(model="gemma3-270m"), notify=notes.append)
    assert not backend.writes_code
    yield backend


@pytest.mark.parametrize("prompt", PROMPTS)
def test_grammar_bound_answer_always_parses(embedded: Backend, prompt: str) -> None:
    request = Request(prompt=structured.build_prompt(prompt), max_tokens=768, stop=["\n"],
                      json_schema=structured.json_schema(), grammar=structured.gbnf())
    completion = embedded.generate(request)
    data = json.loads(completion.text)
    assert data["features"] and all("type" in feature for feature in data["features"])
    assert completion.tokens > 3 and completion.first_token_s is not None


def test_embedded_model_makes_a_part(embedded: Backend, pool: SandboxPool) -> None:
    result = Generator(embedded, pool).generate("a 10 mm cube")
    assert result.route == "structured" and result.model == "gemma3-270m"
    assert result.result.measurements["volume"] > 0


def test_cancel_stops_a_generation(embedded: Backend) -> None:
    cancel = threading.Event()
    pieces: list[str] = []

    def on_text(piece: str) -> None:
        pieces.append(piece)
        if len(pieces) == 3:
            cancel.set()

    request = Request(prompt="Count from one to one hundred: one, two,", max_tokens=200)
    completion = embedded.generate(request, on_text, cancel)
    assert completion.finish == "cancelled"
    assert len(pieces) <= 4


def test_the_readme_demo_prompt_gives_the_right_plate(embedded: Backend, pool: SandboxPool) -> None:
    """The first quick-start command's prompt, with the embedded model (greedy, so repeatable),
    as a fresh engine meets it (`make demo`): nothing left in the KV cache by earlier tests."""
    embedded.llama.reset()  # type: ignore[attr-defined]
    result = Generator(embedded, pool).generate(
        "a 40 x 30 x 5 mm plate with four 4 mm holes 5 mm from the edges")
    params = result.result.parameters
    assert (params["length"], params["width"], params["thickness"]) == (40, 30, 5)
    assert params["holes"] == "corners" and params["hole_diameter"] == 4
    assert params["hole_edge_offset"] == 5
    assert result.family == "plate" and result.program is not None and len(result.attempts) == 1
    corners = (4 - 3.14159265) * params["corner_radius"] ** 2 * 5  # the kit's rounded corners
    assert result.result.measurements["volume"] == pytest.approx(
        40 * 30 * 5 - 4 * 3.14159265 * 4 * 5 - corners, rel=1e-4)
