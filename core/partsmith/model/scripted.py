"""A scripted backend for tests of pipeline logic: it returns queued answers in order."""

from __future__ import annotations

import threading
from collections import deque

from partsmith.model.base import Completion, Request, TokenCallback, default_style


class ScriptedBackend:
    name = "scripted"

    def __init__(self, answers: list[str], *, writes_code: bool = True, model_id: str = "scripted",
                 prompt_style: str | None = None) -> None:
        self.answers = deque(answers)
        self.requests: list[Request] = []
        self.writes_code = writes_code
        self.model_id = model_id
        self.prompt_style = prompt_style or default_style(writes_code)

    def generate(
        self, request: Request, on_text: TokenCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> Completion:
        self.requests.append(request)
        if not self.answers:
            raise AssertionError("the scripted backend ran out of answers")
        text = self.answers.popleft()
        if on_text is not None:
            for word in text.split(" "):
                on_text(word + " ")
        return Completion(text, max(1, len(text.split())), 0.001, 0.0005)
