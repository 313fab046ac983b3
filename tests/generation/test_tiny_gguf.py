"""Inference on tiny random-weight GGUF files the test writes itself (the gguf package): whatever
the weights, grammar-constrained output is valid JSON of the schema's shape."""

from __future__ import annotations

import json
from pathlib import Path

import gguf
import numpy as np
import pytest

from partsmith.errors import InputError
from partsmith.generate import structured
from partsmith.model.base import Request
from partsmith.model.local import LlamaCppBackend


def write_tiny_llama(path: Path, seed: int, n_embd: int = 64, n_layer: int = 2, n_head: int = 4,
                     n_ff: int = 128) -> Path:
    """A llama-architecture model with random weights and a byte-fallback SentencePiece vocab."""
    rng = np.random.default_rng(seed)
    tokens = [b"<unk>", b"<s>", b"</s>"] + [f"<0x{i:02X}>".encode() for i in range(256)]
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_context_length(4096)
    writer.add_embedding_length(n_embd)
    writer.add_block_count(n_layer)
    writer.add_feed_forward_length(n_ff)
    writer.add_head_count(n_head)
    writer.add_head_count_kv(n_head)
    writer.add_rope_dimension_count(n_embd // n_head)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_tokenizer_model("llama")
    writer.add_token_list(tokens)
    writer.add_token_types([2, 3, 3] + [6] * 256)  # unknown, control, control, then bytes
    writer.add_token_scores([0.0] * len(tokens))
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(2)
    writer.add_unk_token_id(0)

    def random(name: str, *shape: int) -> None:
        writer.add_tensor(name, (rng.standard_normal(shape) * 0.2).astype(np.float32))

    def ones(name: str) -> None:
        writer.add_tensor(name, np.ones(n_embd, dtype=np.float32))

    random("token_embd.weight", len(tokens), n_embd)
    ones("output_norm.weight")
    random("output.weight", len(tokens), n_embd)
    for layer in range(n_layer):
        ones(f"blk.{layer}.attn_norm.weight")
        for name in ("attn_q", "attn_k", "attn_v", "attn_output"):
            random(f"blk.{layer}.{name}.weight", n_embd, n_embd)
        ones(f"blk.{layer}.ffn_norm.weight")
        random(f"blk.{layer}.ffn_gate.weight", n_ff, n_embd)
        random(f"blk.{layer}.ffn_up.weight", n_ff, n_embd)
        random(f"blk.{layer}.ffn_down.weight", n_embd, n_ff)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


@pytest.mark.parametrize("weights_seed", [0, 1, 2])
def test_grammar_output_of_random_weights_always_parses(tmp_path: Path, weights_seed: int) -> None:
    path = write_tiny_llama(tmp_path / f"tiny-{weights_seed}.gguf", weights_seed)
    backend = LlamaCppBackend(path, model_id="tiny", writes_code=False, n_ctx=4096)
    schema, grammar = structured.json_schema(), structured.gbnf()
    for sample in range(8):
        request = Request(prompt="Description: an M8 nut\nJSON:", max_tokens=3000,
                          temperature=1.0, seed=sample, json_schema=schema, grammar=grammar)
        completion = backend.generate(request)
        if completion.finish == "stop":
            data = json.loads(completion.text)
            assert 1 <= len(data["features"]) <= 24
        else:
            # A program can be longer than the tokens left (one byte a token here): what was
            # written is a prefix the grammar allows, whose complete features are kept.
            assert completion.finish == "length" and completion.text.startswith("{")
        # Values may be absurd (random weights), but the grammar bounds every number's digits,
        # and the program's own ranges catch the rest with a clear message.
        try:
            structured.parse_answer(completion.text)
        except InputError as exc:
            assert "the program does not fit the schema" in str(exc) or completion.finish == "length"


def test_answers_decoded_in_one_batch_are_the_sequences_own(tmp_path: Path) -> None:
    """The batched decoding the benchmark weighs against one at a time: a batch of one is the
    one-at-a-time answer to the token, the same prompt in three sequences gives three equal answers,
    and a prompt longer than a decode call takes goes in by parts."""
    import llama_cpp

    from bench.batched_decode import Batched
    from partsmith.training.score import complete

    path = write_tiny_llama(tmp_path / "tiny.gguf", 3)
    llama = llama_cpp.Llama(model_path=str(path), n_ctx=4096, n_batch=64, n_threads=2, verbose=False, seed=0)
    prompts = ["an M8 nut", "a 40 x 30 plate with four holes " * 6]  # the second: over 64 tokens
    alone = [complete(llama, p, 40, None) for p in prompts]
    one = Batched(llama, 1)
    try:
        assert [one.answers([p], 40)[0] for p in prompts] == alone
    finally:
        one.close()
    three = Batched(llama, 3)
    try:
        answers = three.answers([prompts[0]] * 3, 40)
        assert len(set(answers)) == 1 and three.answers(prompts, 40)[1] != ""
    finally:
        three.close()
    llama.close()
