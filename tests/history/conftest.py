from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from partsmith.history import Entry, History


@pytest.fixture
def history(tmp_path: Path) -> Iterator[History]:
    store = History(tmp_path / "history")
    yield store
    store.close()


def entry(prompt: str, status: str = "ok", **fields: object) -> Entry:
    return Entry(id="", created=0.0, prompt=prompt, status=status, **fields)  # type: ignore[arg-type]
