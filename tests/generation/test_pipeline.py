"""The repair loop and the routes, driven by a scripted model (queued answers, including the
broken code real models write), through the real sandbox."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from partsmith.errors import InputError
from partsmith.llm.base import Cancelled
from partsmith.llm.scripted import ScriptedBackend
from partsmith.pipeline import GenerationFailed, Generator, Progress
from partsmith.sandbox import SandboxPool

GOOD = "```python\nfrom build123d import *\nlength = 40  # mm\nwidth = 30  # mm\nthickness = 5  # mm\nresult = Box(length, width, thickness)\n```"
TYPO = "```python\nfrom build123d import *\nlength = 40\nresult = Bx(length, 30, 5)\n```"
WRONG_SIZE = "```python\nfrom build123d import *\nresult = Box(40, 30, 10)\n```"
PROMPT = "a 40 x 30 x 5 mm plate"


def test_code_route_first_try(pool: SandboxPool, tmp_path: Path) -> None:
    backend = ScriptedBackend([GOOD])
    stages: list[str] = []
    result = Generator(backend, pool).generate(
        PROMPT, out_dir=tmp_path / "out", on_progress=lambda p: stages.append(p.stage))
    assert result.route == "code"
    assert result.result.measurements["size"] == pytest.approx([40, 30, 5])
    assert result.result.parameters == {"length": 40, "width": 30, "thickness": 5}
    assert (tmp_path / "out" / "model.step").exists() and (tmp_path / "out" / "model.glb").exists()
    assert stages[0] == "generating" and "running" in stages and stages[-1] == "saving"
    meta = json.loads((tmp_path / "out" / "meta.json").read_text())
    assert meta["prompt"] == PROMPT and meta["model"] == "scripted" and len(meta["attempts"]) == 1


def test_script_error_goes_back_to_the_model_with_its_line(pool: SandboxPool) -> None:
    backend = ScriptedBackend([TYPO, GOOD])
    result = Generator(backend, pool).generate(PROMPT)
    assert [a.error["kind"] if a.error else None for a in result.attempts] == ["script", None]
    repair = backend.requests[1].messages[-1]["content"]
    assert "NameError" in repair and "line 3" in repair and "Bx(length, 30, 5)" in repair
    assert backend.requests[1].messages[-2] == {"role": "assistant", "content": TYPO}


def test_dimension_mismatch_triggers_a_repair(pool: SandboxPool) -> None:
    backend = ScriptedBackend([WRONG_SIZE, GOOD])
    result = Generator(backend, pool).generate(PROMPT)
    assert len(result.attempts) == 2
    assert "40 x 30 x 5 mm" in backend.requests[1].messages[-1]["content"]
    assert result.warnings == []


def test_mismatch_that_persists_is_a_warning(pool: SandboxPool) -> None:
    backend = ScriptedBackend([WRONG_SIZE] * 2)
    result = Generator(backend, pool, max_attempts=2).generate(PROMPT)
    assert any("40 x 30 x 5 mm" in w for w in result.warnings)


def test_answer_without_code_and_hostile_code_are_repaired(pool: SandboxPool) -> None:
    hostile = "```python\nimport os\nos.system('rm -rf ~')\n```"
    backend = ScriptedBackend(["Sorry, I can't.", hostile, GOOD])
    result = Generator(backend, pool).generate(PROMPT)
    assert [a.error["kind"] if a.error else None for a in result.attempts] == ["script", "policy", None]


def test_bounded_attempts_end_in_a_clear_failure(pool: SandboxPool) -> None:
    backend = ScriptedBackend([TYPO] * 3)
    with pytest.raises(GenerationFailed) as info:
        Generator(backend, pool, max_attempts=3).generate(PROMPT)
    assert len(info.value.attempts) == 3
    assert "no usable part after 3 attempt(s)" in str(info.value)
    assert "NameError" in str(info.value)


def test_structured_route_renders_a_kit_script(pool: SandboxPool) -> None:
    answer = json.dumps({"family": "plate", "params": {"length": 40, "width": 30, "thickness": 5,
                                                        "hole_diameter": 4, "holes": "corners"}})
    backend = ScriptedBackend([answer], writes_code=False)
    result = Generator(backend, pool).generate("a 40 x 30 x 5 mm plate with four 4 mm holes")
    assert result.route == "structured"
    assert "from partsmith.kit import plate" in result.script
    assert result.result.parameters["hole_diameter"] == 4
    request = backend.requests[0]
    assert request.json_schema is not None and request.prompt.endswith("JSON:")


def test_structured_route_retries_an_invalid_answer(pool: SandboxPool) -> None:
    bad = json.dumps({"family": "plate", "params": {"length": -4}})
    good = json.dumps({"family": "block", "params": {"length": 10, "width": 10, "height": 10}})
    backend = ScriptedBackend([bad, good], writes_code=False)
    result = Generator(backend, pool).generate("a 10mm cube")
    assert result.attempts[0].error["kind"] == "input"
    assert backend.requests[1].temperature > 0
    assert result.result.measurements["size"] == pytest.approx([10, 10, 10])


@pytest.mark.parametrize("prompt", ["", "   ", "x" * 5000])
def test_bad_prompts(pool: SandboxPool, prompt: str) -> None:
    with pytest.raises(InputError):
        Generator(ScriptedBackend([]), pool).generate(prompt)


def test_cancel_before_generation(pool: SandboxPool) -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        Generator(ScriptedBackend([GOOD]), pool).generate(PROMPT, cancel=cancel)


def test_progress_reports_tokens(pool: SandboxPool) -> None:
    seen: list[Progress] = []
    Generator(ScriptedBackend([GOOD]), pool).generate(PROMPT, on_progress=seen.append)
    assert max(p.tokens for p in seen) > 5
