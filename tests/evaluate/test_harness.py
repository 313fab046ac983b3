"""The evaluation harness checks itself: the oracle (reference scripts through the sandbox) must
score 100 % made and IoU >= 0.99 on our own JSONL set; wrong parts score low; runs resume."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from partsmith.cli.main import app
from partsmith.evaluate.score import compare, score
from partsmith.evaluate.tasks import from_cadqueryeval, load

ROOT = Path(__file__).resolve().parents[2]
ORACLE = ROOT / "bench" / "evals" / "oracle" / "tasks.jsonl"
runner = CliRunner()


def test_the_oracle_scores_full_marks_and_resumes(tmp_path: Path) -> None:
    out = tmp_path / "run"
    first = runner.invoke(app, ["eval", str(ORACLE), "--oracle", "--out", str(out), "--limit", "5"])
    assert first.exit_code == 0, first.output
    rows = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert len(rows) == 5
    again = runner.invoke(app, ["eval", str(ORACLE), "--oracle", "--out", str(out)])
    assert again.exit_code == 0, again.output
    rows = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert len(rows) == len(load(ORACLE)) == len({r["id"] for r in rows})  # the first five not run twice
    summary = json.loads((out / "summary.json").read_text())
    assert summary["pass"] == 1.0 and all(r["passed"] for r in rows)
    assert summary["made"] == 1.0 and summary["valid"] == 1.0 and summary["bbox_within_1mm"] == 1.0
    assert summary["volume_within_2pct"] == 1.0 and min(r["iou"] for r in rows) >= 0.99
    assert summary["chamfer_median_mm"] < 0.3
    assert (out / "chart.png").read_bytes()[:4] == b"\x89PNG" and "| kit-gear |" in (out / "results.md").read_text()


def test_a_different_part_scores_low_and_an_axis_swap_does_not_matter(tmp_path: Path) -> None:
    stl = ORACLE.parent
    iou, chamfer = compare(stl / "tube.stl", stl / "block-hole.stl")
    assert iou < 0.3 and chamfer > 2
    # The same L bracket built along other axes is the same part.
    import trimesh

    turned = trimesh.load_mesh(stl / "l-bracket.stl")
    turned.apply_transform(trimesh.transformations.rotation_matrix(1.5707963, [1, 0, 0]))
    turned.export(tmp_path / "turned.stl")
    iou, chamfer = compare(tmp_path / "turned.stl", stl / "l-bracket.stl")
    assert iou > 0.99 and chamfer < 0.3


def test_no_part_scores_zero_and_sizes_are_compared_sorted() -> None:
    missing = score(None, ORACLE.parent / "tube.stl", None, 1)
    assert not missing.made and missing.iou is None and missing.reference_size == pytest.approx([10, 10, 50], abs=0.01)
    boxed = score({"size": [50, 10, 10], "volume": 2513.0, "solids": 1}, None, (10.0, 50.0, 10.0), 1)
    assert boxed.bbox_ok and boxed.components_ok and boxed.passed  # no reference volume: judged by its box


def test_the_right_outline_without_its_hole_does_not_pass() -> None:
    """CadQueryEval's PASS: a block of the reference's size but without its bore has the right
    bounding box and the wrong volume, and fails; a part in two pieces where one is asked fails."""
    reference = ORACLE.parent / "block-hole.stl"
    solid = score({"size": [30, 20, 10], "volume": 6000.0, "solids": 1}, reference, None, 1)
    assert solid.bbox_ok and not solid.volume_ok and not solid.passed
    holed = score({"size": [30, 20, 10], "volume": 6000.0 - 3.14159265 * 16 * 10, "solids": 1}, reference, None, 1)
    assert holed.passed
    split = score({"size": [30, 20, 10], "volume": 6000.0 - 3.14159265 * 16 * 10, "solids": 2}, reference, None, 1)
    assert split.bbox_ok and split.volume_ok and not split.passed


def test_cadqueryeval_format(tmp_path: Path) -> None:
    tasks = tmp_path / "cq" / "tasks"
    reference = tmp_path / "cq" / "reference"
    tasks.mkdir(parents=True)
    reference.mkdir()
    shutil.copyfile(ORACLE.parent / "tube.stl", reference / "task7.stl")
    (tasks / "task7.yaml").write_text(yaml.safe_dump({
        "task_id": "task7", "description": "A 50mm long pipe, 10mm outer diameter, 2mm wall.",
        "reference_stl": "./reference/task7.stl",
        "requirements": {"bounding_box": [10, 10, 50], "topology_requirements": {"expected_component_count": 1}},
    }))
    [task] = from_cadqueryeval(tmp_path / "cq")
    assert task.id == "task7" and task.reference_stl == reference / "task7.stl"
    assert task.bounding_box == (10.0, 10.0, 50.0) and task.components == 1
