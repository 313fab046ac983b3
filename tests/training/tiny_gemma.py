"""A tiny Gemma 3 GGUF with random weights, for training tests that must run in seconds.

It has the embedded model's architecture and tokenizer layout (the first tokens of its vocabulary,
byte fallback included, copied from the embedded GGUF) and head size (256, which sets the
attention scale both llama.cpp and transformers use), but 32-wide layers and two of them, so
transformers reads it as a `Gemma3ForCausalLM` and llama.cpp runs it, as they do the real one.
"""

from __future__ import annotations

from pathlib import Path

import gguf
import numpy as np

from partsmith.training.train import embedded_base

VOCAB = 4096


def _real_vocab(count: int) -> tuple[list[bytes], list[float], list[int]]:
    reader = gguf.GGUFReader(str(embedded_base()))
    tokens_field = reader.fields["tokenizer.ggml.tokens"]
    tokens = [bytes(tokens_field.parts[i]) for i in tokens_field.data[:count]]
    scores = [float(s) for s in reader.fields["tokenizer.ggml.scores"].contents()[:count]]
    types = [int(t) for t in reader.fields["tokenizer.ggml.token_type"].contents()[:count]]
    return tokens, scores, types


def write_tiny_gemma3(
    path: Path,
    seed: int = 0,
    n_embd: int = 32,
    n_layer: int = 2,
    n_head: int = 2,
    head_dim: int = 256,
    n_ff: int = 64,
) -> Path:
    rng = np.random.default_rng(seed)
    tokens, scores, types = _real_vocab(VOCAB)
    writer = gguf.GGUFWriter(str(path), "gemma3")
    writer.add_name("tiny gemma3")
    writer.add_context_length(2048)
    writer.add_embedding_length(n_embd)
    writer.add_block_count(n_layer)
    writer.add_feed_forward_length(n_ff)
    writer.add_head_count(n_head)
    writer.add_head_count_kv(1)
    writer.add_key_length(head_dim)
    writer.add_value_length(head_dim)
    writer.add_layer_norm_rms_eps(1e-6)
    writer.add_rope_freq_base(1_000_000.0)
    writer.add_sliding_window(512)
    writer.add_tokenizer_model("llama")
    writer.add_tokenizer_pre("default")
    writer.add_token_list(tokens)
    writer.add_token_scores(scores)
    writer.add_token_types(types)
    writer.add_bos_token_id(2)
    writer.add_eos_token_id(1)
    writer.add_unk_token_id(3)
    writer.add_pad_token_id(0)
    writer.add_add_bos_token(True)
    writer.add_add_eos_token(False)
    writer.add_add_space_prefix(False)

    def random(name: str, *shape: int) -> None:
        writer.add_tensor(name, (rng.standard_normal(shape) * 0.3).astype(np.float32))

    def ones(name: str, size: int = n_embd) -> None:
        writer.add_tensor(name, np.ones(size, dtype=np.float32))

    random("token_embd.weight", len(tokens), n_embd)
    ones("output_norm.weight")
    for layer in range(n_layer):
        block = f"blk.{layer}"
        ones(f"{block}.attn_norm.weight")
        random(f"{block}.attn_q.weight", n_head * head_dim, n_embd)
        random(f"{block}.attn_k.weight", head_dim, n_embd)
        random(f"{block}.attn_v.weight", head_dim, n_embd)
        random(f"{block}.attn_output.weight", n_embd, n_head * head_dim)
        ones(f"{block}.attn_q_norm.weight", head_dim)
        ones(f"{block}.attn_k_norm.weight", head_dim)
        ones(f"{block}.post_attention_norm.weight")
        ones(f"{block}.ffn_norm.weight")
        random(f"{block}.ffn_gate.weight", n_ff, n_embd)
        random(f"{block}.ffn_up.weight", n_ff, n_embd)
        random(f"{block}.ffn_down.weight", n_embd, n_ff)
        ones(f"{block}.post_ffw_norm.weight")
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path
