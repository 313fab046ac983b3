"""The engine client of this FreeCAD session, with its settings in FreeCAD's parameters
(Preferences > Mod > Partsmith): the command that starts the engine and the model."""

from __future__ import annotations

import FreeCAD as App

from . import client as engine_client

PARAMS = "User parameter:BaseApp/Preferences/Mod/Partsmith"
EngineError = engine_client.EngineError
_client: engine_client.Client | None = None


def settings() -> tuple[str, str]:
    group = App.ParamGet(PARAMS)
    return group.GetString("EngineCommand", "partsmith serve"), group.GetString("Model", "")


def get() -> engine_client.Client:
    global _client
    command, model = settings()
    if model and "--model" not in command:
        command = f"{command} --model {model}"
    if _client is None:
        _client = engine_client.Client(start_command=command, timeout_s=15.0)
    _client.start_command = command
    return _client


def connected() -> engine_client.Client:
    """The client, connected (starting the engine if needed, which may take a while)."""
    client = get()
    client.connect()
    return client


def report(message: str, error: bool = True) -> None:
    """A line in FreeCAD's report view."""
    (App.Console.PrintError if error else App.Console.PrintMessage)(f"Partsmith: {message}\n")
