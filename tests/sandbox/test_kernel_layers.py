"""The kernel layers as a job sees them: reported, required, and never shared between jobs."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from partsmith.config import ExportSettings, SandboxSettings
from partsmith.errors import (
    InvalidGeometry,
    JobKilled,
    OutOfMemory,
    PolicyViolation,
    SandboxUnavailable,
    ScriptError,
)
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
        # Outside the job's view the folder is not there at all (and Landlock refuses it anyway).
        with pytest.raises(ScriptError, match=r"Permission denied|No such file"):
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
    # The job may not even be able to write it (a root engine's job is another user): either way
    # the engine's copy stands.
    source = ("import build123d\ntry:\n    open('script.py', 'w').write('tampered')\n"
              "except OSError:\n    pass\nresult = build123d.Box(1, 1, 1)\n")
    result = pool.run(source, python_layers=False)
    assert (result.job_dir / "script.py").read_text() == source


# A job that looks through the Python heap of its own process for what an earlier job sent:
# frames (the worker's loop kept the last request), containers, strings and bytes.
HEAP_SEARCH = """import gc, sys
needle = "{first}" + "{second}"
found = []
def look(value):
    if value is not needle and isinstance(value, (str, bytes)):
        text = value.decode("latin-1") if isinstance(value, bytes) else value
        if needle in text:
            found.append(type(value).__name__)
for obj in gc.get_objects():
    if isinstance(obj, dict):
        for value in list(obj.values()):
            look(value)
    elif isinstance(obj, (list, tuple)):
        for value in obj:
            look(value)
frame = sys._getframe(0)
while frame is not None:
    for value in list(frame.f_locals.values()):
        look(value)
    frame = frame.f_back
if found:
    raise RuntimeError("LEAKED: the previous job's script is in this process: " + ", ".join(found))
import build123d
result = build123d.Box(1, 1, 1)
"""


def test_a_job_holds_nothing_of_the_previous_job(pool: SandboxPool) -> None:
    """Jobs are forked from the zygote, which never saw a request: the previous job's script,
    request and reply are nowhere in the next job's memory (searched without the Python layers)."""
    first, second = "PREVIOUS", uuid.uuid4().hex
    pool.run(f"import build123d\nmarker = '{first}{second}'\nresult = build123d.Box(2, 2, 2)\n")
    pool.run(HEAP_SEARCH.format(first=first, second=second), python_layers=False)


def test_a_failed_jobs_folder_is_removed(pool: SandboxPool) -> None:
    """Whatever a failed job wrote goes with its folder (here: many files, then a failure)."""
    before = set(pool.jobs_dir.iterdir())
    script = ("import build123d\nfor n in range(500):\n"
              "    open(f'junk{n}.txt', 'w').write('x' * 1000)\nraise ValueError('after the junk')\n")
    with pytest.raises(ScriptError, match="after the junk"):
        pool.run(script, python_layers=False)
    assert set(pool.jobs_dir.iterdir()) == before


def test_a_job_that_kills_itself_is_not_out_of_memory(pool: SandboxPool) -> None:
    with pytest.raises(JobKilled, match="neither by its time limit nor for its memory"):
        pool.run("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n", python_layers=False)
    assert_works(pool)


def test_a_job_that_uses_too_much_memory_says_so(pool: SandboxPool) -> None:
    hoard = "hoard = []\nwhile True:\n    hoard.append(bytearray(1 << 24))\n"
    with pytest.raises(OutOfMemory):
        pool.run(hoard, python_layers=False)
    assert_works(pool)


def test_a_job_holds_no_capability_and_a_root_engines_job_is_another_user(pool: SandboxPool) -> None:
    layers = pool.run(SIMPLE).layers
    assert layers["no_capabilities"] is True
    if os.geteuid() == 0:
        assert layers["uid"] != 0 and layers["uid"] >= 1_000_000_000


def test_code_compiled_from_text_counts_as_the_scripts(pool: SandboxPool) -> None:
    """A library that evaluates a string the script gave it (typing and a string annotation) runs
    it as `<string>`: the audit hook judges that code as the script's and refuses its frame."""
    script = ("import typing, operator, build123d\n"
              "sys_ = operator.attrgetter('build_enums.sys')(build123d)\n"
              "def probe(x: \"operator.methodcaller('_getframe', 0)(sys_)\"):\n    return x\n"
              "typing.get_type_hints(probe)\nresult = build123d.Box(1, 1, 1)\n")
    with pytest.raises(PolicyViolation, match="introspecting code objects and frames"):
        pool.run(script, check_policy=False)


def test_a_forged_reply_with_junk_for_a_shape_gets_nothing_saved(pool: SandboxPool) -> None:
    """The script job's reply carries its shape; the check job reads it back in a process the
    script never ran in, so junk bytes fail there and no file of the script's is kept."""
    forged = ("import base64, os, stat\njunk = base64.b64encode(b'not a shape\\n' * 100)\n"
              "for fd in range(3, 64):\n"
              "    try:\n"
              "        if stat.S_ISFIFO(os.fstat(fd).st_mode):\n"
              "            os.write(fd, b'{\"ok\": true, \"shape\": \"' + junk + b'\", \"timings\": {}}\\n')\n"
              "    except OSError:\n"
              "        pass\n"
              "os._exit(0)\n")
    with pytest.raises(InvalidGeometry, match="could not be read back"):
        pool.run(forged, python_layers=False)
    assert_works(pool)
