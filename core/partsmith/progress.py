"""What a job says while it runs: the vocabulary the engine and its clients share.

Kept apart from the pipeline so that a client (the command line talking to the running engine)
reads it without importing the engine, OCCT or the model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Progress:
    stage: str
    attempt: int = 1
    tokens: int = 0
    tokens_per_second: float = 0.0
    message: str = ""
    fraction: float | None = None  # how far along, when the stage knows (a download does)


ProgressCallback = Callable[[Progress], None]
