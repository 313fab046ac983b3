"""`partsmith serve` for real, started by the client as a front end would, with the embedded
model: a prompt becomes a part; a killed engine is started again and has lost nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from partsmith.client.client import STARTED_BY, Client
from partsmith.config import ServiceSettings, Settings
from partsmith.service import discovery
from partsmith.service.server import started_idle_exit


def _gone(pid: int, client: Client, timeout_s: float = 30) -> bool:
    if client.started is not None and client.started.pid == pid:  # our child: reap it
        try:
            client.started.wait(timeout_s)
        except subprocess.TimeoutExpired:
            return False
        return True
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def test_the_client_starts_the_engine_and_survives_its_death(tmp_path: Path) -> None:
    home = tmp_path / "home"
    client = Client(home=home, start_command=f"{sys.executable} -m partsmith serve", timeout_s=60)
    health = client.connect(wait_s=240)
    assert health["status"] == "ok"
    first = discovery.read(home)
    assert first is not None
    try:
        job = client.wait(client.submit("generate", prompt="an M6 hex nut", host="freecad")["id"],
                          timeout_s=300)
        assert job["state"] == "done", job["error"]
        entry = job["entry"]
        assert entry["model"] == "gemma3-270m" and entry["route"] == "structured" and entry["host"] == "freecad"
        assert Path(client.entry(entry["id"])["files"]["step"]).stat().st_size > 1000
        assert client.health()["model"] == "gemma3-270m"  # kept loaded

        os.kill(first["pid"], signal.SIGKILL)  # the engine dies without cleaning up
        assert _gone(first["pid"], client)
        client.connect(wait_s=240)  # finds the stale file, starts a new engine
        second = discovery.read(home)
        assert second is not None and second["pid"] != first["pid"]
        assert client.entry(entry["id"])["prompt"] == "an M6 hex nut"
    finally:
        info = discovery.read(home)
        if info is not None:
            os.kill(info["pid"], signal.SIGTERM)
            assert _gone(info["pid"], client)
    assert discovery.read(home) is None  # a clean stop removes the discovery file


def test_an_engine_a_front_end_started_exits_when_idle_and_is_started_again(tmp_path: Path) -> None:
    # The front ends' command has no idle time of its own: the engine reads the setting because a
    # client started it. A user's `partsmith serve` in a terminal never exits by itself.
    home = tmp_path / "home"
    client = Client(home=home, start_command=f"{sys.executable} -m partsmith serve", timeout_s=60,
                    start_env={"PARTSMITH_SERVICE__IDLE_EXIT_S": "3"})
    try:
        client.connect(wait_s=240)
        first = discovery.read(home)
        assert first is not None
        assert _gone(first["pid"], client, timeout_s=180), "the idle engine did not exit"
        assert discovery.read(home) is None
        client.connect(wait_s=240)  # the next Generate starts it again
        second = discovery.read(home)
        assert second is not None and second["pid"] != first["pid"]
    finally:
        info = discovery.read(home)
        if info is not None:
            os.kill(info["pid"], signal.SIGTERM)
            _gone(info["pid"], client)


def test_only_an_engine_a_client_started_reads_the_idle_time() -> None:
    settings = Settings(service=ServiceSettings(idle_exit_s=42))
    assert started_idle_exit(settings, {STARTED_BY: "client"}) == 42
    assert started_idle_exit(settings, {}) == 0
