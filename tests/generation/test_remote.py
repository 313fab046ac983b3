"""The remote backend against a real OpenAI-compatible server (llama-cpp-python's) on loopback."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from partsmith.config import LLMSettings
from partsmith.errors import ConfigError, ModelError
from partsmith.generate import structured
from partsmith.generate.pipeline import Generator
from partsmith.model import model_catalog
from partsmith.model.backends import open_backend
from partsmith.model.base import Request
from partsmith.model.remote import RemoteBackend
from partsmith.sandbox import SandboxPool


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    model = model_catalog.local_path(model_catalog.get(model_catalog.EMBEDDED))
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1",
             "--port", str(port), "--n_ctx", "4096", "--chat_format", "gemma",
             "--n_threads", str(os.cpu_count() or 1)],
            stdout=out, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the server exited: {Path(log).read_text()[-2000:]}")
        try:
            if httpx.get(f"{url}/models", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("the server did not come up in 120 s")
    yield url
    proc.terminate()
    proc.wait(10)


def test_structured_output_through_the_server_parses(server: str) -> None:
    backend = open_backend(LLMSettings(backend="remote", remote_url=server, remote_writes_code=False))
    assert isinstance(backend, RemoteBackend) and backend.model_id
    request = Request(prompt=structured.build_prompt("an M8 nut"), max_tokens=768, stop=["\n"],
                      json_schema=structured.json_schema())
    pieces: list[str] = []
    completion = backend.generate(request, pieces.append)
    program = structured.parse_answer(completion.text)
    assert program.features
    assert len(pieces) > 3 and "".join(pieces) == completion.text


def test_chat_streams(server: str) -> None:
    backend = RemoteBackend(server)
    completion = backend.generate(Request(messages=[{"role": "user", "content": "Say hello."}],
                                          max_tokens=16))
    assert completion.text and completion.first_token_s is not None


def test_cancel_closes_the_stream(server: str) -> None:
    backend = RemoteBackend(server)
    cancel = threading.Event()
    seen: list[str] = []

    def on_text(piece: str) -> None:
        seen.append(piece)
        if len(seen) == 2:
            cancel.set()

    completion = backend.generate(Request(prompt="one, two, three,", max_tokens=200), on_text, cancel)
    assert completion.finish == "cancelled" and len(seen) == 2


def test_a_part_through_the_server(server: str, pool: SandboxPool) -> None:
    backend = RemoteBackend(server, writes_code=False)
    result = Generator(backend, pool).generate("a 10 mm cube")
    assert result.route == "structured" and result.result.measurements["volume"] > 0
    assert json.loads(result.attempts[0].answer)["family"]


def test_unreachable_server_is_a_clear_error() -> None:
    with pytest.raises(ModelError, match="did not answer"):
        RemoteBackend(f"http://127.0.0.1:{free_port()}/v1")


def test_remote_without_url_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="remote_url"):
        open_backend(LLMSettings(backend="remote"))
