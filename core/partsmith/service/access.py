"""What every request must pass before it reaches the API: a loopback Host header (so a web page
cannot reach the engine through DNS rebinding), the bearer token, and a size limit on the body.

A plain ASGI middleware, so refused requests cost almost nothing and never reach FastAPI.
"""

from __future__ import annotations

import hmac
import json
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
MAX_BODY_BYTES = 256 * 1024


def host_name(header: str) -> str:
    value = header.strip().lower()
    if value.startswith("["):
        return value.split("]", 1)[0] + "]"
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class AccessGuard:
    def __init__(self, app: ASGIApp, token: str, max_body: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.token = token.encode()
        self.max_body = max_body
        self.last_request = time.monotonic()  # when a client last asked something (idle exit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if host_name(headers.get("host", "")) not in LOOPBACK:
            await _refuse(send, 403, "forbidden", "the Host header must be a loopback name "
                          "(127.0.0.1, localhost or ::1)")
            return
        scheme, _, given = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), self.token):
            await _refuse(send, 401, "unauthorized",
                          "a valid token is needed: Authorization: Bearer <token from engine.json>")
            return
        self.last_request = time.monotonic()
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            await _refuse(send, 413, "too_large", f"the request body is over {self.max_body} bytes")
            return
        if length is None and "chunked" in headers.get("transfer-encoding", "").lower():
            body = await _read_up_to(receive, self.max_body)
            if body is None:
                await _refuse(send, 413, "too_large", f"the request body is over {self.max_body} bytes")
                return
            receive = _replay(body, receive)
        await self.app(scope, receive, send)


async def _read_up_to(receive: Receive, limit: int) -> bytes | None:
    """A body sent without a length (chunked), read whole; None once it passes the limit."""
    parts: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(parts)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        parts.append(chunk)
        if not message.get("more_body", False):
            return b"".join(parts)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _refuse(send: Send, status: int, kind: str, message: str) -> None:
    body = json.dumps({"error": {"kind": kind, "message": message}}).encode()
    headers: list[tuple[bytes, bytes]] = [(b"content-type", b"application/json"),
                                          (b"content-length", str(len(body)).encode())]
    if status == 401:
        headers.append((b"www-authenticate", b"Bearer"))
    start: dict[str, Any] = {"type": "http.response.start", "status": status, "headers": headers}
    await send(start)
    await send({"type": "http.response.body", "body": body})
