"""`partsmith models pull` for real against a Hugging Face-style file server on loopback: the
download goes through huggingface_hub, reports its progress, resumes after a cut connection and
checks the file's sha256."""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import huggingface_hub.constants
import pytest

from partsmith.errors import ModelError
from partsmith.model import model_catalog

# More than huggingface_hub's 10 MB download chunk, so a cut half way leaves whole chunks to keep.
PAYLOAD = os.urandom(24 * 1024 * 1024 + 17)
COMMIT = "a" * 40


class FakeHub(BaseHTTPRequestHandler):
    """Serves /<org>/<repo>/resolve/main/<file>; the first GET stops half way, as a cut line would."""

    cuts_left = 1
    ranges: ClassVar[list[str]] = []

    def _headers(self, length: int, status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(length))
        self.send_header("X-Repo-Commit", COMMIT)
        self.send_header("ETag", f'"{hashlib.sha256(PAYLOAD).hexdigest()}"')
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()

    def do_HEAD(self) -> None:
        if "/resolve/" not in self.path:
            self.send_error(404)
            return
        self._headers(len(PAYLOAD))

    def do_GET(self) -> None:
        if "/resolve/" not in self.path:
            self.send_error(404)
            return
        start = 0
        header = self.headers.get("Range")
        if header:
            FakeHub.ranges.append(header)
            start = int(header.split("=")[1].split("-")[0])
        body = PAYLOAD[start:]
        self._headers(len(body), 206 if start else 200)
        if FakeHub.cuts_left > 0:
            FakeHub.cuts_left -= 1
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.connection.shutdown(2)
            return
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeHub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    endpoint = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv("HF_ENDPOINT", endpoint)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    FakeHub.cuts_left = 1
    FakeHub.ranges.clear()
    yield endpoint
    server.shutdown()


def _info(sha: str) -> model_catalog.ModelInfo:
    return model_catalog.ModelInfo(id="tiny", name="Tiny", size_gb=0.03, n_ctx=512, vram_gb=0, ram_gb=0,
                             licence="test", writes_code=False, quality=0, good_for="tests",
                             repo="partsmith-test/tiny-GGUF", files=("tiny.gguf",), sha256=(sha,))


def test_download_with_progress_and_resume(hub: str) -> None:
    seen: list[tuple[int, int]] = []
    info = _info(hashlib.sha256(PAYLOAD).hexdigest())
    # The server cuts the first transfer half way; the download picks up where it stopped.
    path = model_catalog.pull(info, lambda done, total: seen.append((done, total)))
    assert path.read_bytes() == PAYLOAD
    [asked] = FakeHub.ranges
    assert int(asked.split("=")[1].rstrip("-")) >= 10 * 1024 * 1024  # resumed, not restarted
    assert seen[-1] == (len(PAYLOAD), len(PAYLOAD)) and all(b == len(PAYLOAD) for _, b in seen)
    assert model_catalog.local_path(info) == path


def test_a_corrupt_download_is_removed(hub: str) -> None:
    FakeHub.cuts_left = 0
    with pytest.raises(ModelError, match="checksum does not match"):
        model_catalog.pull(_info("0" * 64))
