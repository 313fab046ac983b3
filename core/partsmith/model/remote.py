"""Any OpenAI-compatible server (llama.cpp's server, llama-cpp-python's, vLLM, Ollama) as a backend.

For a team with one GPU box: set `llm.backend = "remote"` and `llm.remote_url` to the server's
`/v1` address. Tokens stream over server-sent events. Structured output is asked for the ways
these servers understand: a GBNF `grammar` and a `json_schema` on completions (llama.cpp, and
llama-cpp-python's server), `response_format` on chat. A cancel closes the stream, which stops
the server's generation.

Secrets go only where the user said: the key set for this backend (`llm.remote_api_key`, or
`PARTSMITH_REMOTE_API_KEY`) goes to `llm.remote_url`, which the user chose for it; the general
`OPENAI_API_KEY` goes only to OpenAI's own API (https://api.openai.com), never to whatever server
the URL names.

A restarting server is retried (partsmith.retries): a connection that fails or a 502/503/504 answer, with
a short bounded back-off, as long as no token has arrived. A stream that breaks after tokens were
shown is not retried: its text cannot be taken back.
"""

from __future__ import annotations

import itertools
import json
import os
import threading
from collections.abc import Generator
from typing import Any

import httpx

from partsmith.errors import ModelError
from partsmith.model.base import Completion, Request, TokenCallback, collect, default_style
from partsmith.retries import RETRY_STATUS, retrying

CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 300.0
OPENAI_HOST = "api.openai.com"


class ServerBusy(ModelError):
    """The server answered 502, 503 or 504: it is starting, restarting or overloaded."""

    transient = True


def api_key_for(url: str, api_key: str | None = None) -> str | None:
    """The key to send to `url`: the one set for this backend, or OPENAI_API_KEY for OpenAI's own
    API only (a key for OpenAI must not go to whichever server remote_url names)."""
    key = api_key or os.environ.get("PARTSMITH_REMOTE_API_KEY")
    if key:
        return key
    parsed = httpx.URL(url)
    if parsed.scheme == "https" and parsed.host == OPENAI_HOST:
        return os.environ.get("OPENAI_API_KEY") or None
    return None


class RemoteBackend:
    name = "remote"

    def __init__(self, url: str, *, model: str | None = None, writes_code: bool = True,
                 api_key: str | None = None) -> None:
        self.url = url.rstrip("/")
        key = api_key_for(self.url, api_key)
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self.client = httpx.Client(
            base_url=self.url, headers=headers,
            timeout=httpx.Timeout(READ_TIMEOUT_S, connect=CONNECT_TIMEOUT_S),
        )
        self.model_id = model or self._first_model()
        self.writes_code = writes_code
        self.prompt_style = default_style(writes_code)

    def _first_model(self) -> str:
        try:
            for attempt in retrying():
                with attempt:
                    response = self.client.get("/models")
                    if response.status_code in RETRY_STATUS:
                        raise ServerBusy(f"the server answered {response.status_code}")
            response.raise_for_status()
            models = response.json().get("data") or []
        except (httpx.HTTPError, ValueError, ServerBusy) as exc:
            raise ModelError(f"the model server at {self.url} did not answer: {exc}",
                             hint="check llm.remote_url and that the server is running") from None
        if not models:
            raise ModelError(f"the model server at {self.url} serves no model")
        return str(models[0]["id"])

    def _body(self, request: Request) -> tuple[str, dict[str, Any]]:
        body: dict[str, Any] = {
            "model": self.model_id, "max_tokens": request.max_tokens,
            "temperature": request.temperature, "stream": True,
        }
        if request.stop:
            body["stop"] = request.stop
        if request.seed is not None:
            body["seed"] = request.seed
        if request.messages is not None:
            body["messages"] = request.messages
            if request.json_schema is not None:
                body["response_format"] = {
                    "type": "json_schema",
                    "json_schema": {"name": "part", "schema": request.json_schema},
                }
            return "/chat/completions", body
        body["prompt"] = request.prompt or ""
        if request.json_schema is not None:
            from llama_cpp.llama_grammar import json_schema_to_gbnf

            body["grammar"] = json_schema_to_gbnf(json.dumps(request.json_schema))
            body["json_schema"] = request.json_schema
        return "/completions", body

    def _events(self, path: str, body: dict[str, Any]) -> Generator[dict[str, Any], None, None]:
        with self.client.stream("POST", path, json=body) as response:
            if response.status_code >= 400:
                response.read()
                kind = ServerBusy if response.status_code in RETRY_STATUS else ModelError
                raise kind(f"the model server answered {response.status_code}: {response.text[:300]}")
            for line in response.iter_lines():
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    return
                yield json.loads(data)

    def generate(
        self, request: Request, on_text: TokenCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> Completion:
        path, body = self._body(request)
        events: Generator[dict[str, Any], None, None] = iter(())  # type: ignore[assignment]
        try:
            # Open the stream (and read its first event) with retries: nothing is shown yet.
            for attempt in retrying():
                with attempt:
                    events = self._events(path, body)
                    first = next(events, None)
            rest = itertools.chain([] if first is None else [first], events)
            return collect(rest, on_text, cancel)
        except httpx.HTTPError as exc:
            raise ModelError(f"the connection to the model server at {self.url} failed: {exc}",
                             hint="check that the server is running") from None
        finally:
            events.close()  # closing the stream stops the server's generation
