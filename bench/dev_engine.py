"""The development set through the engine, as a user gets it: each held-out description made by
the pipeline (the greedy answer; stated sizes the answer missed set by role; more candidates while
a fact is missed), its part compared with the expected program's part. "Part right" as in
`training.score` (bounding box corners within 1 mm AND volume within 2 %), beside the model's own
greedy answer scored the same way on the same descriptions in this run (the baseline).

Resumable: each description's row is appended to a scratch file; run it again to go on.

    python -m bench.dev_engine [--limit N] [--every K] [--candidates N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import RESULTS, write
from partsmith.config import get_settings
from partsmith.engine import assembly
from partsmith.generate.pipeline import GenerationFailed
from partsmith.sandbox.pool import remove_job_dir
from partsmith.training import dataset, score

PROGRESS = RESULTS.parent / ".dev-engine-rows.jsonl"  # resumable rows (not a result)


def _measured(measurements: dict[str, Any]) -> score.Measured:
    low, high = measurements["bbox_min"], measurements["bbox_max"]
    return (*map(float, low), *map(float, high)), float(measurements["volume"])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="only the first n descriptions taken")
    parser.add_argument("--every", type=int, default=1, help="every k-th description of the dev set")
    parser.add_argument("--candidates", type=int, default=0, help="llm.candidates (default: the settings')")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        dataset.prepare(Path(scratch), count=0)
        dev = dataset.load(Path(scratch) / "dev.jsonl")[:: args.every]
    dev = dev[: args.limit] if args.limit else dev
    done: dict[str, dict[str, Any]] = {}
    if PROGRESS.exists():
        for line in PROGRESS.read_text().splitlines():
            kept = json.loads(line)
            done[kept["prompt"]] = kept
    settings = get_settings()
    if args.candidates:
        settings.llm.candidates = args.candidates
    with tempfile.TemporaryDirectory() as home:
        settings = settings.model_copy(update={"home": Path(home)})
        engine = assembly.build_engine(settings, notify=lambda note: None)
        generator = engine.generator()
        try:
            with PROGRESS.open("a") as rows_file:
                for example in dev:
                    if example["prompt"] in done:
                        continue
                    began = time.perf_counter()
                    row: dict[str, Any] = {"prompt": example["prompt"]}
                    try:
                        made = generator.generate(example["prompt"])
                    except GenerationFailed as failed:
                        row.update(made=False, attempts=len(failed.attempts), greedy_right=False)
                        first = next((a for a in failed.attempts if a.program is not None), None)
                    else:
                        box_ok, right = score.compare(_measured(made.result.measurements), example["answer"])
                        row.update(made=True, box_ok=box_ok, part_right=right, attempts=len(made.attempts),
                                   restated=any(a.restated for a in made.attempts),
                                   facts=len(made.facts), facts_met=sum(1 for f in made.facts if f["met"]))
                        first = made.attempts[0]
                        remove_job_dir(made.result.job_dir)  # the part is measured; its files go
                    greedy = json.dumps(first.program) if first is not None and first.program else None
                    row["greedy_right"] = bool(greedy and score.compare(greedy, example["answer"])[1])
                    row["seconds"] = round(time.perf_counter() - began, 3)
                    done[example["prompt"]] = row
                    rows_file.write(json.dumps(row) + "\n")
                    rows_file.flush()
        finally:
            engine.close()
    rows = [done[e["prompt"]] for e in dev if e["prompt"] in done]
    total = len(rows)

    def share(key: str) -> float:
        return round(sum(1 for r in rows if r.get(key)) / total, 4) if total else 0.0

    figures = {
        "descriptions": total, "every": args.every, "candidates": settings.llm.candidates,
        "part_right_engine": share("part_right"), "part_right_greedy": share("greedy_right"),
        "bbox_within_1mm_engine": share("box_ok"), "made": share("made"),
        "restated": share("restated"),
        "seconds_p50": round(statistics.median(r["seconds"] for r in rows), 3) if rows else 0.0,
        "misses": [r["prompt"] for r in rows if not r.get("part_right")][:30],
    }
    table = (
        f"Development set through the engine ({total} descriptions, one in {args.every}; "
        f"llm.candidates = {settings.llm.candidates})\n\n"
        "| | part right (bbox 1 mm AND volume 2 %) | bbox within 1 mm | made |\n|---|---|---|---|\n"
        f"| the engine (facts, stated sizes set, candidates) | {figures['part_right_engine']:.3f} | "
        f"{figures['bbox_within_1mm_engine']:.3f} | {figures['made']:.3f} |\n"
        f"| the model's greedy answer alone (same run) | {figures['part_right_greedy']:.3f} | | |\n\n"
        f"Stated sizes set by the engine in {figures['restated']:.1%} of the parts; prompt to part p50 "
        f"{figures['seconds_p50']:.2f} s.\n"
    )
    write("dev-engine", figures, table)


if __name__ == "__main__":
    main()
