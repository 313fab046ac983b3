"""The engine's model: loaded once per request spec, released when another is asked for, and its
loading never holds up the history. Real llama.cpp on tiny random-weight GGUF files."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from generation.test_tiny_gguf import write_tiny_llama

from partsmith.config import Settings
from partsmith.engine import engine as engine_module
from partsmith.engine.engine import Engine
from partsmith.model import local
from partsmith.model.base import Request
from partsmith.model.local import LlamaCppBackend
from partsmith.model.scripted import ScriptedBackend


def test_a_gguf_path_loads_once_and_two_threads_share_one_lock(tmp_path: Path) -> None:
    path = write_tiny_llama(tmp_path / "tiny.gguf", seed=1)
    engine = Engine(Settings(home=tmp_path / "home"))
    try:
        first = engine.backend(str(path))
        assert engine.backend(str(path)) is first and engine.model_loads == 1
        other = LlamaCppBackend(path, model_id="tiny", writes_code=False, n_ctx=8192)
        assert isinstance(first, LlamaCppBackend)
        # However many backends hold one llama.cpp context, they serialise on its one lock.
        assert other._loaded is first._loaded
        texts: list[str] = []
        threads = [threading.Thread(target=lambda b=b: texts.append(
            b.generate(Request(prompt="a plate", max_tokens=8)).text)) for b in (first, other)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert len(texts) == 2
        other.close()
    finally:
        engine.close()


def test_asking_for_another_model_releases_the_loaded_one(tmp_path: Path) -> None:
    a = write_tiny_llama(tmp_path / "a.gguf", seed=1)
    b = write_tiny_llama(tmp_path / "b.gguf", seed=2)
    engine = Engine(Settings(home=tmp_path / "home"))
    try:
        first = engine.backend(str(a))
        assert isinstance(first, LlamaCppBackend)
        engine.backend(str(b))
        assert engine.model_loads == 2
        assert first._loaded is None  # closed
        assert not any(key[0] == str(a) for key in local._models)
        assert any(key[0] == str(b) for key in local._models)
    finally:
        engine.close()
    assert not any(key[0] == str(b) for key in local._models)


def test_the_history_answers_while_the_model_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    loading, finish = threading.Event(), threading.Event()

    def slow_open(*args: object, **kwargs: object) -> ScriptedBackend:
        loading.set()
        finish.wait(60)
        return ScriptedBackend([])

    monkeypatch.setattr(engine_module, "open_backend", slow_open)
    engine = Engine(Settings(home=tmp_path / "home"))
    loader = threading.Thread(target=engine.backend)
    loader.start()
    try:
        assert loading.wait(30)
        assert engine.history.newest(5) == []  # not waiting behind the model
        assert loader.is_alive() and engine.loaded_model() is None
    finally:
        finish.set()
        loader.join(30)
        engine.close()
    assert engine.model_loads == 1
