"""A killed writer, two writers at once and a full disk: nothing saved before is lost."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from partsmith.errors import StorageError
from partsmith.history import History
from partsmith.sandbox import SandboxPool

from .conftest import entry

WRITER = Path(__file__).with_name("writer.py")


def _writer(folder: Path, tag: str, count: int, *files: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, str(WRITER), str(folder), tag, str(count), *map(str, files)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def _assert_consistent(folder: Path) -> History:
    history = History(folder)  # opening finishes or drops what a killed writer left
    folders = sorted(p.name for p in folder.iterdir() if (p / "meta.json").is_file())
    assert not list(folder.glob(".*.partial")), "a partial entry was left behind"
    for name in folders:
        json.loads((folder / name / "meta.json").read_text())  # every entry reads whole
    rows = history.newest(10_000)
    assert sorted(r.id for r in rows) == folders
    assert [r.created for r in rows] == sorted((r.created for r in rows), reverse=True)
    assert history.index.count() == len(folders)
    return history


@pytest.fixture(scope="module")
def stl(tmp_path_factory: pytest.TempPathFactory, pool: SandboxPool) -> Path:
    made = pool.run("from build123d import *\nresult = Box(10, 10, 10) - Cylinder(3, 10)")
    target = tmp_path_factory.mktemp("stl") / "model.stl"
    shutil.copyfile(made.artifacts["stl"], target)
    return target


@pytest.mark.parametrize("delay_s", [0.0, 0.05, 0.2])
def test_sigkill_in_the_middle_loses_at_most_that_entry(tmp_path: Path, stl: Path, delay_s: float) -> None:
    folder = tmp_path / "history"
    History(folder).close()  # created, so the writer starts fast
    writer = _writer(folder, "killed", 1000, stl)
    assert writer.stdout is not None
    saved = [writer.stdout.readline().strip() for _ in range(3)]  # three whole entries first
    time.sleep(delay_s)
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    history = _assert_consistent(folder)
    ids = {r.id for r in history.newest(10_000)}
    assert set(saved) <= ids  # everything reported saved is there
    for entry_id in saved:
        assert history.path(history.get(entry_id), "stl").stat().st_size == stl.stat().st_size
    history.close()


def test_two_writers_at_once_lose_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "history"
    History(folder).close()
    writers = [_writer(folder, tag, 15) for tag in ("left", "right")]
    printed = []
    for writer in writers:
        out, _ = writer.communicate(timeout=300)
        assert writer.returncode == 0
        printed += out.split()
    history = _assert_consistent(folder)
    assert history.count() == 30 and len(set(printed)) == 30
    assert {h.id for h in history.search("right part number 3, a 13 mm cube", 1)} <= set(printed)
    history.close()


def _mount_tmpfs(target: Path, size: str) -> bool:
    target.mkdir()
    try:
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(target)],
                       check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        return False
    return True


def test_a_full_disk_is_a_clear_error_and_keeps_earlier_entries(tmp_path: Path, stl: Path) -> None:
    disk = tmp_path / "small-disk"
    if not _mount_tmpfs(disk, "3m"):
        pytest.skip("mounting a small tmpfs needs root (CI runs as root)")
    try:
        history = History(disk / "history")
        kept = [history.add(entry(f"a {n} mm cube"), {"stl": stl}).id for n in range(3)]
        big = tmp_path / "big.stl"  # larger than what is left on the disk
        with big.open("wb") as handle:
            handle.truncate(4 * 1024 * 1024)
        with pytest.raises(StorageError, match="the disk is full") as info:
            history.add(entry("one that does not fit"), {"stl": big})
        assert "everything saved before is intact" in (info.value.hint or "")
        history.close()
        reopened = _assert_consistent(disk / "history")
        assert [r.id for r in reopened.newest(10)] == kept[::-1]
        for entry_id in kept:
            assert reopened.path(reopened.get(entry_id), "stl").read_bytes() == stl.read_bytes()
        reopened.close()
    finally:
        from chromadb.api.client import SharedSystemClient

        SharedSystemClient.clear_system_cache()
        subprocess.run(["umount", "-l", str(disk)], check=False)
