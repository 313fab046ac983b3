"""The engine's checks on a job's reply, on real files: only its own three regular files pass."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from partsmith.errors import PolicyViolation
from partsmith.sandbox.replies import check_artifacts, check_built, check_error, check_idle, check_success


@pytest.fixture
def job(tmp_path: Path) -> Path:
    folder = tmp_path / "job"
    (folder / "part").mkdir(parents=True)  # the check job's folder
    for fmt in ("step", "stl", "glb"):
        (folder / "part" / f"model.{fmt}").write_text(fmt)
    return folder


def named(job: Path, **changes: str) -> dict[str, str]:
    return {**{fmt: str(job / "part" / f"model.{fmt}") for fmt in ("step", "stl", "glb")}, **changes}


def test_the_jobs_own_files_pass(job: Path) -> None:
    assert check_artifacts(named(job), job) == {f: job / "part" / f"model.{f}" for f in ("step", "stl", "glb")}


@pytest.mark.parametrize(
    "change",
    [
        {"step": "/etc/passwd"},
        {"stl": "{job}/model.stl"},
        {"step": "{job}/../model.step"},
        {"stl": "{job}/part/other.stl"},
        {"glb": "{job}/part/model.step"},
    ],
    ids=["system-file", "script-jobs-own-file", "parent-folder", "wrong-name", "wrong-format"],
)
def test_a_path_outside_or_misnamed_is_a_violation(job: Path, change: dict[str, str]) -> None:
    (job.parent / "model.step").write_text("elsewhere")
    (job / "model.stl").write_text("the script's own")
    with pytest.raises(PolicyViolation, match="refused"):
        check_artifacts(named(job, **{k: v.format(job=job) for k, v in change.items()}), job)


def test_a_symlink_is_a_violation(job: Path, tmp_path: Path) -> None:
    (job / "part" / "model.stl").unlink()
    (tmp_path / "secret").write_text("secret")
    (job / "part" / "model.stl").symlink_to(tmp_path / "secret")
    with pytest.raises(PolicyViolation):
        check_artifacts(named(job), job)


def test_a_hard_link_is_a_violation(job: Path, tmp_path: Path) -> None:
    (job / "part" / "model.glb").unlink()
    (tmp_path / "secret").write_text("secret")
    os.link(tmp_path / "secret", job / "part" / "model.glb")
    with pytest.raises(PolicyViolation, match="hard link"):
        check_artifacts(named(job), job)


def test_a_folder_in_place_of_a_file_is_a_violation(job: Path) -> None:
    (job / "part" / "model.step").unlink()
    (job / "part" / "model.step").mkdir()
    with pytest.raises(PolicyViolation, match="not a regular file"):
        check_artifacts(named(job), job)


def test_missing_or_extra_formats_are_a_violation(job: Path) -> None:
    with pytest.raises(PolicyViolation):
        check_artifacts({"step": str(job / "part" / "model.step")}, job)
    with pytest.raises(PolicyViolation):
        check_artifacts({**named(job), "log": str(job / "log.txt")}, job)
    with pytest.raises(PolicyViolation):
        check_artifacts(["not", "a", "dict"], job)


def test_malformed_fields_are_a_violation(job: Path) -> None:
    good = {"artifacts": named(job), "measurements": {"size": [1, 1, 1]}, "warnings": [], "timings": {}}
    assert check_success(good, job)["measurements"] == {"size": [1, 1, 1]}
    for bad in ({"measurements": "big"}, {"warnings": [1]}, {"timings": {"run_ms": "fast"}}):
        with pytest.raises(PolicyViolation):
            check_success({**good, **bad}, job)
    with pytest.raises(PolicyViolation):
        check_error({"ok": False, "error": "no dict"})


def test_a_script_jobs_shape_is_written_by_the_engine(job: Path) -> None:
    shape = base64.b64encode(b"DBRep_DrawableShape\n").decode()
    path = check_built({"ok": True, "shape": shape}, job)
    assert path == job / "shape.brep" and path.read_bytes() == b"DBRep_DrawableShape\n"
    for bad in ({"shape": "not base64!"}, {"shape": 12}, {}, {"shape": "A" * (13 << 21)}):
        with pytest.raises(PolicyViolation):
            check_built({"ok": True, **bad}, job)
    path.unlink()
    path.mkdir()  # what a job that saw the engine's folder could leave
    with pytest.raises(PolicyViolation, match="something other than a file"):
        check_built({"ok": True, "shape": shape}, job)
    path.rmdir()
    path.symlink_to("/etc/passwd")
    with pytest.raises(PolicyViolation, match="something other than a file"):
        check_built({"ok": True, "shape": shape}, job)


def test_idle_entries_are_a_short_list_of_indices() -> None:
    assert check_idle({"ok": True}) == []
    assert check_idle({"idle": [3, 1, 3]}) == [1, 3]
    for bad in ({"idle": "1"}, {"idle": [1.5]}, {"idle": [True]}, {"idle": [-1]}, {"idle": list(range(65))}):
        with pytest.raises(PolicyViolation):
            check_idle(bad)
