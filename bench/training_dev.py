"""The trained adapter on the held-out development set: the share of descriptions whose program is
right, and whose part is within 1 mm, through llama.cpp with the program grammar (as the engine
asks). The same dev set `prepare` held out of training (its seed is fixed). The whole set's score
is the one `partsmith train score` recorded in the adapter's manifest when its hash matches (else
it is scored here); the bare base model, asked with the structured route's few-shot head, is
scored on every sixth example beside the adapter on the same ones (the baseline in this run).

    python -m bench.training_dev [--limit N]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import Any

from bench.common import write
from partsmith.model import model_catalog
from partsmith.training import dataset, score
from partsmith.training.export import manifest_path
from partsmith.training.train import embedded_base

EVERY = 6


def _score(adapter: Path | None, examples: list[dict[str, str]]) -> score.Score:
    llama = score.open_model(embedded_base(), adapter)
    try:
        return score.score(llama, examples, adapted=adapter is not None)
    finally:
        llama.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="score only the first n dev examples")
    parser.add_argument("--record", action="store_true",
                        help="score the whole set anew and record it in the adapter's manifest")
    args = parser.parse_args(argv)
    adapter = model_catalog.adapter_path(model_catalog.get(model_catalog.EMBEDDED))
    if adapter is None:
        raise SystemExit("models/ holds no adapter for the embedded model: run `make train` first")
    with tempfile.TemporaryDirectory() as scratch:
        info = dataset.prepare(Path(scratch), count=0)
        dev = dataset.load(Path(scratch) / "dev.jsonl")
    dev = dev[: args.limit] if args.limit else dev
    manifest = json.loads(manifest_path(adapter).read_text(encoding="utf-8"))
    recorded = manifest.get("dev_score")
    same_set = manifest["data"].get("dev_sha256") == info["dev_sha256"]
    if recorded and "part_right" in recorded and not args.limit and not args.record and same_set:
        s = dict(recorded)  # `partsmith train score` scored this very set (same hash) with this adapter
        source = "`partsmith train score`, recorded in the manifest"
    else:
        s = _score(adapter, dev).summary()
        source = "this run"
        if args.record and not args.limit and same_set:
            manifest["dev_score"] = {k: v for k, v in s.items() if k != "misses"}
            manifest_path(adapter).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    sample = dev[::EVERY]
    adapted, bare = _score(adapter, sample), _score(None, sample)
    a, b = adapted.summary(), bare.summary()
    figures: dict[str, Any] = {
        "adapter": adapter.name,
        "dev_sha256": info["dev_sha256"],
        "dev": {k: v for k, v in s.items() if k != "misses"},
        "dev_source": source,
        "sample_every": EVERY,
        "sample_adapter": {k: v for k, v in a.items() if k != "misses"},
        "sample_bare": {k: v for k, v in b.items() if k != "misses"},
    }
    generated = info["dev"] - info["hand_dev"]
    table = (
        f"Development set held out of training ({s['total']} descriptions: {generated} generated, "
        f"{info['hand_dev']} hand-written), the embedded model with {adapter.name}; llama.cpp, greedy; "
        "the adapter answers unconstrained, under the program grammar only when its answer is outside "
        "the schema (the engine's way); the bare base always under the grammar\n\n"
        "| | descriptions | part right (bbox 1 mm AND volume 2 %) | program right | bbox within 1 mm "
        "| invalid | answer p50 s |\n"
        "|---|---|---|---|---|---|---|\n"
        + "".join(
            f"| {label} | {x['total']} | {x['part_right']:.3f} | {x['program_right']:.3f} "
            f"| {x['part_within_1mm']:.3f} | {x['invalid']} | {x['answer_p50_s']:.2f} |\n"
            for label, x in ((f"with the adapter, all ({source})", s),
                             (f"with the adapter, every {EVERY}th", a),
                             (f"bare base (few-shot head), every {EVERY}th", b))
        )
    )
    write("training-dev", figures, table)


if __name__ == "__main__":
    main()
