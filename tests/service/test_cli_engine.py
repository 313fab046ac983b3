"""The command line uses the running engine instead of loading a second copy of the model, and
starts one in the background (which exits when idle) when none is running. Real processes, real
embedded model."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from partsmith.client.client import Client

PARTSMITH = str(Path(sys.executable).parent / "partsmith")
PROMPT = "a 40 x 30 x 5 mm plate with four 4 mm holes"


def _env(home: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "PARTSMITH_HOME": str(home), **extra}


def _wait_for_engine(home: Path, timeout: float = 120.0) -> Client:
    client = Client(home=home)
    deadline = time.monotonic() + timeout
    while not client.find():
        assert time.monotonic() < deadline, "the engine does not answer"
        time.sleep(0.2)
    return client


def _stop(home: Path) -> None:
    info_file = home / "engine.json"
    if info_file.exists():
        pid = json.loads(info_file.read_text())["pid"]
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return


@pytest.fixture
def served(partsmith_home: Path) -> Iterator[tuple[Client, subprocess.Popen[bytes]]]:
    proc = subprocess.Popen([PARTSMITH, "serve"], env=_env(partsmith_home), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        yield _wait_for_engine(partsmith_home), proc
    finally:
        proc.terminate()
        proc.wait(30)


def _generate(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PARTSMITH, "generate", PROMPT, "--json", *args], env=_env(home),
                          capture_output=True, text=True, timeout=300)


def test_generate_uses_the_running_engine_and_the_model_loads_once(
    served: tuple[Client, subprocess.Popen[bytes]], partsmith_home: Path, tmp_path: Path,
) -> None:
    client, proc = served
    first = _generate(partsmith_home)
    second = _generate(partsmith_home, "--out", str(tmp_path / "out"))
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    made = [json.loads(first.stdout), json.loads(second.stdout)]
    assert all(entry["status"] == "ok" and entry["host"] == "cli" for entry in made)
    health = client.health()
    assert health["pid"] == proc.pid
    assert health["model_loads"] == 1  # both prompts ran on the engine's one copy of the model
    jobs = client._call("GET", "/v1/jobs")
    assert sorted(job["entry"]["id"] for job in jobs) == sorted(entry["id"] for entry in made)
    out = tmp_path / "out"
    assert {p.name for p in out.iterdir()} >= {"model.step", "model.stl", "model.glb", "script.py", "meta.json"}
    assert json.loads((out / "meta.json").read_text())["id"] == made[1]["id"]


def test_with_no_engine_generate_starts_one_that_serves_the_next_call_and_exits_when_idle(
    partsmith_home: Path,
) -> None:
    env = {"PARTSMITH_SERVICE__IDLE_EXIT_S": "20"}
    try:
        first = subprocess.run([PARTSMITH, "rerun", "nope", "-p", "length=3"], env=_env(partsmith_home, **env),
                               capture_output=True, text=True, timeout=300)
        assert first.returncode == 1 and "no earlier part looks like 'nope'" in first.stderr
        assert "starting the engine in the background" in first.stderr
        pid = json.loads((partsmith_home / "engine.json").read_text())["pid"]
        second = subprocess.run([PARTSMITH, "generate", PROMPT, "--json"], env=_env(partsmith_home, **env),
                                capture_output=True, text=True, timeout=300)
        assert second.returncode == 0, second.stderr
        assert "starting the engine" not in second.stderr
        assert json.loads((partsmith_home / "engine.json").read_text())["pid"] == pid
        deadline = time.monotonic() + 120
        while (partsmith_home / "engine.json").exists():
            assert time.monotonic() < deadline, "the idle engine did not exit"
            time.sleep(0.5)
        with pytest.raises(ProcessLookupError):
            for _ in range(50):  # the discovery file goes just before the process ends
                os.kill(pid, 0)
                time.sleep(0.2)
    finally:
        _stop(partsmith_home)


def test_local_flag_runs_the_engine_in_this_process(partsmith_home: Path) -> None:
    done = subprocess.run([PARTSMITH, "generate", PROMPT, "--json", "--local"], env=_env(partsmith_home),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    made = json.loads(done.stdout)
    assert made["status"] == "ok"
    # What the prompt states, each with its verdict, whatever the model made (issue 25).
    assert [f["said"] for f in made["facts"]] == ["40 x 30 x 5 mm", "four 4 mm holes"]
    assert all(isinstance(f["met"], bool) for f in made["facts"])
    assert not (partsmith_home / "engine.json").exists()
