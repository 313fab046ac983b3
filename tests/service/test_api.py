"""The service's API through the standard-library client and raw HTTP: jobs, progress, events,
cancel, history, and what it refuses."""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import time

import httpx
import pytest
from live_engine import Running

from partsmith.client.client import Client, EngineError, data_home
from partsmith.config import data_home as engine_data_home
from partsmith.service import discovery
from partsmith.service.access import MAX_BODY_BYTES

PROMPT = "a 40 x 30 x 5 mm plate with four 4 mm holes"


def _raw(service: Running, method: str, path: str, *, token: str | None = "", host: str | None = None,
         **kwargs: object) -> httpx.Response:
    headers = dict(kwargs.pop("headers", {}) or {})  # type: ignore[call-overload]
    if token is not None:
        headers["Authorization"] = f"Bearer {token or service.service.token}"
    if host is not None:
        headers["Host"] = host
    return httpx.request(method, service.client.url + path, headers=headers, timeout=30, **kwargs)  # type: ignore[arg-type]


def test_discovery_file_is_private_and_complete(service: Running) -> None:
    path = discovery.path(service.home)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    info = json.loads(path.read_text())
    assert {"port", "token", "pid", "version"} <= set(info) and info["pid"] == os.getpid()
    assert data_home() == engine_data_home()  # the client finds the same folder as the engine


def test_generate_job_from_queued_to_done(service: Running) -> None:
    client = service.client
    job = client.submit("generate", prompt=PROMPT, host="blender")
    assert job["state"] in {"queued", "running"}
    seen = set()
    while job["state"] not in {"done", "failed", "cancelled"}:
        seen.add(job["stage"])
        time.sleep(0.02)
        job = client.job(job["id"])
    assert job["state"] == "done", job["error"]
    assert "generating" in seen and job["progress"] == 1.0 and job["tokens"] > 3
    entry = job["entry"]
    assert entry["host"] == "blender" and entry["size"] == pytest.approx([40, 30, 5])
    shown = client.entry(entry["id"])
    assert shown["files"]["glb"].endswith("model.glb")
    assert client.file(entry["id"], "thumbnail")[:4] == b"\x89PNG"
    assert client.history(5)[0]["id"] == entry["id"]
    assert client.search("the plate")[0]["id"] == entry["id"]


def test_event_stream_ends_with_the_result(service: Running) -> None:
    job = service.client.submit("generate", prompt=PROMPT)
    events = []
    with httpx.stream("GET", f"{service.client.url}/v1/jobs/{job['id']}/events", timeout=60,
                      headers={"Authorization": f"Bearer {service.service.token}"}) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if line.startswith("data:"):
                events.append(json.loads(line[5:]))
    assert events[-1]["state"] == "done" and events[-1]["entry"]["prompt"] == PROMPT
    assert len(events) > 3 and [e["version"] for e in events] == sorted(e["version"] for e in events)


def test_cancel_a_running_and_a_queued_generation(service: Running) -> None:
    service.model.word_delay_s = 0.2
    first = service.client.submit("generate", prompt=PROMPT)
    second = service.client.submit("generate", prompt=PROMPT)
    assert service.client.job(second["id"])["queue_position"] == 1
    time.sleep(0.5)
    service.client.cancel(first["id"])
    service.client.cancel(second["id"])
    assert service.client.wait(first["id"])["state"] == "cancelled"
    assert service.client.wait(second["id"])["state"] == "cancelled"
    assert service.client.history() == []  # a cancel records nothing


def test_reruns_and_history_are_served_while_the_model_works(service: Running) -> None:
    client = service.client
    made = client.wait(client.submit("generate", prompt=PROMPT)["id"])["entry"]
    service.model.word_delay_s = 0.3
    slow = client.submit("generate", prompt="a 50 x 50 x 3 mm plate")
    rerun = client.submit("rerun", entry_id=made["id"], params={"length": 60})
    done = client.wait(rerun["id"])
    assert done["state"] == "done" and done["entry"]["size"] == pytest.approx([60, 30, 5])
    assert client.job(slow["id"])["state"] == "running"  # the rerun did not wait for the model
    client.cancel(slow["id"])


def test_a_script_job_goes_through_the_sandbox(service: Running) -> None:
    hostile = service.client.wait(service.client.submit(
        "script", script="import os\nos.system('touch /tmp/pwned')\nresult = None")["id"])
    assert hostile["state"] == "failed" and hostile["error"]["kind"] == "policy"
    fine = service.client.wait(service.client.submit(
        "script", script="from build123d import *\nsize = 10  # mm\nresult = Box(size, size, size)",
        params={"size": 12})["id"])
    assert fine["state"] == "done" and fine["entry"]["size"] == pytest.approx([12, 12, 12])


def test_a_worker_crash_fails_that_job_and_the_next_works(service: Running) -> None:
    client = service.client
    slow = "from build123d import *\nimport math\nx = 0\nfor i in range(10**9):\n    x += i\nresult = Box(1, 1, 1)"
    job = client.submit("script", script=slow)
    time.sleep(1.0)
    for worker in service.engine.pool._all:
        for child in _children(worker.proc.pid):
            os.kill(child, signal.SIGKILL)
        os.kill(worker.proc.pid, signal.SIGKILL)
    failed = client.wait(job["id"], timeout_s=60)
    assert failed["state"] == "failed" and failed["error"]["message"]
    ok = client.wait(client.submit("generate", prompt=PROMPT)["id"])
    assert ok["state"] == "done", ok["error"]


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in open(f"/proc/{pid}/task/{pid}/children").read().split()]  # noqa: PTH123
    except OSError:
        return []


def test_refusals(service: Running) -> None:
    assert _raw(service, "GET", "/v1/health", token=None).status_code == 401
    assert _raw(service, "GET", "/v1/health", token="wrong").status_code == 401
    foreign = _raw(service, "GET", "/v1/health", host="evil.example.com")
    assert foreign.status_code == 403 and "loopback" in foreign.json()["error"]["message"]
    rebinding = _raw(service, "GET", "/v1/health", host=f"attacker.test:{service.client.info['port']}")
    assert rebinding.status_code == 403
    assert _raw(service, "GET", "/v1/health", host=f"localhost:{service.client.info['port']}").status_code == 200
    big = _raw(service, "POST", "/v1/jobs", content=b"x" * (MAX_BODY_BYTES + 1),
               headers={"Content-Type": "application/json"})
    assert big.status_code == 413

    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(MAX_BODY_BYTES // 1024 + 2):
            yield b" " * 1024

    chunked = _raw(service, "POST", "/v1/jobs", content=chunks(), headers={"Content-Type": "application/json"})
    assert chunked.status_code == 413
    long_prompt = _raw(service, "POST", "/v1/jobs", json={"kind": "generate", "prompt": "x" * 5000})
    assert long_prompt.status_code == 422 and "prompt" in long_prompt.json()["error"]["message"]
    empty = _raw(service, "POST", "/v1/jobs", json={"kind": "generate", "prompt": "  "})
    assert empty.status_code == 422 and "the prompt is empty" in empty.json()["error"]["message"]
    garbage = _raw(service, "POST", "/v1/jobs", content=b"{not json", headers={"Content-Type": "application/json"})
    assert garbage.status_code == 422 and garbage.json()["error"]["kind"] == "input"
    assert _raw(service, "GET", "/v1/jobs/nope").status_code == 400
    assert _raw(service, "GET", "/v1/history/20990101-000000-abcdef").status_code == 404
    preflight = _raw(service, "OPTIONS", "/v1/jobs", token=None,
                     headers={"Origin": "https://evil.example.com", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in preflight.headers
    with pytest.raises(EngineError, match="the prompt is empty"):
        service.client.submit("generate", prompt="")


def test_the_client_finds_a_restarted_engine(service: Running, pool, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from live_engine import SlowKitModel, start_service

    client = service.client
    made = client.wait(client.submit("generate", prompt=PROMPT)["id"])["entry"]
    old_port = client.info["port"]
    service.stop()
    with pytest.raises(EngineError, match="cannot reach"):
        client.health()
    restarted = start_service(service.home, pool, SlowKitModel())
    try:
        assert client.health()["status"] == "ok"  # new port and token, found again
        assert client.info["port"] != old_port or client.info["token"] != service.service.token
        assert client.entry(made["id"])["prompt"] == PROMPT  # the history survived the restart
    finally:
        restarted.stop()
    service.thread.join()


def test_no_engine_is_a_clear_message(tmp_path) -> None:  # type: ignore[no-untyped-def]
    client = Client(home=tmp_path)
    with pytest.raises(EngineError, match="not running") as info:
        client.connect()
    assert "partsmith serve" in (info.value.hint or "")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    discovery.write(tmp_path, {"port": port, "token": "x", "pid": 1, "version": "0"})  # stale file
    assert not client.find()
