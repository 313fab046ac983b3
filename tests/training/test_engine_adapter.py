"""The engine's side: the catalog names the embedded model's adapter, the backend loads it when the
file is there (and runs the bare model when it is not), and an adapted model gets the short prompt."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from training.tiny_gemma import write_tiny_gemma3

from partsmith import paths
from partsmith.errors import ModelError
from partsmith.generate import structured
from partsmith.model import model_catalog
from partsmith.model.base import Request
from partsmith.model.local import LlamaCppBackend
from partsmith.training.export import write_adapter


def _random_adapter(path: Path, seed: int = 1) -> Path:
    """A rank-4 adapter on every projection of the tiny model, with weights large enough to show."""
    rng = np.random.default_rng(seed)
    shapes = {"self_attn.q_proj": (512, 32), "self_attn.k_proj": (256, 32), "self_attn.v_proj": (256, 32),
              "self_attn.o_proj": (32, 512), "mlp.gate_proj": (64, 32), "mlp.up_proj": (64, 32),
              "mlp.down_proj": (32, 64)}
    tensors = {}
    for layer in range(2):
        for module, (out, inp) in shapes.items():
            name = f"base_model.model.model.layers.{layer}.{module}"
            tensors[f"{name}.lora_A.weight"] = rng.standard_normal((4, inp)).astype(np.float32)
            tensors[f"{name}.lora_B.weight"] = rng.standard_normal((out, 4)).astype(np.float32)
    return write_adapter(tensors, 8, "gemma3", path)


def test_the_catalog_finds_the_adapter_only_when_its_file_is_there(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(paths.models_dir() / "catalog.toml", tmp_path / "catalog.toml")
    monkeypatch.setenv("PARTSMITH_MODELS_DIR", str(tmp_path))
    info = model_catalog.get(model_catalog.EMBEDDED)
    assert info.adapter == "gemma3-270m-partsmith-lora.gguf"
    assert model_catalog.adapter_path(info) is None
    (tmp_path / info.adapter).write_bytes(b"GGUF")
    assert model_catalog.adapter_path(info) == tmp_path / info.adapter


def test_the_backend_applies_an_adapter_and_it_changes_the_answer(tmp_path: Path) -> None:
    import llama_cpp

    base = write_tiny_gemma3(tmp_path / "tiny.gguf")
    adapter = _random_adapter(tmp_path / "lora.gguf")
    bare = LlamaCppBackend(base, model_id="tiny", writes_code=False, n_ctx=256)
    adapted = LlamaCppBackend(base, model_id="tiny", writes_code=False, n_ctx=256, lora_path=adapter)

    def last_logits(backend: LlamaCppBackend) -> np.ndarray:
        backend.generate(Request(prompt="Description: a cube\nJSON:", max_tokens=2, temperature=0.0))
        tokens = backend.llama.tokenize(b"Description: a cube\nJSON:")
        backend.llama.reset()
        backend.llama.eval(tokens)
        pointer = llama_cpp.llama_get_logits_ith(backend.llama.ctx, -1)
        return np.ctypeslib.as_array(pointer, shape=(backend.llama.n_vocab(),)).copy()

    try:
        assert bare.adapter is None and adapted.adapter == adapter
        assert np.abs(last_logits(bare) - last_logits(adapted)).max() > 0.1
    finally:
        bare.close()
        adapted.close()


def test_a_missing_adapter_file_is_a_clear_error(tmp_path: Path) -> None:
    base = write_tiny_gemma3(tmp_path / "tiny.gguf")
    with pytest.raises(ModelError, match="adapter file"):
        LlamaCppBackend(base, model_id="tiny", writes_code=False, n_ctx=256, lora_path=tmp_path / "none.gguf")


def test_an_adapted_model_is_asked_with_the_short_prompt() -> None:
    assert structured.build_prompt("a 20 mm cube", adapted=True) == "Description: a 20 mm cube\nJSON:"
    assert len(structured.build_prompt("a 20 mm cube")) > 1000
