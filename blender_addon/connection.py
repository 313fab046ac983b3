"""The one engine client of this Blender session, started with the preferences' command.

Settings for the engine it starts (GPU layers) travel in the client's `start_env`, for the
engine's process only: Blender's own environment is never changed.
"""

from __future__ import annotations

import shlex
from typing import Any

from . import client as engine_client
from . import preferences

_client: engine_client.Client | None = None
EngineError = engine_client.EngineError


def command(context: Any = None) -> str:
    prefs = preferences.get(context)
    parts = shlex.split(prefs.engine_command or "partsmith serve")
    if prefs.model and "--model" not in parts:
        parts += ["--model", prefs.model]
    return " ".join(shlex.quote(p) for p in parts)


def start_env(context: Any = None) -> dict[str, str]:
    prefs = preferences.get(context)
    return {"PARTSMITH_LLM__N_GPU_LAYERS": str(prefs.gpu_layers)} if prefs.gpu_layers != -1 else {}


def get(context: Any = None) -> engine_client.Client:
    """The client, pointed at the engine with the current preferences; it connects on first use.
    Call it on Blender's main thread (it reads the preferences); hand it to background work."""
    global _client
    if _client is None:
        _client = engine_client.Client(start_command=command(context), timeout_s=15.0)
    _client.start_command = command(context)
    _client.start_env = start_env(context)
    return _client


def forget() -> None:
    global _client
    _client = None
