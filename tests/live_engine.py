"""A real engine service in this process (uvicorn on loopback, in a thread) around an engine with
a scripted model, so tests control the answers. Shared by the service, Blender and FreeCAD tests."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from partsmith.client.client import Client
from partsmith.config import Settings
from partsmith.engine import assembly
from partsmith.engine.engine import Engine
from partsmith.history import History
from partsmith.model.base import Completion, Request, TokenCallback
from partsmith.sandbox import SandboxPool
from partsmith.service.server import Service

PLATE = json.dumps({"family": "plate", "params": {"length": 40, "width": 30, "thickness": 5,
                                                   "hole_diameter": 4, "holes": "corners"}})


class SlowKitModel:
    """Always answers the same kit plate, a word at a time with a pause (a model at work)."""

    name = "scripted"
    model_id = "scripted-plate"
    writes_code = False
    prompt_style = "family"

    def __init__(self, word_delay_s: float = 0.0) -> None:
        self.word_delay_s = word_delay_s
        self.calls = 0
        self.lock = threading.Lock()

    def generate(self, request: Request, on_text: TokenCallback | None = None,
                 cancel: threading.Event | None = None) -> Completion:
        with self.lock:
            self.calls += 1
        words = PLATE.split(" ")
        for word in words:
            if cancel is not None and cancel.is_set():
                return Completion("", 0, 0.0, None, "cancelled")
            time.sleep(self.word_delay_s)
            if on_text is not None:
                on_text(word + " ")
        return Completion(PLATE, len(words), 0.01, 0.001)


@dataclass
class Running:
    client: Client
    service: Service
    home: Path
    model: SlowKitModel
    thread: threading.Thread

    @property
    def engine(self) -> Engine:
        return self.service.engine

    def stop(self) -> None:
        self.service.stop()
        self.thread.join(timeout=30)


def start_service(home: Path, pool: SandboxPool, model: SlowKitModel, port: int = 0) -> Running:
    settings = Settings(home=home)
    engine = assembly.build_engine(settings, backend=model, pool=pool,
                                   history=History(settings.history_dir), host="service")
    service = Service(port, settings=settings, engine=engine)
    thread = threading.Thread(target=service.run, daemon=True)
    thread.start()
    client = Client(home=home)
    deadline = time.monotonic() + 30
    while not client.find():
        assert time.monotonic() < deadline, "the service does not answer"
        time.sleep(0.05)
    return Running(client, service, home, model, thread)


class FailingOnImpossible(SlowKitModel):
    """The kit plate, except for prompts with "impossible" in them: those get an unusable answer."""

    def generate(self, request: Request, on_text: TokenCallback | None = None,
                 cancel: threading.Event | None = None) -> Completion:
        asked = (request.prompt or "").rsplit("Description:", 1)[-1]
        if "impossible" in asked:
            return Completion("this is not JSON", 4, 0.01, 0.001)
        return super().generate(request, on_text, cancel)
