"""The workbench's parametric part in FreeCADCmd (Debian's FreeCAD 0.20.2) against a live engine:
a real solid in mm, typed parameters, recompute reruns the script, save / reopen, one undo."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from live_engine import FailingOnImpossible, start_service

from partsmith.program.compile import compile_program
from partsmith.program.schema import parse

HERE = Path(__file__).parent


@pytest.fixture(scope="module")
def seen(freecad_home: Path, pool, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:  # type: ignore[no-untyped-def]
    engine_home = tmp_path_factory.mktemp("engine-home")
    running = start_service(engine_home, pool, FailingOnImpossible())
    scratch = tmp_path_factory.mktemp("fc")
    env = {**os.environ, "HOME": str(freecad_home), "PARTSMITH_HOME": str(engine_home),
           "PARTSMITH_FC_OUT": str(scratch / "seen.json"), "PARTSMITH_FC_TMP": str(scratch),
           "PARTSMITH_FC_PROMPT": "a 40 x 30 x 5 mm plate with four 4 mm holes",
           "PARTSMITH_FC_NUT": compile_program(parse({"features": [{"type": "hex_nut", "size": "M8"}]}))}
    try:
        run = subprocess.run(["freecadcmd", str(HERE / "cmd_driver.py")], env=env, capture_output=True,
                             text=True, timeout=600)
    finally:
        running.stop()
    assert (scratch / "seen.json").exists(), run.stdout + run.stderr
    data = json.loads((scratch / "seen.json").read_text())
    assert "crash" not in data, data.get("crash")
    yield data


def test_a_real_solid_in_millimetres(seen: dict) -> None:  # type: ignore[type-arg]
    assert seen["freecad"].startswith("0.20") or seen["freecad"] >= "0.20"
    assert seen["type"] == "Part::FeaturePython" and seen["valid"] and seen["solids"] == 1
    assert seen["box"] == pytest.approx([40, 30, 5], abs=1e-6)
    assert seen["volume"] == pytest.approx(40 * 30 * 5 - 4 * 3.14159265 * 4 * 5, rel=1e-3)
    assert seen["label"] == "a 40 x 30 x 5 mm plate with four 4 mm holes"


def test_parameters_are_typed_properties(seen: dict) -> None:  # type: ignore[type-arg]
    types = seen["types"]
    assert types["length"] == "App::PropertyLength" and types["hole_diameter"] == "App::PropertyLength"
    # The kit script's head comments give the ranges and the choices (a constrained integer, a drop-down).
    assert types["grid_columns"] == "App::PropertyIntegerConstraint" and types["holes"] == "App::PropertyEnumeration"
    assert seen["length"] == "40.0 mm"


def test_editing_a_parameter_and_recomputing_reruns_the_script(seen: dict) -> None:  # type: ignore[type-arg]
    assert seen["after_edit_box"] == pytest.approx([60, 30, 5], abs=1e-6)
    assert seen["after_edit_entry"] != seen["entry"] and "Invalid" not in seen["state"]


def test_the_part_survives_save_and_reopen(seen: dict) -> None:  # type: ignore[type-arg]
    assert seen["reopened_box"] == pytest.approx([60, 30, 5], abs=1e-6)
    assert seen["reopened_proxy"] == "PartsmithPart"
    assert seen["reopened_edit_volume"] == pytest.approx(60 * 30 * 5 - 4 * 3.14159265 * 9 * 5, rel=1e-3)


def test_one_undo_removes_it(seen: dict) -> None:  # type: ignore[type-arg]
    assert seen["objects_before_undo"] == 1 and seen["objects_after_undo"] == 0


def test_freecad_never_imports_the_cad_libraries(seen: dict) -> None:  # type: ignore[type-arg]
    assert seen["cad_modules"] == []


def test_parameters_with_specs_get_fields_that_fit(seen: dict) -> None:  # type: ignore[type-arg]
    assert seen["spec_types"] == {"length": "App::PropertyLength", "width": "App::PropertyLength",
                                  "rows": "App::PropertyIntegerConstraint", "holes": "App::PropertyEnumeration"}
    assert seen["spec_choices"] == ["none", "corners", "centre"] and seen["spec_rows"] == 2
    assert seen["spec_centre_volume"] == pytest.approx(40 * 30 * 5 - 3.14159265 * 9 * 5, rel=1e-3)
    assert "Invalid" in seen["spec_out_of_range_state"]  # 500 mm is past the script's limit
    assert seen["spec_out_of_range_box"] == pytest.approx([40, 30, 5], abs=1e-6)


def test_a_document_rebuilds_on_a_computer_without_its_history(seen: dict) -> None:  # type: ignore[type-arg]
    assert seen["script_kept"] is True and seen["elsewhere_step_exists"] is False
    assert seen["elsewhere_box"] == pytest.approx([50, 30, 5], abs=1e-6)
    assert seen["elsewhere_entry_changed"] is True and "Invalid" not in seen["elsewhere_state"]


def test_a_standard_nut_shows_its_sizes_and_only_the_fields_that_count(seen: dict) -> None:  # type: ignore[type-arg]
    assert seen["nut_across_flats"] == pytest.approx(13)  # ISO 4032 M8, not the custom default
    modes = seen["nut_modes"]
    assert modes["size"] == [] and modes["x"] == ["Hidden"]
    assert modes["across_flats"] == ["ReadOnly"] and modes["thickness"] == ["ReadOnly"]
    assert seen["nut_custom_modes"] == {"across_flats": [], "thickness": []}
