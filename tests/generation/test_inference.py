"""Real llama.cpp inference with the embedded model (a base model: structured output only)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from partsmith import structured
from partsmith.config import LLMSettings
from partsmith.llm import model_catalog
from partsmith.llm.backends import open_backend
from partsmith.llm.base import Backend, Request
from partsmith.llm.local import LlamaCppBackend
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


DEMO = "a 40 x 30 x 5 mm plate with four 4 mm holes 5 mm from the edges"


def test_the_embedded_model_carries_the_shipped_adapter(embedded: Backend) -> None:
    adapter = getattr(embedded, "adapter", None)
    assert adapter is not None and Path(adapter).name == "gemma3-270m-partsmith-lora.gguf"


def test_the_readme_demo_prompt_gives_the_right_plate(embedded: Backend, pool: SandboxPool) -> None:
    """The first quick-start command's prompt, with the embedded model and its adapter (greedy
    first, so repeatable), as a fresh engine meets it (`make demo`)."""
    embedded.llama.reset()  # type: ignore[attr-defined]
    result = Generator(embedded, pool).generate(DEMO)
    measured = result.result.measurements
    assert measured["size"] == pytest.approx([40, 30, 5])
    assert sorted(measured["holes"]) == pytest.approx([4.0] * 4)
    assert result.warnings == [] and result.program is not None


@pytest.fixture(scope="module")
def bare() -> Iterator[Backend]:
    """The embedded model without its adapter (as `--model path/to/the.gguf` runs it)."""
    info = model_catalog.get(model_catalog.EMBEDDED)
    path = model_catalog.local_path(info)
    assert path is not None
    backend = LlamaCppBackend(path, model_id=info.id, writes_code=False, n_ctx=min(8192, info.n_ctx))
    yield backend
    backend.close()


def test_the_bare_base_model_still_gives_the_demo_plate_through_the_family_form(
        bare: Backend, pool: SandboxPool) -> None:
    result = Generator(bare, pool).generate(DEMO)
    params = result.result.parameters
    assert (params["length"], params["width"], params["thickness"]) == (40, 30, 5)
    assert params["holes"] == "corners" and params["hole_diameter"] == 4
    assert params["hole_edge_offset"] == 5
    assert result.family == "plate" and result.program is not None and len(result.attempts) == 1
    corners = (4 - 3.14159265) * params["corner_radius"] ** 2 * 5  # the kit's rounded corners
    assert result.result.measurements["volume"] == pytest.approx(
        40 * 30 * 5 - 4 * 3.14159265 * 4 * 5 - corners, rel=1e-4)
