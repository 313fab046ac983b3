"""The adapter file: llama.cpp's tensor names and the adapter keys its loader reads."""

from __future__ import annotations

from pathlib import Path

import gguf
import numpy as np
import pytest

from partsmith.generate.short_prompt import short_prompt
from partsmith.training.export import gguf_name, write_adapter


def test_peft_names_map_to_llama_cpp_names() -> None:
    prefix = "base_model.model.model.layers"
    assert gguf_name(f"{prefix}.3.self_attn.q_proj.lora_A.weight") == "blk.3.attn_q.weight.lora_a"
    assert gguf_name(f"{prefix}.17.self_attn.o_proj.lora_B.default.weight") == "blk.17.attn_output.weight.lora_b"
    assert gguf_name(f"{prefix}.0.mlp.down_proj.lora_A.weight") == "blk.0.ffn_down.weight.lora_a"
    with pytest.raises(ValueError, match="not a LoRA weight"):
        gguf_name("base_model.model.model.embed_tokens.lora_embedding_A")


def test_the_adapter_file_says_what_it_is(tmp_path: Path) -> None:
    tensors = {
        "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight": np.ones((4, 32), np.float32),
        "base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight": np.zeros((64, 4), np.float32),
    }
    path = write_adapter(tensors, 8, "gemma3", tmp_path / "a.gguf", extra={"base_sha256": "ab" * 32})
    reader = gguf.GGUFReader(str(path))
    assert reader.fields["general.type"].contents() == "adapter"
    assert reader.fields["adapter.type"].contents() == "lora"
    assert reader.fields["adapter.lora.alpha"].contents() == 8
    assert reader.fields["general.architecture"].contents() == "gemma3"
    shapes = {t.name: tuple(int(n) for n in t.shape) for t in reader.tensors}
    # ggml lists the fastest dimension first: lora_a is (inputs, rank), lora_b (rank, outputs).
    assert shapes == {"blk.0.attn_q.weight.lora_a": (32, 4), "blk.0.attn_q.weight.lora_b": (4, 64)}


def test_the_short_prompt_is_one_line_and_ends_where_the_answer_starts() -> None:
    assert short_prompt("a plate\n 60 x 40") == "Description: a plate 60 x 40\nJSON:"


def test_a_mix_is_one_adapter_of_the_summed_rank(tmp_path: Path) -> None:
    from partsmith.training.export import write_gguf
    from partsmith.training.mix import mix, parse_weighted, read_adapter

    rng = np.random.default_rng(0)
    a = {"blk.0.attn_q.weight.lora_a": rng.normal(size=(4, 32)), "blk.0.attn_q.weight.lora_b": rng.normal(size=(64, 4))}
    b = {"blk.0.attn_q.weight.lora_a": rng.normal(size=(8, 32)), "blk.0.attn_q.weight.lora_b": rng.normal(size=(64, 8))}
    first = write_gguf(a, 8, "gemma3", tmp_path / "a.gguf", extra={"base_sha256": "ab" * 32})
    second = write_gguf(b, 32, "gemma3", tmp_path / "b.gguf", extra={"base_sha256": "ab" * 32})
    mixed, alpha, architecture, extra = read_adapter(mix([(first, 0.3), (second, 0.7)], tmp_path / "m.gguf"))

    def delta(tensors: dict[str, np.ndarray], scale: float) -> np.ndarray:
        return scale * tensors["blk.0.attn_q.weight.lora_b"] @ tensors["blk.0.attn_q.weight.lora_a"]

    rank = mixed["blk.0.attn_q.weight.lora_a"].shape[0]
    assert rank == 12 and architecture == "gemma3" and extra["base_sha256"] == "ab" * 32
    # Each keeps its own scale (alpha / rank: 2 and 4); fp16 storage rounds the rest.
    want = 0.3 * delta(a, 8 / 4) + 0.7 * delta(b, 32 / 8)
    assert np.abs(delta(mixed, alpha / rank) - want).max() < 2e-3 * np.abs(want).max()
    with pytest.raises(ValueError, match="sum to 1"):
        mix([(first, 0.5), (second, 0.6)], tmp_path / "bad.gguf")
    with pytest.raises(ValueError, match="no adapter file at"):
        mix([(first, 0.5), (tmp_path / "absent.gguf", 0.5)], tmp_path / "bad.gguf")
    with pytest.raises(ValueError, match="new file"):
        mix([(first, 0.5), (second, 0.5)], first)
    assert parse_weighted(["a.gguf", "b.gguf"]) == [(Path("a.gguf"), 0.5), (Path("b.gguf"), 0.5)]
    assert parse_weighted(["a.gguf=0.25", "b.gguf=0.75"])[1] == (Path("b.gguf"), 0.75)
    with pytest.raises(ValueError, match="every adapter a weight"):
        parse_weighted(["a.gguf=0.25", "b.gguf"])
