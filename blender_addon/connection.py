"""The one engine client of this Blender session, started with the preferences' command."""

from __future__ import annotations

import os
import shlex

from . import client as engine_client
from . import preferences

_client: engine_client.Client | None = None


def command(context: object = None) -> str:
    prefs = preferences.get(context)  # type: ignore[arg-type]
    parts = shlex.split(prefs.engine_command or "partsmith serve")
    if prefs.model and "--model" not in parts:
        parts += ["--model", prefs.model]
    return " ".join(shlex.quote(p) for p in parts)


def get(context: object = None) -> engine_client.Client:
    """The client, pointed at the engine; it connects on first use."""
    global _client
    if _client is None:
        _client = engine_client.Client(start_command=command(context), timeout_s=15.0)
        prefs = preferences.get(context)  # type: ignore[arg-type]
        if prefs.gpu_layers != -1:
            os.environ.setdefault("PARTSMITH_LLM__N_GPU_LAYERS", str(prefs.gpu_layers))
    else:
        _client.start_command = command(context)
    return _client


def state() -> str:
    """A short line for the panel: running (and its model) or not."""
    if _client is None or _client.info is None:
        return "not connected"
    try:
        health = _client.health()
    except engine_client.EngineError:
        return "not running"
    model = health.get("model") or "model loads on first use"
    return f"running, {model}"


def forget() -> None:
    global _client
    _client = None


EngineError = engine_client.EngineError
