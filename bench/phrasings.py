"""The adapter on prompts it was never trained on nor chosen by: the size checker's phrasings
(tests/checks/phrasings, written as users write, for `partsmith.prompt.dimensions`). For every prompt that
states an overall size, the first answer (the engine's decoding) is built and its bounding box
checked against the stated sizes, as the engine's own check does (sorted extents, within 1 mm).
`--against OTHER.gguf` scores another adapter on the same prompts in the same run.

    python -m bench.phrasings [--against other.gguf] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from bench.common import write
from partsmith.checks import facts, stated
from partsmith.model import model_catalog
from partsmith.training import score
from partsmith.training.train import embedded_base

PHRASINGS = Path(__file__).resolve().parents[1] / "tests" / "checks" / "phrasings"


def prompts() -> list[str]:
    """Every phrasing that states an overall size, once."""
    seen: dict[str, None] = {}
    for name in ("sizes.jsonl", "heldout.jsonl"):
        for line in (PHRASINGS / name).read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if row["sizes"]:
                seen.setdefault(row["prompt"], None)
    return list(seen)


def measure(adapter: Path, texts: list[str]) -> dict[str, Any]:
    from llama_cpp.llama_grammar import LlamaGrammar

    from partsmith.program.grammar import gbnf

    grammar = LlamaGrammar.from_string(gbnf(), verbose=False)
    llama = score.open_model(embedded_base(), adapter)
    built = right = 0
    misses: list[dict[str, str]] = []
    started = time.perf_counter()
    try:
        for text in texts:
            answer = score.ask(llama, text, True, grammar)
            measured = score.measure(answer)
            if measured is not None:
                box = measured[0]
                built += 1
                size = [box[3] - box[0], box[4] - box[1], box[5] - box[2]]
                if not facts.problems(stated.size_facts(text, size)):
                    right += 1
                    continue
            misses.append({"prompt": text, "answer": answer})
    finally:
        llama.close()
    return {"adapter": adapter.name, "prompts": len(texts), "built": built, "sizes_right": right,
            "share": round(right / len(texts), 3) if texts else 0.0,
            "seconds": round(time.perf_counter() - started, 1), "misses": misses[:30]}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", default="", help="another adapter to score on the same prompts")
    parser.add_argument("--limit", type=int, default=0, help="only the first n prompts")
    args = parser.parse_args(argv)
    adapter = model_catalog.adapter_path(model_catalog.get(model_catalog.EMBEDDED))
    if adapter is None:
        raise SystemExit("models/ holds no adapter for the embedded model: run `make train` first")
    texts = prompts()[: args.limit or None]
    runs = [measure(adapter, texts)]
    if args.against:
        runs.append(measure(Path(args.against), texts))
    table = (
        f"The size checker's phrasings that state an overall size ({len(texts)} prompts, never trained "
        "on), the embedded model with each adapter: first answer, built, sorted bounding box against "
        "the stated sizes within 1 mm\n\n| adapter | prompts | built | sizes right | share |\n"
        "|---|---|---|---|---|\n"
        + "".join(f"| {r['adapter']} | {r['prompts']} | {r['built']} | {r['sizes_right']} | "
                  f"{r['share']:.3f} |\n" for r in runs)
    )
    write("phrasings", {"runs": runs}, table)
    print(table)


if __name__ == "__main__":
    main()
