"""A small real HTTP server on loopback for tests that need to see what a client sends: it records
each request (path and headers) and answers from a function, which can fail the first requests."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# (status, content type, body), with a declared length longer than the body to cut the answer
# short after the body, or None to drop the connection without an answer.
Answer = tuple[int, str, bytes] | tuple[int, str, bytes, int] | None


_request = threading.local()


def current_headers() -> dict[str, str]:
    """The headers of the request being answered (for an answer function that forwards it)."""
    return dict(_request.headers)


@dataclass
class Seen:
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)  # method, path, headers

    def paths(self) -> list[str]:
        return [path for _, path, _ in self.requests]


@contextmanager
def serve(answer: Callable[[str, str, bytes, int], Answer]) -> Iterator[tuple[str, Seen]]:
    """Serve on 127.0.0.1; `answer(method, path, body, number)` gets the request's number (from 1)."""
    seen = Seen()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            with lock:
                seen.requests.append((self.command, self.path, dict(self.headers.items())))
                number = len(seen.requests)
            _request.headers = dict(self.headers.items())
            reply = answer(self.command, self.path, body, number)
            if reply is None:
                self.close_connection = True
                self.connection.close()
                return
            status, kind, data = reply[:3]
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(reply[3] if len(reply) > 3 else len(data)))  # type: ignore[misc]
            self.end_headers()
            self.wfile.write(data)
            if len(reply) > 3:
                self.wfile.flush()
                self.close_connection = True

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def json_answer(data: Any, status: int = 200) -> Answer:
    return status, "application/json", json.dumps(data).encode()


def sse_answer(chunks: list[dict[str, Any]]) -> Answer:
    lines = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n"
    return 200, "text/event-stream", lines.encode()


def forward(target: str, method: str, path: str, body: bytes) -> Answer:
    """Pass a request on to `target` and its answer back (a proxy in front of a real server)."""
    import httpx

    keep = {k: v for k, v in current_headers().items()
            if k.lower() not in {"host", "content-length", "connection", "accept-encoding"}}
    reply = httpx.request(method, target + path, content=body, headers=keep, timeout=30)
    return reply.status_code, reply.headers.get("content-type", "application/json"), reply.content
