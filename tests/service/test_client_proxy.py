"""Issue 15: the client never sends the engine's token through a proxy (http_proxy is for the
internet; the engine is on loopback)."""

from __future__ import annotations

import pytest
from loopback_http import Answer, json_answer, serve

from partsmith.client.client import Client


def test_the_client_ignores_http_proxy_for_the_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    def engine(method: str, path: str, body: bytes, number: int) -> Answer:
        return json_answer({"status": "ok"})

    def proxy(method: str, path: str, body: bytes, number: int) -> Answer:
        return json_answer({"error": {"message": "proxied"}}, 502)

    with serve(engine) as (engine_url, engine_seen), serve(proxy) as (proxy_url, proxy_seen):
        for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
            monkeypatch.setenv(name, proxy_url)
        for name in ("no_proxy", "NO_PROXY"):
            monkeypatch.delenv(name, raising=False)
        client = Client()
        client.info = {"port": int(engine_url.rsplit(":", 1)[1]), "token": "engine-secret"}
        assert client.health() == {"status": "ok"}
    assert proxy_seen.requests == []
    assert [h.get("Authorization") for _, _, h in engine_seen.requests] == ["Bearer engine-secret"]
