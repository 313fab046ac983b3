"""The repair loop and the routes, driven by a scripted model (queued answers, including the
broken code real models write), through the real sandbox."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from partsmith.config import ExportSettings, SandboxSettings
from partsmith.errors import InputError
from partsmith.generate.pipeline import GenerationFailed, Generator
from partsmith.model.base import Cancelled
from partsmith.model.scripted import ScriptedBackend
from partsmith.progress import Progress
from partsmith.sandbox import SandboxPool

GOOD = "```python\nfrom build123d import *\nlength = 40  # mm\nwidth = 30  # mm\nthickness = 5  # mm\nresult = Box(length, width, thickness)\n```"
TYPO = "```python\nfrom build123d import *\nlength = 40\nresult = Bx(length, 30, 5)\n```"
WRONG_SIZE = "```python\nfrom build123d import *\nresult = Box(40, 30, 10)\n```"
# Not one of the kit's families, so a model that writes code takes the code route.
PROMPT = "a 40 x 30 x 5 mm name tag"


def test_code_route_first_try(pool: SandboxPool, tmp_path: Path) -> None:
    backend = ScriptedBackend([GOOD])
    stages: list[str] = []
    result = Generator(backend, pool).generate(PROMPT, on_progress=lambda p: stages.append(p.stage))
    assert result.route == "code" and result.decision is not None and result.decision.route == "code"
    assert result.result.measurements["size"] == pytest.approx([40, 30, 5])
    assert result.result.parameters == {"length": 40, "width": 30, "thickness": 5}
    assert result.result.artifacts["step"].exists() and result.result.artifacts["glb"].exists()
    assert stages[:2] == ["retrieving", "generating"] and "running" in stages and stages[-1] == "saving"
    # No record is written into the job folder: the history makes the one record of the part.
    assert not (result.result.job_dir / "meta.json").exists()
    assert result.prompt == PROMPT and result.model == "scripted" and len(result.attempts) == 1
    assert result.decision.family == "plate"
    # The nearest shipped example scripts are in the system prompt.
    system = backend.requests[0].messages[0]["content"]
    assert "Example: " in system and "```python" in system and "partsmith.kit" in system


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


def _program(*features: dict[str, object]) -> str:
    return json.dumps({"features": list(features)})


def test_structured_route_renders_a_kit_script(pool: SandboxPool) -> None:
    answer = _program({"type": "plate", "length": 40, "width": 30, "thickness": 5,
                       "hole_diameter": 4, "holes": "corners"})
    backend = ScriptedBackend([answer], writes_code=False)
    result = Generator(backend, pool).generate("a 40 x 30 x 5 mm plate with four 4 mm holes")
    assert result.route == "structured"
    assert "from partsmith.kit import plate" in result.script
    assert result.result.parameters["hole_diameter"] == 4
    # A base model's first request is in the family form (its schema bounds the answer); a
    # whole program is accepted as well.
    request = backend.requests[0]
    assert request.json_schema is not None and "family" in str(request.json_schema)
    assert request.prompt is not None and request.prompt.endswith("JSON:")


def test_structured_route_compiles_a_program_of_features(pool: SandboxPool) -> None:
    answer = _program({"type": "box", "l": 40, "w": 30, "h": 5},
                      {"type": "hole", "at": {"type": "grid", "nx": 2, "ny": 2, "dx": 30, "dy": 20}, "d": 4})
    backend = ScriptedBackend([answer], writes_code=False)
    result = Generator(backend, pool).generate("a 40 x 30 x 5 mm plate with four 4 mm holes")
    assert result.result.measurements["holes"] == [4.0] * 4 and result.warnings == []
    assert result.result.parameters["box_length"] == 40 and result.attempts[0].answer == answer


def test_a_prompt_with_an_inch_mark_never_reaches_the_script(pool: SandboxPool) -> None:
    answer = _program({"type": "cylinder", "d": 12.7, "h": 25.4})
    backend = ScriptedBackend([answer], writes_code=False)
    result = Generator(backend, pool).generate('a rod 1" long and 0.5"')
    assert result.attempts[0].error is None and '0.5"' not in result.script


def test_a_feature_that_cannot_be_built_goes_back_named(pool: SandboxPool) -> None:
    bad = _program({"type": "box", "l": 20, "w": 20, "h": 5}, {"type": "fillet", "r": 30, "edges": "top"})
    good = _program({"type": "box", "l": 20, "w": 20, "h": 5}, {"type": "fillet", "r": 1, "edges": "top"})
    backend = ScriptedBackend([bad, good], writes_code=False)
    result = Generator(backend, pool).generate("a 20 x 20 x 5 mm block with rounded top edges")
    error = result.attempts[0].error
    assert error is not None and "features[1] (fillet 30 mm on top edges)" in error["message"]
    retry = backend.requests[1].prompt
    assert retry is not None and "Rejected JSON:" in retry and "features[1]" in retry


def test_an_answer_whose_feature_changes_nothing_loses_to_one_whose_features_all_count(pool: SandboxPool) -> None:
    # "a post on top": the first answer sinks the post inside the plate, so the part is a bare plate.
    sunk = _program({"type": "box", "l": 40, "w": 30, "h": 5}, {"type": "cylinder", "d": 10, "h": 3, "z": 1})
    good = _program({"type": "box", "l": 40, "w": 30, "h": 5}, {"type": "cylinder", "d": 10, "h": 20, "z": 5})
    backend = ScriptedBackend([sunk, good], writes_code=False)
    result = Generator(backend, pool).generate("a 40 x 30 x 5 mm plate with a 10 mm post 20 mm tall on top")
    assert any("features[1] (cylinder) changes nothing" in p for p in result.attempts[0].problems)
    assert result.attempts[1].problems == [] and result.result.measurements["size"] == pytest.approx([40, 30, 25])


def test_structured_route_retries_an_invalid_answer(pool: SandboxPool) -> None:
    bad = _program({"type": "box", "l": -4, "w": 10, "h": 10})
    good = _program({"type": "box", "l": 10, "w": 10, "h": 10})
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


KIT_PLATE = json.dumps({"features": [{"type": "plate", "length": 40, "width": 30, "thickness": 5,
                                       "hole_diameter": 4, "holes": "center"}]})
FOUR_HOLES = """```python
from build123d import *
length = 40  # mm
width = 30  # mm
thickness = 5  # mm
hole_diameter = 4  # mm
with BuildPart() as plate:
    Box(length, width, thickness)
    with Locations((0, 0, thickness / 2)):
        with GridLocations(30, 20, 2, 2):
            Hole(radius=hole_diameter / 2)
result = plate.part
```"""


def test_a_kit_prompt_takes_the_structured_route_even_with_a_code_model(pool: SandboxPool) -> None:
    answer = _program({"type": "block", "length": 10, "width": 10, "height": 10})
    backend = ScriptedBackend([answer], writes_code=True)
    result = Generator(backend, pool).generate("a 10mm cube")
    assert result.route == "structured" and result.decision is not None
    assert result.decision.family == "block" and result.decision.score > 0.9
    # The few-shot examples next to the prompt are the nearest programs: the kit's cube example.
    assert 'Description: a 10mm cube\nJSON: {"features": [{"type": "block"' in backend.requests[0].prompt


def test_wrong_hole_count_goes_back_and_the_code_model_edits_the_kit_script(pool: SandboxPool) -> None:
    backend = ScriptedBackend([KIT_PLATE, FOUR_HOLES], writes_code=True)
    result = Generator(backend, pool).generate("a 40 x 30 x 5 mm plate with four 4 mm holes")
    assert [a.route for a in result.attempts] == ["structured", "code"]
    assert "four 4 mm holes" in result.attempts[0].problems[0] and "has 1 such hole" in result.attempts[0].problems[0]
    repair = backend.requests[1].messages
    assert "from partsmith.kit import plate" in repair[-2]["content"]  # the kit script to edit
    assert "four 4 mm holes" in repair[-1]["content"]
    assert result.route == "code" and result.warnings == []
    assert result.result.measurements["holes"] == [4.0] * 4


def test_a_hole_mismatch_that_persists_is_a_warning(pool: SandboxPool) -> None:
    backend = ScriptedBackend([KIT_PLATE] * 2, writes_code=False)
    result = Generator(backend, pool, max_attempts=2).generate("a 40 x 30 x 5 mm plate with four 4 mm holes")
    assert result.route == "structured"
    assert any("four 4 mm holes" in w for w in result.warnings)


def test_warm_fills_the_models_cache_with_the_fixed_head(pool: SandboxPool) -> None:
    backend = ScriptedBackend(["{"], writes_code=False)
    Generator(backend, pool).warm()
    assert backend.requests[0].prompt is not None and backend.requests[0].prompt.startswith("Each description")
    assert backend.requests[0].max_tokens == 1


def test_a_backend_declares_its_prompt_style_and_an_unknown_one_is_refused(pool: SandboxPool) -> None:
    from partsmith.generate import styles

    assert ScriptedBackend([], writes_code=True).prompt_style == "code"
    assert ScriptedBackend([], writes_code=False).prompt_style == "family"
    assert [styles.style_for("family", "structured", n).name for n in (1, 2)] == ["family", "program"]
    assert styles.style_for("short", "structured", 2).name == "short"
    assert styles.style_for("code", "structured", 1).name == "program"
    with pytest.raises(ValueError, match="unknown prompt style"):
        Generator(ScriptedBackend(["{}"], prompt_style="poetry"), pool).generate("a 20 mm cube")


def test_warm_readies_an_adapted_model_with_its_short_prompt_and_grammar(pool: SandboxPool) -> None:
    backend = ScriptedBackend(["{"], writes_code=False, prompt_style="short")
    Generator(backend, pool).warm()
    request = backend.requests[0]
    assert request.prompt is not None and request.prompt.startswith("Description: ")
    assert request.grammar is not None and request.max_tokens == 1


CUBE_PROGRAM = json.dumps({"features": [{"type": "box", "l": 20, "w": 20, "h": 20}]})


def _adapted(answers: list[str]) -> ScriptedBackend:
    return ScriptedBackend(answers, writes_code=False, prompt_style="short")


def test_an_adapted_model_answers_without_the_grammar_when_its_answer_fits(pool: SandboxPool) -> None:
    backend = _adapted([CUBE_PROGRAM])
    made = Generator(backend, pool).generate("a 20 mm cube")
    assert made.result.measurements["size"] == pytest.approx([20, 20, 20])
    assert len(backend.requests) == 1
    assert backend.requests[0].grammar is None and backend.requests[0].json_schema is None
    assert backend.requests[0].prompt == "Description: a 20 mm cube\nJSON:"


def test_an_adapted_answer_outside_the_schema_is_written_again_under_the_grammar(pool: SandboxPool) -> None:
    backend = _adapted(['{"features": [{"type": "blob", "size": 3}]}', CUBE_PROGRAM])
    made = Generator(backend, pool).generate("a 20 mm cube")
    assert made.result.measurements["size"] == pytest.approx([20, 20, 20])
    assert len(made.attempts) == 1  # the same attempt, not a repair
    assert [r.grammar is not None for r in backend.requests] == [False, True]
    assert backend.requests[1].temperature == 0.0 and backend.requests[1].prompt == backend.requests[0].prompt


def test_job_folders_of_failed_and_losing_attempts_are_removed(tmp_path: Path) -> None:
    jobs = tmp_path / "jobs"
    with SandboxPool(SandboxSettings(workers=1, timeout_s=30), ExportSettings(), jobs_dir=jobs) as own:
        # A script error, a part of the wrong size, then the right one: one folder is left.
        made = Generator(ScriptedBackend([TYPO, WRONG_SIZE, GOOD]), own).generate(PROMPT)
        assert [p.name for p in jobs.iterdir()] == [made.result.job_dir.name]
        # Three misses of which the first was best: the best stays, the others go.
        best = Generator(ScriptedBackend([WRONG_SIZE, TYPO, WRONG_SIZE]), own, max_attempts=3).generate(PROMPT)
        assert sorted(p.name for p in jobs.iterdir()) == sorted([made.result.job_dir.name,
                                                                  best.result.job_dir.name])
        # A generation that fails leaves nothing behind.
        with pytest.raises(GenerationFailed):
            Generator(ScriptedBackend([TYPO] * 2), own, max_attempts=2).generate(PROMPT)
        assert len(list(jobs.iterdir())) == 2


def test_when_no_attempt_builds_the_part_comes_without_the_feature_that_failed(pool: SandboxPool) -> None:
    # As a parametric CAD tool keeps a model whose feature fails: the plate without the hole
    # that misses it, with a warning that says so, rather than no part.
    missing = _program({"type": "box", "l": 40, "w": 30, "h": 5},
                       {"type": "hole", "at": {"type": "points", "pts": [{"x": 90, "y": 0}]}, "d": 4},
                       {"type": "chamfer", "l": 0.5, "edges": "top"})
    backend = _adapted([missing, missing])
    made = Generator(backend, pool, max_attempts=2).generate("a 40 x 30 x 5 mm plate")
    assert len(made.attempts) == 2 and all(a.error for a in made.attempts)
    assert made.result.measurements["size"] == pytest.approx([40, 30, 5])
    assert made.program is not None and [f["type"] for f in made.program["features"]] == ["box", "chamfer"]
    assert "chamfer" in made.script and "hole" not in made.script
    [left_out] = [w for w in made.warnings if w.startswith("left out")]
    assert "features[1] (hole) of attempt 1" in left_out and "misses the part" in left_out


def test_a_first_body_that_cannot_be_built_still_fails_clearly(pool: SandboxPool) -> None:
    broken = _program({"type": "tube", "od": 10, "id": 10, "h": 5})
    with pytest.raises(GenerationFailed, match="no usable part after 2"):
        Generator(_adapted([broken, broken]), pool, max_attempts=2).generate("a 10 mm tube")
