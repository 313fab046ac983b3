"""Issue 15: the remote backend retries what is safe to retry, against a real HTTP server on
loopback that fails its first requests."""

from __future__ import annotations

import json

import pytest
from loopback_http import Answer, json_answer, serve, sse_answer

from partsmith import retries
from partsmith.errors import ModelError
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


@pytest.mark.parametrize("failure", ["503", "502", "504", "drop"])
def test_a_restarting_server_is_retried(failure: str) -> None:
    with _server(2, failure) as (url, seen):
        backend = RemoteBackend(f"{url}/v1")  # /models: two failures, then the answer
        assert backend.model_id == "tiny"
        completion = backend.generate(Request(prompt="a", max_tokens=4))
    assert completion.text == "a part"
    assert seen.paths() == ["/v1/models"] * 3 + ["/v1/completions"]


def test_retries_are_bounded() -> None:
    with _server(100) as (url, seen), pytest.raises(ModelError, match="503"):
        RemoteBackend(f"{url}/v1")
    assert len(seen.requests) == retries.ATTEMPTS


def test_a_client_error_is_not_retried() -> None:
    def answer(method: str, path: str, body: bytes, number: int) -> Answer:
        return MODELS if path.endswith("/models") else json_answer({"error": "bad"}, 400)

    with serve(answer) as (url, seen):
        backend = RemoteBackend(f"{url}/v1")
        with pytest.raises(ModelError, match="400"):
            backend.generate(Request(prompt="a", max_tokens=4))
    assert seen.paths().count("/v1/completions") == 1


def test_a_stream_broken_after_tokens_is_not_retried() -> None:
    def answer(method: str, path: str, body: bytes, number: int) -> Answer:
        if path.endswith("/models"):
            return MODELS
        # Tokens, then the connection ends mid-stream (the length said more was coming).
        data = "".join(f"data: {json.dumps(c)}\n\n" for c in TOKENS).encode()
        return 200, "text/event-stream", data, len(data) + 1000

    with serve(answer) as (url, seen):
        backend = RemoteBackend(f"{url}/v1")
        shown: list[str] = []
        with pytest.raises(ModelError, match="connection to the model server"):
            backend.generate(Request(prompt="a", max_tokens=4), shown.append)
    assert "".join(shown) == "a part"  # shown once: the request was not sent again
    assert seen.paths().count("/v1/completions") == 1
