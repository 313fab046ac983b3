"""The dev-set score: how many descriptions the model turns into the right part, and how many into
the right program.

"Part right" is CadQueryEval's PASS against the expected program's part: the bounding box (its
corners, so the placement too) within 1 mm AND the volume within 2 %. A plate with the right outline
and none of its holes is not right. "Within 1 mm" (the bounding box alone) is kept beside it.

Inference is the engine's: llama.cpp, greedy decoding; for an adapter the short prompt (no head),
unconstrained, with the program grammar only for an answer outside the schema; the bare base is
asked with the structured route's few-shot prompt under the grammar.
"""

from __future__ import annotations

import json
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from partsmith.generate.short_prompt import short_prompt

VOLUME_TOLERANCE = 0.02


@dataclass
class Score:
    total: int = 0
    exact: int = 0
    part_right: int = 0
    within_1mm: int = 0
    invalid: int = 0
    misses: list[dict[str, str]] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)  # each answer's time, prompt to last token

    def summary(self) -> dict[str, Any]:
        def share(n: int) -> float:
            return round(n / self.total, 4) if self.total else 0.0

        return {
            "total": self.total,
            "part_right": share(self.part_right),
            "program_right": share(self.exact),
            "part_within_1mm": share(self.within_1mm),
            "invalid": self.invalid,
            "answer_p50_s": round(statistics.median(self.seconds), 3) if self.seconds else 0.0,
            "misses": self.misses[:20],
        }


def measure(answer: str) -> tuple[tuple[float, ...], float] | None:
    """The built part's bounding box corners (min x, y, z, max x, y, z) and its volume; None when
    it cannot be built. (The answers are programs the compiler turns into kit calls, and the
    expected ones are the data's own: no model-written code runs here.)"""
    from partsmith.program import compile_program, parse

    try:
        namespace: dict[str, Any] = {}
        exec(compile(compile_program(parse(json.loads(answer))), "<program>", "exec"), namespace)
        part = namespace["result"]
        box = part.bounding_box()
        volume = float(part.volume)
    except Exception:  # noqa: BLE001 - any failure to build is a miss, whatever raised it
        return None
    return (box.min.X, box.min.Y, box.min.Z, box.max.X, box.max.Y, box.max.Z), volume


Measured = tuple[tuple[float, ...], float]


def compare(answer: str | Measured | None, expected: str) -> tuple[bool, bool]:
    """(bounding box within 1 mm, and volume within 2 % too) of the answer's part (or its
    measurements, when already built) against the expected program's part."""
    got = measure(answer) if isinstance(answer, str) else answer
    want = measure(expected)
    if got is None or want is None:
        return False, False
    box_ok = all(abs(a - b) <= 1.0 for a, b in zip(got[0], want[0], strict=True))
    return box_ok, box_ok and abs(got[1] - want[1]) <= VOLUME_TOLERANCE * abs(want[1])


def same_program(answer: str, expected: str) -> bool:
    from partsmith.program.schema import dump, parse

    try:
        return dump(parse(json.loads(answer))) == expected
    except ValueError:
        return False


def open_model(base: Path, adapter: Path | None, n_ctx: int = 4096) -> Any:
    import os

    import llama_cpp

    threads = os.cpu_count() or 1
    return llama_cpp.Llama(
        model_path=str(base),
        lora_path=str(adapter) if adapter else None,
        n_ctx=n_ctx,
        n_threads=threads,
        n_threads_batch=threads,
        verbose=False,
        seed=0,
    )


def ask(llama: Any, description: str, adapted: bool, grammar: Any, max_tokens: int = 400) -> str:
    """The model's answer as the engine gets it: the adapted model answers unconstrained and
    only an answer outside the schema is written again under the grammar; the bare base always
    writes under the grammar, after the few-shot head."""
    from partsmith.errors import InputError
    from partsmith.generate import structured

    if not adapted:
        return complete(llama, structured.build_prompt(description), max_tokens, grammar)
    prompt = short_prompt(description)
    text = complete(llama, prompt, max_tokens, None)
    try:
        structured.parse_answer(text)
    except InputError:
        return complete(llama, prompt, max_tokens, grammar)
    return text


def complete(llama: Any, prompt: str, max_tokens: int, grammar: Any) -> str:
    out = llama.create_completion(prompt, max_tokens=max_tokens, temperature=0.0, grammar=grammar,
                                  stop=["\n"])
    return str(out["choices"][0]["text"]).strip()


def judge(llama: Any, example: dict[str, str], adapted: bool, grammar: Any) -> dict[str, Any]:
    """One dev example answered and judged: a row of the score (JSON, so a long run can keep each
    as it comes and resume)."""
    started = time.perf_counter()
    answer = ask(llama, example["prompt"], adapted, grammar)
    row: dict[str, Any] = {"prompt": example["prompt"], "seconds": round(time.perf_counter() - started, 3),
                           "exact": False, "right": False, "within_1mm": False, "invalid": False}
    if same_program(answer, example["answer"]):
        return {**row, "exact": True, "right": True, "within_1mm": True}
    built = measure(answer)
    if built is None:
        row["invalid"] = True
    else:
        row["within_1mm"], row["right"] = compare(built, example["answer"])
    if not row["right"]:
        row.update(expected=example["answer"], got=answer)
    return row


def tally(rows: list[dict[str, Any]]) -> Score:
    """The score of judged rows."""
    result = Score()
    for row in rows:
        result.total += 1
        result.exact += bool(row["exact"])
        result.part_right += bool(row["right"])
        result.within_1mm += bool(row["within_1mm"])
        result.invalid += bool(row["invalid"])
        result.seconds.append(float(row["seconds"]))
        if not row["right"]:
            result.misses.append({"prompt": row["prompt"], "expected": row["expected"], "got": row["got"]})
    return result


def program_grammar() -> Any:
    from llama_cpp.llama_grammar import LlamaGrammar

    from partsmith.program.grammar import gbnf

    return LlamaGrammar.from_string(gbnf(), verbose=False)


def score(llama: Any, examples: list[dict[str, str]], adapted: bool) -> Score:
    grammar = program_grammar()
    return tally([judge(llama, example, adapted, grammar) for example in examples])


def score_cli(args: Any, adapter: str, limit: int) -> dict[str, Any]:
    """`python -m partsmith.training score`: score an adapter (default: the exported one) or the
    bare base on the dev set, and record the adapter's score in its manifest."""
    from partsmith.paths import models_dir
    from partsmith.training import dataset
    from partsmith.training.export import DEFAULT_NAME, manifest_path
    from partsmith.training.train import embedded_base

    base = Path(args.base) if args.base else embedded_base()
    path = (
        None if adapter == "none" else Path(adapter) if adapter else models_dir() / f"{DEFAULT_NAME}.gguf"
    )
    examples = dataset.load(Path(args.data) / "dev.jsonl")
    if limit:
        examples = examples[:limit]
    llama = open_model(base, path)
    try:
        summary = score(llama, examples, adapted=path is not None).summary()
    finally:
        llama.close()
    if path is not None and manifest_path(path).exists():
        manifest = json.loads(manifest_path(path).read_text(encoding="utf-8"))
        manifest["dev_score"] = {k: v for k, v in summary.items() if k != "misses"}
        manifest_path(path).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return summary
