"""The team setting: the history's index on a Chroma server (a real `chroma run` on loopback)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from partsmith.config import Settings
from partsmith.history import History

from .conftest import entry


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    chroma = shutil.which("chroma", path=str(Path(sys.executable).parent))
    assert chroma, "the chroma command comes with the chromadb package"
    port = _free_port()
    server = subprocess.Popen(
        [chroma, "run", "--path", str(tmp_path_factory.mktemp("chroma-server")), "--host", "127.0.0.1",
         "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            raise AssertionError("chroma run did not start")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_two_machines_share_one_index(chroma_url: str, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARTSMITH_HISTORY__CHROMA_URL", chroma_url)
    settings = Settings()
    assert settings.history.chroma_url == chroma_url
    first = History(tmp_path / "alice", settings.history.chroma_url)
    gear = first.add(entry("a spur gear with 24 teeth, module 1.5", script="from partsmith.kit import spur_gear\n"
                           "result = spur_gear(teeth=24, module=1.5)", route="structured", family="spur_gear"))
    first.add(entry("a 30 mm knob"))
    # A second engine (another folder, as on another machine) finds it by meaning.
    second = History(tmp_path / "bob", settings.history.chroma_url)
    hit = second.search("that gear", 1)[0]
    assert hit.id == gear.id and hit.prompt == gear.prompt and second.index.remote
    assert second.index.count() == first.index.count() == 2
    # Alice's successful gear is an example for Bob's next gear.
    from partsmith.model.embed import get_embedder

    [example] = second.similar_successes(get_embedder().encode_one("a spur gear with 30 teeth"))
    assert example.family == "spur_gear" and "teeth=24" in example.script
    first.close()
    second.close()


def test_a_server_that_is_down_is_a_clear_error(tmp_path: Path) -> None:
    from partsmith.errors import StorageError

    with pytest.raises(StorageError, match=r"cannot open the history index at http://127\.0\.0\.1"):
        History(tmp_path / "h", f"http://127.0.0.1:{_free_port()}")


def test_a_restarting_server_is_retried(chroma_url: str, tmp_path: Path) -> None:
    """Issue 15: every call to the team's index survives a server that fails a few requests."""
    from loopback_http import Answer, forward, serve

    from partsmith.retries import ATTEMPTS

    failed: dict[str, int] = {}

    def flaky(method: str, path: str, body: bytes, number: int) -> Answer:
        # The first two requests fail (opening the index), then each add, search and count once:
        # dropped connections and 503s, as from a server that is restarting.
        call = path.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
        if number <= ATTEMPTS - 2 or (call in {"upsert", "query", "count"} and call not in failed):
            failed[call] = failed.get(call, 0) + 1
            return None if number % 2 else (503, "text/plain", b"restarting")
        return forward(chroma_url, method, path, body)

    with serve(flaky) as (url, _):
        history = History(tmp_path / "h", url)
        made = history.add(entry("a flaky-server bracket"))
        [hit] = history.search("a bracket", 1)
        assert hit.id == made.id and history.index.count() >= 1
        history.close()
    assert {"upsert", "query", "count"} <= set(failed)


def _token_gate(chroma_url: str, header: str, value: str):  # type: ignore[no-untyped-def]
    """A token-checking proxy in front of the real server. The chroma run of chromadb 1.x does no
    auth itself (its Rust server has no token provider), so a team puts such a proxy in front."""
    from loopback_http import Answer, current_headers, forward, json_answer, serve

    def gate(method: str, path: str, body: bytes, number: int) -> Answer:
        headers = {k.lower(): v for k, v in current_headers().items()}
        if headers.get(header.lower()) != value:
            return json_answer({"error": "AuthError", "message": "missing or wrong token"}, 401)
        return forward(chroma_url, method, path, body)

    return serve(gate)


@pytest.mark.parametrize(("header", "sent"), [("Authorization", "Bearer team-secret"),
                                              ("X-Chroma-Token", "team-secret")])
def test_the_team_index_sends_chromas_token(chroma_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            header: str, sent: str) -> None:
    """Issue 15: Chroma's token auth, from the settings."""
    from partsmith.errors import StorageError

    with _token_gate(chroma_url, header, sent) as (url, seen):
        with pytest.raises(StorageError, match="refused the request"):
            History(tmp_path / "anonymous", url)
        monkeypatch.setenv("PARTSMITH_HISTORY__CHROMA_URL", url)
        monkeypatch.setenv("PARTSMITH_HISTORY__CHROMA_TOKEN", "team-secret")
        monkeypatch.setenv("PARTSMITH_HISTORY__CHROMA_TOKEN_HEADER", header)
        settings = Settings(home=tmp_path / "home")
        assert "team-secret" not in repr(settings)
        history = History.from_settings(settings)
        made = history.add(entry("a token-guarded bracket"))
        assert history.search("a bracket", 1)[0].id == made.id
        history.close()
        with pytest.raises(StorageError, match="refused the token"):
            History(tmp_path / "wrong", url, "not-the-token", header)
    assert len(seen.requests) > 3


def test_a_teammates_entry_is_only_an_example(chroma_url: str, tmp_path: Path, pool) -> None:  # type: ignore[no-untyped-def]
    """Issue 15: nothing in a shared entry's metadata is trusted, and its script is never run
    here: it is text in the model's prompt, and what runs is the model's answer, in the sandbox."""
    from partsmith.generate.pipeline import Generator, Reference
    from partsmith.model.embed import get_embedder
    from partsmith.model.scripted import ScriptedBackend

    marker = tmp_path / "ran"
    evil = f"open({str(marker)!r}, 'w').write('ran')\nfrom build123d import *\nresult = Box(10, 10, 10)\n"
    history = History(tmp_path / "bob", chroma_url)
    prompt = "a teammate's 40 x 30 x 5 mm name tag"
    vector = get_embedder().encode_one(prompt)
    history.index.collection.upsert(
        ids=["20260101-000000-abcdef", "../../elsewhere", "20260101-000001-abcdef", "20260101-000002-abcdef"],
        embeddings=[vector] * 4, documents=[prompt] * 4,
        metadatas=[{"status": "ok", "route": "structured", "family": "no_such_family", "script": evil,
                    "created": "yesterday"},
                   {"status": "ok", "route": "code", "family": "", "script": evil},
                   {"status": "ok", "route": "code", "family": "", "script": "x" * 50_000},
                   {"status": "ok", "route": "code", "family": "", "script": 42}])
    examples = history.similar_successes(vector, count=4)
    assert [e.id for e in examples] == ["20260101-000000-abcdef"]
    assert examples[0].family is None and examples[0].created == 0.0 and examples[0].route == "structured"

    def past(v):  # type: ignore[no-untyped-def]  # as the engine turns entries into references
        # (all four have one vector: ask for four, so that the odd three cannot crowd it out)
        return [Reference(e.prompt, e.script, e.family if e.route == "structured" else None, e.parameters)
                for e in history.similar_successes(v, count=4)]

    backend = ScriptedBackend(["```python\nfrom build123d import *\nresult = Box(40, 30, 5)\n```"])
    result = Generator(backend, pool, past=past).generate("a 40 x 30 x 5 mm name tag", route="code")
    assert evil.strip() in backend.requests[0].messages[0]["content"]  # an example in the prompt
    assert "open(" not in result.script and not marker.exists()
    history.close()
