"""The engine records every generation, and "like", "again" and reruns build on the history.
Driven by a scripted model through the real sandbox, history and embeddings."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from partsmith.config import Settings
from partsmith.engine.engine import Engine
from partsmith.errors import InputError
from partsmith.generate.pipeline import GenerationFailed
from partsmith.history import History
from partsmith.model.scripted import ScriptedBackend
from partsmith.sandbox import SandboxPool

PLATE = json.dumps({"family": "plate", "params": {"length": 40, "width": 30, "thickness": 5,
                                                   "hole_diameter": 4, "holes": "corners"}})
TAG = """```python
from build123d import *
length = 40  # mm
width = 30  # mm
thickness = 5  # mm
result = Box(length, width, thickness) - Pos(15, 0, 0) * Cylinder(2, thickness)
```"""
TYPO = "```python\nfrom build123d import *\nresult = Bx(40, 30, 5)\n```"


@pytest.fixture
def make_engine(pool: SandboxPool, tmp_path: Path) -> Iterator[object]:
    engines: list[Engine] = []
    history = History(tmp_path / "history")

    def make(answers: list[str], writes_code: bool = True,
             prompt_style: str | None = None) -> tuple[Engine, ScriptedBackend]:
        backend = ScriptedBackend(answers, writes_code=writes_code, prompt_style=prompt_style)
        engine = Engine(Settings(), backend=backend, history=history, pool=pool, host="blender")
        engines.append(engine)
        return engine, backend

    yield make
    history.close()


def test_a_generation_is_recorded_with_everything(make_engine) -> None:  # type: ignore[no-untyped-def]
    engine, _ = make_engine([TAG])
    saved = engine.generate("a 40 x 30 x 5 mm name tag with a 4 mm hole")
    entry = engine.history.get(saved.id)
    assert entry.status == "ok" and entry.host == "blender" and entry.route == "code"
    assert entry.model == "scripted" and entry.parameters == {"length": 40, "width": 30, "thickness": 5}
    assert entry.size == pytest.approx([40, 30, 5]) and entry.holes == [4.0]
    assert len(entry.attempts) == 1 and "generate_s" in entry.timings
    assert {"model_s", "build_s", "checks_s", "candidates"} <= set(entry.timings)
    # What the prompt stated, each met, kept with the part (issue 25).
    assert [(f["said"], f["met"]) for f in entry.facts] == [("40 x 30 x 5 mm", True), ("a 4 mm hole", True)]
    assert {"step", "stl", "glb"} <= set(entry.artifacts)
    assert engine.history.path(entry, "thumbnail").is_file()


def test_a_failure_is_recorded_too(make_engine) -> None:  # type: ignore[no-untyped-def]
    engine, _ = make_engine([TYPO] * 3)
    with pytest.raises(GenerationFailed):
        engine.generate("a 40 x 30 x 5 mm name tag")
    [row] = engine.history.newest(1)
    failed = engine.history.get(row.id)
    assert failed.status == "failed" and "NameError" in failed.error["message"]
    assert len(failed.attempts) == 3 and engine.history.last() is None  # "last" means a success


def test_like_last_with_a_named_change_needs_no_model(make_engine) -> None:  # type: ignore[no-untyped-def]
    engine, backend = make_engine([PLATE], writes_code=False)
    first = engine.generate("a 40 x 30 x 5 mm plate with four 4 mm holes")
    longer = engine.generate("but 60 mm long", like="last")
    assert len(backend.requests) == 1  # the model was asked once, for the first part only
    assert longer.like == first.id and longer.route == "edit" and longer.family == "plate"
    assert longer.parameters["length"] == 60 and longer.size == pytest.approx([60, 30, 5])


def test_thick_on_a_plate_made_as_a_box_changes_its_height_and_keeps_the_earlier_edit(make_engine) -> None:  # type: ignore[no-untyped-def]
    """The adapted model writes a plate as a box body (its thickness is `box_height`): "but 10 mm
    thick" on the part made longer before changes that, without the model, and keeps its length."""
    program = json.dumps({"features": [{"type": "box", "l": 40, "w": 30, "h": 5}]})
    engine, backend = make_engine([program], writes_code=False, prompt_style="short")
    engine.generate("a 40 x 30 x 5 mm plate")
    longer = engine.generate("but 80 mm long", like="last")
    thicker = engine.generate("but 10 mm thick", like=longer.id)
    assert len(backend.requests) == 1 and thicker.route == "edit" and thicker.like == longer.id
    assert thicker.size == pytest.approx([80, 30, 10])


def test_like_with_a_new_feature_asks_the_model_with_the_earlier_script(make_engine) -> None:  # type: ignore[no-untyped-def]
    engine, backend = make_engine([TAG, TAG])
    first = engine.generate("a 40 x 30 x 5 mm name tag with a 4 mm hole")
    second = engine.generate("with rounded corners", like="the name tag")
    assert second.like == first.id
    asked = backend.requests[1].messages[1]["content"]
    assert "Here is the script for: a 40 x 30 x 5 mm name tag" in asked
    assert "result = Box(length, width, thickness)" in asked and "Change it: with rounded corners" in asked
    # The scripted model answered the same part: the change is not silently handed back as made.
    assert any('"with rounded corners" was not made' in w for w in second.warnings), second.warnings


def test_relative_edits_and_sizes_need_no_model(make_engine) -> None:  # type: ignore[no-untyped-def]
    program = json.dumps({"features": [{"type": "box", "l": 40, "w": 30, "h": 5}]})
    nut = json.dumps({"features": [{"type": "hex_nut", "size": "M6"}]})
    engine, backend = make_engine([program, nut], writes_code=False, prompt_style="short")
    engine.generate("a 40 x 30 x 5 mm plate")
    longer = engine.generate("twice as long", like="last")
    assert longer.route == "edit" and longer.size == pytest.approx([80, 30, 5])
    engine.generate("an M6 nut")
    bigger = engine.generate("M10 instead", like="last")
    assert bigger.route == "edit" and bigger.parameters["size"] == "M10"
    # Its fields say what it is made with (ISO 4032 M10: 16 across flats, 8.4 thick), not the M6's.
    assert bigger.parameters["across_flats"] == 16 and bigger.parameters["thickness"] == 8.4
    assert max(bigger.size) == pytest.approx(16 / 0.8660254, rel=1e-3)  # 16 across flats, ISO 4032
    assert len(backend.requests) == 2


def test_again_makes_another_variant_of_the_last_prompt(make_engine) -> None:  # type: ignore[no-untyped-def]
    engine, backend = make_engine([PLATE, PLATE], writes_code=False)
    first = engine.generate("a 40 x 30 x 5 mm plate with four 4 mm holes")
    again = engine.generate("", again=True)
    assert again.prompt == first.prompt and again.like == first.id
    assert backend.requests[1].temperature > 0 and backend.requests[1].seed != backend.requests[0].seed


def test_rerun_with_parameters(make_engine) -> None:  # type: ignore[no-untyped-def]
    engine, backend = make_engine([PLATE], writes_code=False)
    first = engine.generate("a 40 x 30 x 5 mm plate with four 4 mm holes")
    rerun = engine.rerun(first.id, {"hole_diameter": "6", "thickness": "8"})
    assert rerun.route == "rerun" and rerun.model == "" and len(backend.requests) == 1
    assert rerun.parameters["hole_diameter"] == 6 and rerun.holes == [6.0] * 4
    assert rerun.size == pytest.approx([40, 30, 8])
    with pytest.raises(InputError, match="not a parameter"):
        engine.rerun(first.id, {"colour": "red"})


def test_past_successes_become_examples(make_engine) -> None:  # type: ignore[no-untyped-def]
    engine, backend = make_engine([TAG, TAG])
    engine.generate("a 40 x 30 x 5 mm name tag with a 4 mm hole")
    engine.generate("a 40 x 30 x 5 mm name tag for a backpack")
    system = backend.requests[1].messages[0]["content"]
    assert "Example: a 40 x 30 x 5 mm name tag with a 4 mm hole" in system


def test_like_nothing_is_a_clear_error(make_engine) -> None:  # type: ignore[no-untyped-def]
    engine, _ = make_engine([])
    with pytest.raises(InputError, match="no earlier part"):
        engine.generate("but 60 mm long", like="last")


def test_a_cold_start_says_what_it_loads(make_engine) -> None:  # type: ignore[no-untyped-def]
    # The first prompt after the engine starts waits for the pieces it loads: each says so (the
    # model and the sandbox are the test's own here, already there).
    program = json.dumps({"features": [{"type": "box", "l": 40, "w": 30, "h": 5}]})
    engine, _ = make_engine([program, program], writes_code=False, prompt_style="short")
    stages: list[str] = []
    engine.generate("a 40 x 30 x 5 mm plate", on_progress=lambda p: stages.append(p.stage))
    assert stages[0] == "loading the embedder" and "loading the model" not in stages
    assert stages.index("loading the embedder") < stages.index("retrieving")
    stages.clear()
    engine.generate("a 40 x 30 x 6 mm plate", on_progress=lambda p: stages.append(p.stage))
    assert not [s for s in stages if s.startswith("loading")]
