"""`partsmith serve`: the engine on 127.0.0.1, found by front ends through the discovery file.

The socket is bound before anything else, on a free port unless one is asked for; then the
discovery file is written (port, token, pid, version) and uvicorn serves on that socket. The
model, the sandbox and the embedder warm up in the background, so health answers at once. An
engine that a client started (Blender, FreeCAD, the command line) exits by itself after the
setting `service.idle_exit_s` with no job running and no request; one started by hand runs until
stopped.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import uvicorn

from partsmith import __version__
from partsmith.client.client import STARTED_BY
from partsmith.config import Settings, get_settings
from partsmith.engine import assembly
from partsmith.engine.engine import Engine
from partsmith.errors import ConfigError
from partsmith.service import discovery
from partsmith.service.api import guarded_app, run_job
from partsmith.service.jobs import Jobs

HOST = "127.0.0.1"


def bind(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
    except OSError as exc:
        sock.close()
        raise ConfigError(f"cannot listen on {HOST}:{port}: {exc.strerror}",
                          hint="another program has the port; leave --port out to take a free one") from None
    sock.listen(128)
    return sock


class Service:
    """The engine's service: bound and announced by `__init__`, served by `run` (blocking) until
    `stop` or Ctrl+C; the discovery file goes when it stops."""

    def __init__(
        self, port: int = 0, *, settings: Settings | None = None, engine: Engine | None = None,
        idle_exit_s: float = 0.0,
    ) -> None:
        self.settings = settings or get_settings()
        self.engine = engine or assembly.build_engine(self.settings, host="service")
        self.idle_exit_s = idle_exit_s
        self.token = secrets.token_urlsafe(32)
        self.jobs = Jobs(lambda job, report: run_job(self.engine, job, report),
                         sandbox_workers=self.settings.sandbox.workers)
        self.sock = bind(port)
        port = self.sock.getsockname()[1]
        self.info: dict[str, Any] = {"port": port, "token": self.token, "pid": os.getpid(),
                                     "version": __version__, "url": f"http://{HOST}:{port}"}
        self.app = guarded_app(self.engine, self.jobs, self.token)
        config = uvicorn.Config(self.app, log_level="warning",
                                access_log=False, timeout_graceful_shutdown=5, limit_concurrency=200)
        self.server = uvicorn.Server(config)
        discovery.write(self.settings.home, self.info)

    def warm(self, model: str | None = None) -> None:
        """Load the model, the sandbox and the embedder in the background."""
        threading.Thread(target=_warm, args=(self.engine, model), name="partsmith-warm",
                         daemon=True).start()

    def run(self) -> None:
        # Status calls must not wait behind the model thread's Python work for the default 5 ms
        # per turn of the interpreter lock.
        sys.setswitchinterval(0.001)
        if threading.current_thread() is threading.main_thread():
            # uvicorn re-raises the signal that stopped it once it is done: make SIGTERM an exit
            # that runs the clean-up below (the default action would end the process first).
            signal.signal(signal.SIGTERM, _exit_on_term)
        if self.idle_exit_s > 0:
            threading.Thread(target=self._exit_when_idle, name="partsmith-idle", daemon=True).start()
        try:
            self.server.run(sockets=[self.sock])
        except KeyboardInterrupt:
            pass
        finally:
            self.jobs.close()
            self.engine.close()
            discovery.remove(self.settings.home, self.info["pid"])
            self.sock.close()

    def stop(self) -> None:
        self.server.should_exit = True

    def idle_for(self) -> float:
        """Seconds since the last request, or 0 while a job is queued or running."""
        if any(not job.over for job in self.jobs.all()):
            return 0.0
        return time.monotonic() - self.app.last_request

    def _exit_when_idle(self) -> None:
        while not self.server.should_exit:
            if self.idle_for() >= self.idle_exit_s:
                self.engine.notify(f"no work for {self.idle_exit_s:g} s: the engine exits")
                self.stop()
                return
            time.sleep(min(1.0, self.idle_exit_s / 4))


def started_idle_exit(settings: Settings, environ: Mapping[str, str] = os.environ) -> float:
    """How long this engine waits without work before it exits, when the command does not say:
    the settings' idle time for an engine a client started (it is nobody's to stop), else never."""
    return settings.service.idle_exit_s if environ.get(STARTED_BY) else 0.0


def serve(port: int = 0, *, model: str | None = None,
          on_ready: Callable[[dict[str, Any]], None] | None = None, idle_exit_s: float = 0.0) -> None:
    service = Service(port, idle_exit_s=idle_exit_s)
    service.warm(model)
    if on_ready is not None:
        on_ready(service.info)
    service.run()


def _exit_on_term(signum: int, frame: object) -> None:
    raise SystemExit(0)


def _warm(engine: Engine, model: str | None) -> None:
    try:
        engine.warm(model)
    except Exception as exc:  # noqa: BLE001 (the first job reports the same problem, with its message)
        engine.notify(f"warming up failed: {exc}")
