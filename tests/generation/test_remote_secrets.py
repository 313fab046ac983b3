"""Issue 15: the remote backend sends a key only where the user said (a real HTTP server on
loopback records what it is sent)."""

from __future__ import annotations

import pytest
from loopback_http import Answer, json_answer, serve, sse_answer

from partsmith.config import LLMSettings
from partsmith.model import remote
from partsmith.model.backends import open_remote
from partsmith.model.base import Request
from partsmith.model.remote import RemoteBackend

MODELS = json_answer({"data": [{"id": "tiny"}]})
TOKENS = [{"choices": [{"text": word, "finish_reason": None}]} for word in ("a ", "part")]


def _server(fail_first: int, failure: Answer | str = "503"):  # type: ignore[no-untyped-def]
    def answer(method: str, path: str, body: bytes, number: int) -> Answer:
        if number <= fail_first:
            return None if failure == "drop" else json_answer({"error": "restarting"}, int(str(failure)))
        return MODELS if path.endswith("/models") else sse_answer(TOKENS)
    return serve(answer)


def test_openai_key_is_not_sent_to_another_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai-secret")
    monkeypatch.delenv("PARTSMITH_REMOTE_API_KEY", raising=False)
    with _server(0) as (url, seen):
        backend = RemoteBackend(f"{url}/v1")
        backend.generate(Request(prompt="a", max_tokens=4))
    assert seen.requests and all("Authorization" not in headers for _, _, headers in seen.requests)
    assert remote.api_key_for("https://api.openai.com/v1") == "sk-openai-secret"
    assert remote.api_key_for("http://api.openai.com/v1") is None  # never in clear text
    assert remote.api_key_for("https://api.openai.com.evil.example/v1") is None


def test_the_key_set_for_the_backend_goes_to_its_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai-secret")
    with _server(0) as (url, seen):
        settings = LLMSettings(backend="remote", remote_url=f"{url}/v1", remote_api_key="team-key")
        backend = open_remote(settings, None, lambda message: None)
        backend.generate(Request(prompt="a", max_tokens=4))
    assert {headers.get("Authorization") for _, _, headers in seen.requests} == {"Bearer team-key"}
    assert "team-key" not in repr(settings)  # a secret is not printed with the settings
