"""The Blender extension in real Blender (the bpy 4.2 wheel, in its own environment with numpy
below 2), against a real engine service: install, generate, undo, apply, like, a failing prompt."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BLENDER_PYTHON = ROOT / ".venv-blender" / "bin" / "python"
DRIVER = Path(__file__).with_name("driver.py")


@pytest.fixture(scope="module")
def addon_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, str(ROOT / "build_addon.py"), "blender", "blender-legacy",
                    "--dist", str(dist)], check=True, capture_output=True)
    return dist / "partsmith-blender.zip"


@pytest.fixture(scope="module")
def seen(addon_zip: Path, tmp_path_factory: pytest.TempPathFactory, pool) -> Iterator[dict]:  # type: ignore[no-untyped-def]
    if not BLENDER_PYTHON.exists():
        pytest.skip("no Blender environment: run `python scripts/setup.py --tests`")
    from live_engine import FailingOnImpossible, start_service

    home = tmp_path_factory.mktemp("engine-home")
    running = start_service(home, pool, FailingOnImpossible())
    out = tmp_path_factory.mktemp("blender") / "seen.json"
    env = {**os.environ, "PARTSMITH_HOME": str(home), "HOME": str(tmp_path_factory.mktemp("blender-home"))}
    try:
        run = subprocess.run([str(BLENDER_PYTHON), str(DRIVER), str(addon_zip), str(out)], env=env,
                             capture_output=True, text=True, timeout=600)
    finally:
        running.stop()
    data = json.loads(out.read_text())
    data["stdout"] = run.stdout + run.stderr
    assert "crash" not in data, data.get("crash")
    yield data


def test_installs_as_an_extension(seen: dict) -> None:  # type: ignore[type-arg]
    assert seen["version"].startswith("4.2")
    assert seen["installed"] == ["FINISHED"] and seen["addons"] == ["bl_ext.user_default.partsmith"]


def test_the_installers_blender_side_sets_the_extensions_engine_command(seen: dict) -> None:  # type: ignore[type-arg]
    side = seen["side_after_set_engine"]
    assert side["module"] == "bl_ext.user_default.partsmith" and side["enabled"] and side["panel"]
    assert side["engine_command"] == "/opt/partsmith/bin/partsmith serve"


def test_buttons_say_why_they_are_disabled(seen: dict) -> None:  # type: ignore[type-arg]
    assert seen["generate_poll_empty"] is False and seen["generate_poll"] is True
    assert seen["apply_poll_nothing_selected"] is False


def test_the_part_lands_at_the_cursor_at_real_size(seen: dict) -> None:  # type: ignore[type-arg]
    part = seen["part"]
    assert seen["generate"] == ["FINISHED"]
    assert part["name"] == "a 40 x 30 x 5 mm plate with four 4 mm holes" and part["type"] == "MESH"
    assert part["dimensions"] == pytest.approx([0.040, 0.030, 0.005], abs=1e-6)  # metres, as Blender
    assert part["location"] == pytest.approx([0.1, 0.2, 0.0])
    assert part["rotation"] == [0.0, 0.0, 0.0] and part["scale"] == [1.0, 1.0, 1.0]
    assert part["collection"] == "Work" and part["polygons"] > 20
    props = part["props"]
    assert len(props["partsmith_id"]) > 10 and props["partsmith_step"].endswith("model.step")
    assert json.loads(props["partsmith_params"])["hole_diameter"] == 4
    facts = json.loads(props["partsmith_facts"])  # what the prompt stated, met (issue 25)
    assert [(f["said"], f["met"]) for f in facts] == [("40 x 30 x 5 mm", True), ("four 4 mm holes", True)]
    assert seen["params_fields"]["length"] == 40 and seen["params_fields"]["holes"] == "corners"
    assert seen["history_list"][0] == part["name"]


def test_apply_replaces_the_mesh_in_place(seen: dict) -> None:  # type: ignore[type-arg]
    applied = seen["applied"]
    assert seen["apply"] == ["FINISHED"] and seen["objects_after_apply"] == 1
    assert applied["name"] == seen["part"]["name"] and applied["location"] == pytest.approx([0.1, 0.2, 0.0])
    assert applied["dimensions"] == pytest.approx([0.060, 0.030, 0.005], abs=1e-6)
    assert applied["props"]["partsmith_id"] != seen["part"]["props"]["partsmith_id"]
    # The part stays selected and active, so its fields stay in the panel with the new values.
    assert seen["active_after_apply"] == applied["name"] and seen["selected_after_apply"] == [applied["name"]]
    assert seen["fields_after_apply"]["length"] == 60


def test_like_makes_a_new_part_from_the_selected_one(seen: dict) -> None:  # type: ignore[type-arg]
    assert seen["like"] == ["FINISHED"]
    assert seen["liked"]["dimensions"] == pytest.approx([0.080, 0.030, 0.005], abs=1e-6)
    # Beside the first part (which spans x 0.07 to 0.13 m at the cursor), not inside it.
    assert seen["liked"]["location"][0] - 0.040 > 0.130 and seen["liked"]["location"][1:] == pytest.approx([0.2, 0])


def test_a_failing_prompt_is_a_report_that_says_what_to_do(seen: dict) -> None:  # type: ignore[type-arg]
    assert seen["failing"] == ["CANCELLED"] and seen["objects_after_failure"] == 0
    assert "No part could be made from this prompt" in seen["status_after_failure"]
    report = seen["failure_report"]
    assert report.startswith("Error: Partsmith: No part could be made from this prompt")
    assert "the model's answer is not valid JSON" in report and "Give the sizes in mm" in report
    assert "Edit > Preferences > Add-ons > Partsmith" in report
    assert not any(word in report for word in ("Traceback", "attempt(s)", "`", "partsmith "))


def test_thumbnails_go_to_the_extensions_own_folder(seen: dict) -> None:  # type: ignore[type-arg]
    assert "/extensions/.user/user_default/partsmith/thumbnails" in seen["thumbnails_folder"]
    assert len(seen["thumbnails"]) >= 2 and seen["shared_tmp_thumbnails"] is False


def test_parameter_fields_fit_their_values(seen: dict) -> None:  # type: ignore[type-arg]
    assert seen["spec_job"] == "done"
    assert seen["spec_kinds"] == {"length": "length", "width": "length", "rows": "integer", "holes": "choice"}
    assert seen["spec_widgets"] == {"length": "FLOAT", "width": "FLOAT", "rows": "INT", "holes": "ENUM"}
    assert seen["spec_length_units"] == ["DISTANCE", "LENGTH"]  # shown in the scene's length unit
    assert seen["spec_length_blender"] == pytest.approx(0.040)  # metres inside Blender
    assert seen["spec_values"] == {"length": 40, "width": 30, "rows": 2, "holes": "corners"}
    assert seen["spec_choices"] == ["none", "corners", "centre"]
    assert seen["spec_clamped"] == {"length": 200, "rows": 1}  # the script's ranges are the limits
    assert seen["spec_apply"] == ["FINISHED"]
    assert seen["spec_applied"]["dimensions"] == pytest.approx([0.120, 0.030, 0.005], abs=1e-6)


def test_engine_settings_stay_out_of_blenders_environment(seen: dict) -> None:  # type: ignore[type-arg]
    assert seen["start_env"] == {"PARTSMITH_LLM__N_GPU_LAYERS": "5"}
    assert seen["blender_env_gpu_layers"] is None


def test_loading_a_file_follows_its_active_part(seen: dict) -> None:  # type: ignore[type-arg]
    assert seen["params_after_load"] == ["holes", "length", "rows", "width"]
