"""Running scripts in the warm pool: results, exports, errors, recovery."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from pathlib import Path

import pytest
import trimesh

from partsmith.config import ExportSettings, SandboxSettings
from partsmith.errors import InvalidGeometry, NoResult, ScriptError, WorkerCrash
from partsmith.sandbox import SandboxPool

from .conftest import SIMPLE, assert_works


def test_simple_part_measurements_and_files(pool: SandboxPool) -> None:
    result = pool.run(SIMPLE)
    m = result.measurements
    assert m["size"] == pytest.approx([40, 30, 5])
    assert m["volume"] == pytest.approx(40 * 30 * 5 - 3.14159265 * 16 * 5, rel=1e-6)
    assert m["solids"] == 1 and m["faces"] == 7
    assert result.parameters == {"length": 40, "width": 30, "thickness": 5, "hole_d": 8}
    assert set(result.artifacts) == {"step", "stl", "glb"}
    for path in result.artifacts.values():
        assert path.parent == result.job_dir / "part"  # written by the check job
    assert result.layers["audit_hook"] and result.layers["static_policy"]
    assert result.timings["total_ms"] > 0


def test_step_reads_back_as_the_same_solid_in_mm(pool: SandboxPool) -> None:
    import build123d as bd

    result = pool.run(SIMPLE)
    solid = bd.import_step(result.artifacts["step"])
    size = solid.bounding_box().size
    assert pytest.approx((40, 30, 5)) == (size.X, size.Y, size.Z)


def test_stl_in_mm_and_watertight(pool: SandboxPool) -> None:
    mesh = trimesh.load(pool.run(SIMPLE).artifacts["stl"])
    assert mesh.is_watertight
    assert sorted(mesh.extents) == pytest.approx([5, 30, 40], abs=1e-3)


def test_glb_is_metres_and_y_up(pool: SandboxPool) -> None:
    scene = trimesh.load(pool.run(SIMPLE).artifacts["glb"])
    # CAD Z (the 5 mm thickness) is glTF Y; lengths in metres.
    assert scene.extents == pytest.approx([0.040, 0.005, 0.030], abs=1e-6)


def test_rerun_with_new_parameters_needs_no_model(pool: SandboxPool) -> None:
    result = pool.run(SIMPLE, params={"length": "60", "hole_d": 10})
    assert result.measurements["size"] == pytest.approx([60, 30, 5])
    assert result.parameters["length"] == 60
    assert "length = 60  # mm" in (result.job_dir / "script.py").read_text()


@pytest.mark.parametrize(
    "script",
    [
        "import cadquery as cq\nresult = cq.Workplane('XY').box(10, 20, 30).faces('>Z').hole(4)\n",
        "import cadquery as cq\nshow_object(cq.Workplane().box(10, 20, 30))\n",
        "from build123d import *\nwith BuildPart() as bracket:\n    Box(10, 20, 30)\n",
        "from build123d import *\npart = Box(10, 20, 30)\n",
        "from build123d import *\nwith BuildPart() as p:\n    Box(10, 20, 30)\nresult = p\n",
        "from build123d import *\nwith BuildPart() as p:\n    with BuildSketch():\n"
        "        Rectangle(10, 20)\n    extrude(amount=30)\nresult = p.part\n",
    ],
    ids=["cadquery", "show_object", "builder", "part", "builder-as-result", "sketch-extrude"],
)
def test_accepted_result_forms(pool: SandboxPool, script: str) -> None:
    assert sorted(pool.run(script).measurements["size"]) == pytest.approx([10, 20, 30])


def test_script_error_points_at_the_scripts_own_line(pool: SandboxPool) -> None:
    script = "from build123d import *\nsize = 10\n\nresult = Box(size, size, undefined_name)\n"
    with pytest.raises(ScriptError) as info:
        pool.run(script)
    error = info.value
    assert error.line == 4
    assert error.source_line == "result = Box(size, size, undefined_name)"
    assert "NameError" in error.message and "undefined_name" in error.message
    assert "worker" not in error.message and "runner" not in error.message


def test_occt_failure_is_a_script_error(pool: SandboxPool) -> None:
    script = "from build123d import *\nresult = fillet(Box(10, 10, 10).edges(), radius=8)\n"
    with pytest.raises(ScriptError) as info:
        pool.run(script)
    assert info.value.line == 2


def test_no_result(pool: SandboxPool) -> None:
    with pytest.raises(NoResult, match="produced no part"):
        pool.run("from build123d import *\nsize = 3\n")


def test_result_that_is_not_a_shape(pool: SandboxPool) -> None:
    with pytest.raises(NoResult, match="`result` is a int"):
        pool.run("result = 42\n")


def test_a_face_is_not_a_solid(pool: SandboxPool) -> None:
    with pytest.raises(InvalidGeometry, match="no solid"):
        pool.run("from build123d import *\nresult = Rectangle(10, 10)\n")


def test_suspicious_results_are_warnings(pool: SandboxPool) -> None:
    two = "from build123d import *\nresult = Box(1, 1, 1) + Pos(5, 0, 0) * Box(1, 1, 1)\n"
    assert any("2 separate solids" in w for w in pool.run(two).warnings)
    thin = "from build123d import *\nresult = Box(10, 10, 0.01)\n"
    assert any("thick" in w for w in pool.run(thin).warnings)
    huge = "from build123d import *\nresult = Box(20000, 10, 10)\n"
    assert any("units" in w for w in pool.run(huge).warnings)


def test_script_output_goes_to_the_job_log(pool: SandboxPool) -> None:
    result = pool.run("from build123d import *\nprint('hello from the script')\nresult = Box(1, 1, 1)\n")
    assert "hello from the script" in (result.job_dir / "log.txt").read_text()


def test_environment_is_scrubbed(pool: SandboxPool, monkeypatch: pytest.MonkeyPatch) -> None:
    # A token in the engine's environment never reaches a job (tested through a real job that
    # would fail if it could see it: the script cannot import os, so check the worker's env).
    worker = pool._all[0]
    environ = Path(f"/proc/{worker.proc.pid}/environ").read_bytes().split(b"\0")
    names = {entry.split(b"=")[0] for entry in environ if entry}
    assert names <= {b"PATH", b"LANG", b"LC_ALL", b"PYTHONDONTWRITEBYTECODE", b"PYTHONHASHSEED",
                     b"OMP_NUM_THREADS", b"OPENBLAS_NUM_THREADS"}


def test_killed_worker_fails_that_job_and_the_next_one_works(tmp_path: Path) -> None:
    settings = SandboxSettings(workers=1, timeout_s=20)
    with SandboxPool(settings, ExportSettings(), jobs_dir=tmp_path) as fresh:
        fresh.warm()
        os.kill(fresh._all[0].proc.pid, signal.SIGKILL)
        with pytest.raises(WorkerCrash, match="restarted"):
            fresh.run(SIMPLE)
        assert_works(fresh)


def test_spawn_mode_runs_jobs_and_survives_a_timeout(tmp_path: Path) -> None:
    settings = SandboxSettings(workers=1, timeout_s=20, mode="spawn")
    with SandboxPool(settings, ExportSettings(), jobs_dir=tmp_path) as spawned:
        assert spawned.warm()["layers"]["fork"] is False
        assert_works(spawned)
        from partsmith.errors import PolicyViolation, ScriptTimeout

        with pytest.raises(ScriptTimeout):
            spawned.run("while True:\n    pass\n", timeout_s=2)
        with pytest.raises(PolicyViolation):
            spawned.run("import build123d\nx = build123d.text.os.listdir('/')\n", check_policy=False)
        assert_works(spawned)


def test_cli_run_writes_meta(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from partsmith.cli.main import app

    script = tmp_path / "plate.py"
    script.write_text(SIMPLE)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(script), "-p", "length=55", "--out", str(out), "--local"])
    assert result.exit_code == 0, result.output
    meta = json.loads((out / "meta.json").read_text())  # the history entry: one record of the part
    assert meta["size"] == pytest.approx([55, 30, 5])
    assert meta["parameters"]["length"] == 55
    assert {"step", "stl", "glb"} <= set(meta["artifacts"])
    assert all((out / name).is_file() for name in meta["artifacts"].values())
    assert meta["measurements"]["solids"] == 1 and meta["measurements"]["faces"] == 7
    assert "run_ms" in meta["timings"] and meta["route"] == "script"
    assert meta["sandbox_layers"]["landlock"] and meta["sandbox_layers"]["seccomp"]


def test_holes_are_measured(pool: SandboxPool) -> None:
    grid = pool.run("from partsmith.kit import plate\n"
                    "result = plate(holes='grid', hole_diameter=3, grid_columns=3, grid_rows=2)")
    assert grid.measurements["holes"] == [3.0] * 6
    # A counterbored hole counts once, by its bore; a boss is not a hole, nor is an inside fillet.
    counterbore = pool.run("from build123d import *\nwith BuildPart() as p:\n    Box(30, 30, 10)\n"
                           "    with Locations((0, 0, 5)):\n        CounterBoreHole(2.75, 4.75, 5)\n"
                           "    with Locations((10, 10, 10)):\n        Cylinder(3, 6)\n"
                           "result = p.part\n")
    assert counterbore.measurements["holes"] == [5.5]
    bracket = pool.run("from partsmith.kit import l_bracket\nresult = l_bracket()")
    assert all(d > 3 for d in bracket.measurements["holes"])


def test_no_job_process_outlives_its_worker(tmp_path: Path) -> None:
    """A worker killed in the middle of a job (as when the engine above it is killed) takes its job
    processes with it, the running one and the spare: the kernel's parent-death signal."""
    import threading

    settings = SandboxSettings(workers=1, timeout_s=60)
    with SandboxPool(settings, ExportSettings(), jobs_dir=tmp_path / "jobs") as pool:
        pool.warm()
        worker = pool._all[0].proc.pid
        def spin() -> None:
            with contextlib.suppress(Exception):  # the job's worker is killed under it
                pool.run("spins = 0\nwhile True:\n    spins += 1\n", timeout_s=60)

        busy = threading.Thread(target=spin, daemon=True)
        busy.start()
        deadline = time.monotonic() + 20
        children: list[int] = []
        while time.monotonic() < deadline and not any(_spinning(pid) for pid in children):
            time.sleep(0.2)
            children = _children(worker)
        assert any(_spinning(pid) for pid in children), "no job process ran the script"
        os.kill(worker, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(_running(pid) for pid in children):
            time.sleep(0.05)
        assert not any(_running(pid) for pid in children), "a job process outlived its worker"


def _children(pid: int) -> list[int]:
    """The process's descendants: its zygote and the job processes the zygote forked."""
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError):
                found += [int(c) for c in (task / "children").read_text().split()]
    return found + [grandchild for child in found for grandchild in _children(child)]


def _running(pid: int) -> bool:
    """Whether the process lives (a zombie waiting for its reaper does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def _spinning(pid: int) -> bool:
    """Whether the process is running on a CPU (the job's endless loop), not waiting."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "R"
    except OSError:
        return False


def test_a_programs_entries_that_change_nothing_come_back_from_the_sandbox(pool: SandboxPool) -> None:
    from partsmith.program import compile_program, parse

    program = parse({"features": [{"type": "box", "l": 40, "w": 30, "h": 5},
                                  {"type": "cylinder", "d": 10, "h": 3, "z": 1},
                                  {"type": "cylinder", "d": 10, "h": 8, "z": 5}]})
    assert pool.run(compile_program(program)).idle == [1]
    assert pool.run(SIMPLE).idle == []  # a script without a program's part says nothing
