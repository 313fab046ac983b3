"""The composition root: the one place an engine is wired from the settings.

The service, `partsmith eval` and a command line with no service all get their engine (settings,
backend, sandbox pool, router, history) from `build_engine`. The command line first looks for an
engine that is already running (`engine.json` answers) and sends its work there, so a machine
holds one copy of the model; when none runs it starts one in the background, as the front ends
do, which exits by itself after `service.idle_exit_s` without work.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from partsmith.client.client import Client, EngineError
from partsmith.config import Settings, get_settings
from partsmith.errors import ConfigError

if TYPE_CHECKING:  # the engine's modules load only when an engine is built here, not for a client
    from partsmith.engine.engine import Engine
    from partsmith.history import History
    from partsmith.model.base import Backend
    from partsmith.sandbox import SandboxPool


def build_engine(
    settings: Settings | None = None, *, host: str = "cli", notify: Callable[[str], None] = print,
    backend: Backend | None = None, pool: SandboxPool | None = None, history: History | None = None,
) -> Engine:
    """An engine for these settings. Pieces passed in (a test's scripted model, a shared pool)
    are used as they are and stay the caller's to close; the rest are made on first use."""
    from partsmith.engine.engine import Engine

    return Engine(settings or get_settings(), backend=backend, pool=pool, history=history, host=host,
                  notify=notify)


def service_command(settings: Settings) -> str:
    """The command that starts this environment's engine in the background; started by a client,
    it exits by itself after the settings' idle time."""
    parts = [sys.executable, "-m", "partsmith", "serve"]
    return " ".join(shlex.quote(p) for p in parts)


def running_engine(settings: Settings | None = None) -> Client | None:
    """A client of the engine that is already running for this data folder, or None."""
    settings = settings or get_settings()
    client = Client(home=settings.home, timeout_s=30.0)
    return client if client.find() else None


def start_engine(settings: Settings | None = None, wait_s: float = 180.0) -> Client:
    """Connect to the running engine, or start one in the background and wait until it answers."""
    settings = settings or get_settings()
    client = Client(home=settings.home, start_command=service_command(settings), timeout_s=30.0)
    try:
        client.connect(wait_s=wait_s)
    except EngineError as exc:
        raise ConfigError(f"cannot start the engine: {exc.message}",
                          hint=exc.hint or "run `partsmith serve` in a terminal to see why") from None
    return client
