"""Model speed: the engine's backend against raw llama_cpp on the same model and prompt, and the
time to first token of a second request that shares the first one's long prompt head.

Both sides run in this one process on the same loaded weights class, alternating, so the ratio
holds on a noisy machine.
"""

from __future__ import annotations

import statistics
import time

import llama_cpp

from bench.common import write
from partsmith.generate import structured
from partsmith.model import model_catalog
from partsmith.model.base import Request
from partsmith.model.local import LlamaCppBackend

PROMPT = "Write the numbers from one to two hundred in words, separated by commas: one, two, three,"
TOKENS = 96
ROUNDS = 5


def raw_rate(llm: llama_cpp.Llama) -> float:
    llm.reset()
    first: float | None = None
    count = 0
    for _ in llm.create_completion(PROMPT, max_tokens=TOKENS, temperature=0, stream=True):
        count += 1
        if first is None:
            first = time.perf_counter()
    assert first is not None
    return (count - 1) / (time.perf_counter() - first)


def engine_rate(backend: LlamaCppBackend) -> float:
    backend.llama.reset()
    completion = backend.generate(Request(prompt=PROMPT, max_tokens=TOKENS))
    return completion.tokens_per_second


def main() -> None:
    selection = model_catalog.choose("auto")
    info = selection.info
    backend = LlamaCppBackend(selection.path, model_id=info.id, writes_code=info.writes_code,
                              chat_format=info.chat_format)
    threads = backend.llama.n_threads
    raw = llama_cpp.Llama(str(selection.path), n_ctx=backend.llama.n_ctx(), n_threads=threads,
                          n_threads_batch=threads, verbose=False, seed=0)
    raw_rates, engine_rates = [], []
    for _ in range(ROUNDS):
        raw_rates.append(raw_rate(raw))
        engine_rates.append(engine_rate(backend))
    del raw

    # Time to first token: a cold request, then a second one with the same long head.
    prompts = ["a 40 x 30 x 5 mm plate with four 4 mm holes", "an M8 nut"]
    backend.llama.reset()
    ttft = []
    for text in prompts:
        request = Request(prompt=structured.build_prompt(text), max_tokens=64, stop=["\n"],
                          json_schema=structured.json_schema())
        ttft.append(backend.generate(request).first_token_s or 0.0)
    head_tokens = len(backend.llama.tokenize(structured.head().encode()))

    raw_median, engine_median = statistics.median(raw_rates), statistics.median(engine_rates)
    data = {
        "model": info.id, "threads": threads, "gpu_offload": bool(llama_cpp.llama_supports_gpu_offload()),
        "raw_tokens_per_s": raw_median, "engine_tokens_per_s": engine_median,
        "ratio": engine_median / raw_median, "rounds": ROUNDS, "tokens": TOKENS,
        "ttft_first_s": ttft[0], "ttft_second_s": ttft[1], "ttft_ratio": ttft[1] / ttft[0],
        "shared_head_tokens": head_tokens,
    }
    table = (
        "| model | raw llama_cpp tok/s | engine tok/s | ratio | TTFT cold s | TTFT shared head s | ratio |\n"
        "|---|---|---|---|---|---|---|\n"
        f"| {info.id} ({threads} threads, {'GPU' if data['gpu_offload'] else 'CPU'}) | "
        f"{raw_median:.1f} | {engine_median:.1f} | {data['ratio']:.3f} | {ttft[0]:.2f} | "
        f"{ttft[1]:.2f} | {data['ttft_ratio']:.3f} |\n"
    )
    write("llm", data, table)


if __name__ == "__main__":
    main()
