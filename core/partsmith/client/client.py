"""A client for the Partsmith engine, with the Python standard library only.

Blender's and FreeCAD's Pythons have neither the engine's packages nor pip, so `build_addon.py`
copies this one file into both front ends. It finds the running engine through the discovery file
in the data folder, starts one when there is none (with the command from the front end's
settings), waits until it answers, and finds it again after it restarts (new port, new token).
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

DISCOVERY = "engine.json"
APP = "partsmith"
# A job's states; the last three end it.
QUEUED, RUNNING, DONE, FAILED, CANCELLED = "queued", "running", "done", "failed", "cancelled"
STATES = (QUEUED, RUNNING, DONE, FAILED, CANCELLED)
FINISHED = (DONE, FAILED, CANCELLED)


class EngineError(Exception):
    """The engine said no (with its message and a hint), or could not be reached."""

    def __init__(self, message: str, kind: str = "engine", hint: str | None = None,
                 status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.hint = hint
        self.status = status

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


def data_home() -> Path:
    """The engine's data folder; the same rule as the engine's settings (platformdirs)."""
    env = os.environ.get("PARTSMITH_HOME")
    if env:
        return Path(env).expanduser()
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / APP / APP
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / APP
    base = os.environ.get("XDG_DATA_HOME", "").strip() or str(Path.home() / ".local" / "share")
    return Path(base) / APP


def read_discovery(home: Path | None = None) -> dict[str, Any] | None:
    try:
        info = json.loads(((home or data_home()) / DISCOVERY).read_text())
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) and "port" in info and "token" in info else None


# Set in the environment of an engine a client starts (see `Client.start`).
STARTED_BY = "PARTSMITH_STARTED_BY"


class Client:
    def __init__(self, home: Path | None = None, start_command: str | None = None,
                 timeout_s: float = 10.0, start_env: dict[str, str] | None = None) -> None:
        self.home = home
        self.start_command = start_command
        # Settings for the engine it starts (never set in the front end's own process).
        self.start_env: dict[str, str] = dict(start_env or {})
        self.timeout_s = timeout_s
        self.info: dict[str, Any] | None = None
        self.started: subprocess.Popen[bytes] | None = None

    # Finding the engine -----------------------------------------------------------------------

    @property
    def url(self) -> str:
        if self.info is None:
            raise EngineError("not connected to the engine")
        return f"http://127.0.0.1:{int(self.info['port'])}"

    def find(self) -> bool:
        """Connect to a running engine through the discovery file; True when it answers."""
        info = read_discovery(self.home)
        if info is None:
            return False
        self.info = info
        try:
            self._call("GET", "/v1/health", retry=False, timeout=2.0)
        except EngineError:
            self.info = None
            return False
        return True

    def connect(self, wait_s: float = 120.0) -> dict[str, Any]:
        """Find the engine, or start it and wait until it answers; returns its health."""
        if self.find():
            return self.health()
        if not self.start_command:
            raise EngineError("the Partsmith engine is not running", kind="not_running",
                              hint="start it with `partsmith serve`, or set the engine command")
        self.start()
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if self.find():
                return self.health()
            if self.started is not None and self.started.poll() is not None:
                raise EngineError(f"the engine command exited with code {self.started.returncode}",
                                  kind="start_failed",
                                  hint=f"run it in a terminal to see why: {self.start_command}")
            time.sleep(0.25)
        raise EngineError(f"the engine did not answer within {wait_s:.0f} s", kind="start_failed",
                          hint=f"run it in a terminal to see why: {self.start_command}")

    def start(self) -> None:
        """Start the engine in the background, detached from the front end."""
        command = shlex.split(self.start_command or "", posix=os.name != "nt")
        # An engine a client starts is nobody's to stop: it exits by itself after the settings'
        # idle time (`partsmith serve` reads this), and the client starts it again when needed.
        env = {**os.environ, STARTED_BY: "client", **self.start_env}
        if self.home is not None:
            env["PARTSMITH_HOME"] = str(self.home)
        logs = (self.home or data_home())
        logs.mkdir(parents=True, exist_ok=True)
        try:
            with (logs / "engine.log").open("ab") as log:
                self.started = subprocess.Popen(
                    command, stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env,
                    start_new_session=os.name != "nt")
        except OSError as exc:
            raise EngineError(f"cannot start the engine with {self.start_command!r}: {exc.strerror}",
                              kind="start_failed",
                              hint="check the engine command in the add-on's preferences") from None

    # The API ----------------------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        return dict(self._call("GET", "/v1/health"))

    def submit(self, kind: str = "generate", **fields: Any) -> dict[str, Any]:
        """Create a job: generate, like, again, rerun or script. Returns its status."""
        body = {"kind": kind, **{k: v for k, v in fields.items() if v is not None}}
        return dict(self._call("POST", "/v1/jobs", body))

    def job(self, job_id: str) -> dict[str, Any]:
        return dict(self._call("GET", f"/v1/jobs/{_quote(job_id)}"))

    def cancel(self, job_id: str) -> dict[str, Any]:
        return dict(self._call("POST", f"/v1/jobs/{_quote(job_id)}/cancel"))

    def wait(self, job_id: str, poll_s: float = 0.1, timeout_s: float = 3600.0) -> dict[str, Any]:
        """Poll until the job ends (for scripts and background mode; UIs poll on a timer)."""
        deadline = time.monotonic() + timeout_s
        while True:
            status = self.job(job_id)
            if status["state"] in FINISHED or time.monotonic() > deadline:
                return status
            time.sleep(poll_s)

    def history(self, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        return list(self._call("GET", f"/v1/history?limit={limit}&offset={offset}"))

    def search(self, query: str, limit: int = 5) -> list[dict[str, Any]]:
        return list(self._call("GET", f"/v1/history/search?q={_quote(query)}&limit={limit}"))

    def entry(self, entry_id: str) -> dict[str, Any]:
        return dict(self._call("GET", f"/v1/history/{_quote(entry_id)}"))

    def file(self, entry_id: str, fmt: str) -> bytes:
        """A file of an entry: step, stl, glb or thumbnail (PNG bytes)."""
        data = self._call("GET", f"/v1/history/{_quote(entry_id)}/files/{_quote(fmt)}", raw=True)
        assert isinstance(data, bytes)
        return data

    def models(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "/v1/models"))

    # ------------------------------------------------------------------------------------------

    def _call(self, method: str, path: str, body: Any = None, *, raw: bool = False,
              retry: bool = True, timeout: float | None = None) -> Any:
        if self.info is None and not self.find():
            raise EngineError("the Partsmith engine is not running", kind="not_running",
                              hint="start it with `partsmith serve`, or from the add-on's panel")
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Authorization", f"Bearer {self.info['token']}")  # type: ignore[index]
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with _DIRECT.open(request, timeout=timeout or self.timeout_s) as response:
                payload = response.read()
        except urllib.error.HTTPError as exc:
            if exc.code == 401 and retry and self._refind():
                return self._call(method, path, body, raw=raw, retry=False, timeout=timeout)
            raise _engine_error(exc) from None
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            # The engine may have restarted on another port: read the discovery file again.
            if retry and self._refind():
                return self._call(method, path, body, raw=raw, retry=False, timeout=timeout)
            reason = getattr(exc, "reason", exc)
            raise EngineError(f"cannot reach the Partsmith engine: {reason}", kind="unreachable",
                              hint="is `partsmith serve` running?") from None
        return payload if raw else json.loads(payload or b"null")

    def _refind(self) -> bool:
        before = self.info
        self.info = None
        return bool(self.find() and self.info != before)


# The engine is on loopback: never through a proxy, whatever http_proxy says, or the token (and
# the prompts) would go to the proxy.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _quote(text: str) -> str:
    return urllib.parse.quote(text, safe="")


def _engine_error(exc: urllib.error.HTTPError) -> EngineError:
    try:
        error = json.loads(exc.read() or b"{}").get("error") or {}
    except ValueError:
        error = {}
    return EngineError(error.get("message") or f"the engine answered HTTP {exc.code}",
                       kind=error.get("kind") or "http", hint=error.get("hint"), status=exc.code)
