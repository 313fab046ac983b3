"""llama.cpp in the engine's process, through llama-cpp-python.

The model is loaded once and kept (`load_model` caches by path and settings) until a backend
releases it. A loaded model carries its own lock: however many backends share it, one llama.cpp
context is only ever driven by one thread at a time. All layers go to the
GPU when the build supports offload; flash attention is asked for where there is a GPU. llama.cpp
keeps the previous request's tokens in its KV cache and re-evaluates only what differs, so a long
shared prefix (the system prompt, the few-shot examples) costs nothing on the next request.
"""

from __future__ import annotations

import atexit
import json
import os
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from partsmith.errors import ModelError
from partsmith.model.base import Completion, Request, TokenCallback, collect, default_style


@dataclass
class Loaded:
    """A model in memory, the lock that serialises its use, and how many backends hold it."""

    llama: Any
    lock: threading.Lock = field(default_factory=threading.Lock)
    users: int = 0


ModelKey = tuple[str, int, int, str | None, int, str | None]
_models: dict[ModelKey, Loaded] = {}
_models_lock = threading.Lock()


def load_model(path: str, n_ctx: int, n_gpu_layers: int, chat_format: str | None, seed: int,
               lora_path: str | None = None) -> Loaded:
    """Load a GGUF file once per process (the same arguments return the loaded model), with a
    LoRA adapter applied when `lora_path` names one."""
    key: ModelKey = (path, n_ctx, n_gpu_layers, chat_format, seed, lora_path)
    with _models_lock:
        loaded = _models.get(key)
        if loaded is None:
            loaded = _models[key] = Loaded(_load(*key))
        loaded.users += 1
        return loaded


def release_model(loaded: Loaded) -> None:
    """One holder is done with a model; the last one frees its memory."""
    with _models_lock:
        loaded.users -= 1
        if loaded.users > 0:
            return
        for key, value in list(_models.items()):
            if value is loaded:
                del _models[key]
    with loaded.lock:
        loaded.llama.close()


def _load(path: str, n_ctx: int, n_gpu_layers: int, chat_format: str | None, seed: int,
          lora_path: str | None) -> Any:
    import llama_cpp

    if not Path(path).is_file():
        raise ModelError(f"the model file {path} does not exist",
                         hint="run `partsmith models list` to see what is downloaded")
    if lora_path is not None and not Path(lora_path).is_file():
        raise ModelError(f"the adapter file {lora_path} does not exist",
                         hint="restore it from the repository's models/ folder, or train one: make train")
    offload = bool(llama_cpp.llama_supports_gpu_offload())
    try:
        # llama-cpp-python defaults to half the cores for generation: one thread on a 2-core
        # machine, which halved the speed here.
        threads = os.cpu_count() or 1
        model = llama_cpp.Llama(
            model_path=path, n_ctx=n_ctx, n_gpu_layers=n_gpu_layers if offload else 0,
            flash_attn=offload, chat_format=chat_format, seed=seed, verbose=False,
            n_threads=threads, n_threads_batch=threads, lora_path=lora_path,
        )
    except (ValueError, RuntimeError) as exc:
        raise ModelError(f"llama.cpp could not load {Path(path).name}: {exc}",
                         hint="the file may be incomplete: remove it and download it again") from None
    return model


@atexit.register
def _unload() -> None:
    """Free loaded models before the interpreter tears down the modules llama.cpp's own clean-up
    needs (otherwise every exit prints an ignored TypeError from Llama.__del__)."""
    with _models_lock:
        models = list(_models.values())
        _models.clear()
    for loaded in models:
        loaded.llama.close()


@lru_cache(maxsize=32)
def _grammar(schema_json: str) -> Any:
    from llama_cpp.llama_grammar import LlamaGrammar

    return LlamaGrammar.from_json_schema(schema_json, verbose=False)


@lru_cache(maxsize=8)
def _gbnf(text: str) -> Any:
    from llama_cpp.llama_grammar import LlamaGrammar

    return LlamaGrammar.from_string(text, verbose=False)


class LlamaCppBackend:
    """A GGUF model run by llama.cpp in this process."""

    name = "local"

    def __init__(
        self, path: Path, *, model_id: str, writes_code: bool, chat_format: str | None = None,
        n_ctx: int = 8192, n_gpu_layers: int = -1, seed: int = 0, lora_path: Path | None = None,
    ) -> None:
        self.path = path
        self.model_id = model_id
        self.writes_code = writes_code
        # A model with the part-program adapter is asked with the short prompt (no few-shot head).
        self.adapter = lora_path
        self.prompt_style = default_style(writes_code, adapted=lora_path is not None)
        self._loaded: Loaded | None = load_model(str(path), n_ctx, n_gpu_layers, chat_format, seed,
                                                 str(lora_path) if lora_path else None)
        self.llama = self._loaded.llama

    def close(self) -> None:
        """Release the model (freed when no other backend holds it)."""
        loaded, self._loaded = self._loaded, None
        if loaded is not None:
            release_model(loaded)

    def generate(
        self, request: Request, on_text: TokenCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> Completion:
        options: dict[str, Any] = {
            "max_tokens": request.max_tokens, "temperature": request.temperature,
            "stop": request.stop or None, "stream": True,
        }
        if request.seed is not None:
            options["seed"] = request.seed
        if request.grammar is not None:
            options["grammar"] = _gbnf(request.grammar)
        elif request.json_schema is not None:
            # Property order matters: the grammar enforces the order the schema declares.
            options["grammar"] = _grammar(json.dumps(request.json_schema))
        loaded = self._loaded
        if loaded is None:
            raise ModelError("the model has been released", hint="load it again")
        with loaded.lock:
            if request.messages is not None:
                stream = self.llama.create_chat_completion(messages=request.messages, **options)
            else:
                stream = self.llama.create_completion(request.prompt or "", **options)
            try:
                return collect(stream, on_text, cancel)
            finally:
                stream.close()  # after a cancel, stops llama.cpp at the next token
