"""The kernel layers as a job sees them: reported, required, and never shared between jobs."""

from __future__ import annotations

from pathlib import Path

import pytest

from partsmith.config import ExportSettings, SandboxSettings
from partsmith.errors import PolicyViolation, SandboxUnavailable
from partsmith.sandbox import SandboxPool, landlock, seccomp

from .conftest import SIMPLE, assert_works

OFFERS_BOTH = landlock.abi_version() >= 1 and seccomp.load() and seccomp.kernel_offers()
MARK = "import build123d\n{line}\nresult = build123d.Box(1, 1, 1)\n"


def test_this_machine_offers_both_kernel_layers() -> None:
    # The tests below check the layers themselves; on a kernel without them they would pass
    # vacuously, so say so plainly here instead.
    assert OFFERS_BOTH, "this kernel lacks Landlock or seccomp: the kernel layers are untested"


def test_every_job_reports_landlock_with_its_abi_and_seccomp(pool: SandboxPool) -> None:
    layers = pool.run(SIMPLE).layers
    assert layers["landlock"] is True and layers["landlock_abi"] == landlock.abi_version()
    assert layers["seccomp"] is True and layers["descriptors_closed"] is True
    assert layers["unrestricted"] == landlock.unrestricted_at(layers["landlock_abi"])


def test_garbage_in_the_pipe_fails_that_job_alone(pool: SandboxPool) -> None:
    garbage = ("import build123d, operator\nos_ = operator.attrgetter('text.os')(build123d)\n"
               "for fd in range(3, 64):\n    try:\n        os_.write(fd, b'}{ not json')\n"
               "    except OSError:\n        pass\nresult = build123d.Box(1, 1, 1)\n")
    with pytest.raises(PolicyViolation, match="reply pipe"):
        pool.run(garbage, python_layers=False)
    # The next reply is this job's own, not a leftover of the one before.
    other = pool.run("from build123d import *\nresult = Box(7, 8, 9)\n")
    assert other.measurements["size"] == pytest.approx([7, 8, 9])


def test_a_job_does_not_inherit_what_the_previous_one_changed(pool: SandboxPool) -> None:
    pool.run(MARK.format(line="build123d.LEFT_BEHIND = 1"))
    pool.run(MARK.format(line="assert not hasattr(build123d, 'LEFT_BEHIND')"))


def test_require_refuses_when_a_layer_is_switched_off(tmp_path: Path) -> None:
    settings = SandboxSettings(workers=1, timeout_s=20, disable=["landlock"])
    with SandboxPool(settings, ExportSettings(), jobs_dir=tmp_path) as refusing, \
            pytest.raises(SandboxUnavailable) as info:
        refusing.run("from build123d import *\nresult = Box(1, 1, 1)\n")
    message = str(info.value)
    assert "landlock" in message and "sandbox.disable" in message and "sandbox.require" in message
    assert "write any file the engine can write" in message  # what is lost without it
    assert not list(tmp_path.glob("*/model.step")), "the script ran although it was refused"


def test_a_layer_left_out_of_require_runs_without_it_and_says_so(tmp_path: Path) -> None:
    settings = SandboxSettings(workers=1, timeout_s=20, disable=["landlock"], require=["seccomp"])
    with SandboxPool(settings, ExportSettings(), jobs_dir=tmp_path) as reduced:
        layers = reduced.run(SIMPLE).layers
    assert layers["landlock"] is False and layers["seccomp"] is True


def test_require_names_the_missing_seccomp_layer(tmp_path: Path) -> None:
    settings = SandboxSettings(workers=1, timeout_s=20, disable=["seccomp"], require=["seccomp"])
    with SandboxPool(settings, ExportSettings(), jobs_dir=tmp_path) as refusing, \
            pytest.raises(SandboxUnavailable, match="seccomp: switched off"):
        refusing.run(SIMPLE)


def test_spawn_mode_contains_each_job_in_a_fresh_process(tmp_path: Path) -> None:
    settings = SandboxSettings(workers=1, timeout_s=20, mode="spawn")
    with SandboxPool(settings, ExportSettings(), jobs_dir=tmp_path) as spawned:
        first = spawned.run(MARK.format(line="build123d.LEFT_BEHIND = 1"), check_policy=False)
        assert first.layers["landlock"] and first.layers["seccomp"] and not first.layers["fork"]
        spawned.run(MARK.format(line="assert not hasattr(build123d, 'LEFT_BEHIND')"))
        outside = tmp_path / "outside"
        outside.mkdir()
        escape = ("import build123d, operator\nos_ = operator.attrgetter('text.os')(build123d)\n"
                  f"d = os_.open('{outside}', os_.O_PATH)\n"
                  "os_.open('x', os_.O_WRONLY | os_.O_CREAT, dir_fd=d)\n")
        with pytest.raises(PolicyViolation):
            spawned.run(escape, python_layers=True)
        from partsmith.errors import ScriptError

        with pytest.raises(ScriptError, match="Permission denied"):
            spawned.run(escape, python_layers=False)
        assert list(outside.iterdir()) == []
        assert_works(spawned)


def test_text_reads_its_font_under_every_layer(pool: SandboxPool) -> None:
    # Text loads a font and lazily imports modules at run time: both must pass Landlock and the
    # audit hook.
    result = pool.run("from build123d import *\nresult = extrude(Text('Hi', 10), 2)\n")
    assert result.layers["landlock"] and result.layers["audit_hook"]
    assert result.measurements["size"][2] == pytest.approx(2)


def test_the_engine_keeps_its_own_copy_of_the_script(pool: SandboxPool) -> None:
    source = ("import build123d\nopen('script.py', 'w').write('tampered')\n"
              "result = build123d.Box(1, 1, 1)\n")
    result = pool.run(source, python_layers=False)
    assert (result.job_dir / "script.py").read_text() == source
