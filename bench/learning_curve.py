"""The learning curve of a training run: dev "part right" against the examples it has seen.

Every adapter the run kept (`train-run/adapter-step-N`, its last in `train-run/adapter`) is
exported to GGUF beside it and scored on one fixed sample of the run's own dev set (seeded: the
same descriptions for every point, hand-written ones among them); so is each adapter named with
`--also` (the one that ships, trained on other data, as the baseline in the same run). Each answer
is appended to `bench/results/learning-curve/<data>/<point>.jsonl` as it is judged (`<data>`: the
start of the training data's sha256), so a session that ends mid-way loses one answer: run it again
and it goes on. Those rows are committed: a point scored in one session stays on the curve in the
next, whose fresh checkout no longer has the run's kept adapters.

The points are one run's checkpoints, not runs of their own on less data: before the last, the
learning rate has not come down, so an early point understates what a whole run of that size would
reach. A line through part right against log2(examples seen) over the run's points says what the
next doubling of examples would buy if the trend held; with points this few and this noisy it is a
direction, not a promise.

    python -m bench.learning_curve [--run train-run] [--sample 200] [--also models/x.gguf ...]
                                   [--rows bench/results/learning-curve]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import write
from partsmith.training import dataset, score
from partsmith.training.export import export
from partsmith.training.train import embedded_base


@dataclass
class Point:
    name: str
    adapter: Path  # the GGUF file llama.cpp loads
    step: int | None  # None: an adapter from elsewhere (--also)
    batch: int = 0

    @property
    def examples(self) -> int | None:
        return self.step * self.batch if self.step is not None else None


def run_points(run: Path) -> list[Point]:
    """The adapters a run kept, in the order it made them, each exported to GGUF if not yet."""
    found: list[Point] = []
    for folder in [*run.glob("adapter-step-*"), run / "adapter"]:
        meta_file = folder / "partsmith.json"
        if not meta_file.exists():
            continue
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        gguf = folder / "adapter.gguf"
        if not gguf.exists():
            export(folder, gguf)
        args = meta["args"]
        found.append(Point(f"step-{args['steps']}", gguf, int(args["steps"]), int(args["batch"])))
    return sorted(found, key=lambda p: p.step or 0)


def kept_points(rows: Path, present: list[Point]) -> list[Point]:
    """The run's points scored earlier whose adapters this checkout no longer has (their rows and
    `<point>.point.json` kept in `rows`)."""
    names = {point.name for point in present}
    found = []
    for meta_file in sorted(rows.glob("*.point.json")):
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        if meta["name"] not in names and meta.get("step") is not None:
            found.append(Point(meta["name"], Path(), int(meta["step"]), int(meta["batch"])))
    return found


def sample(dev: list[dict[str, str]], size: int, seed: int = 0) -> list[dict[str, str]]:
    """A fixed sample of the dev set (all of it when `size` is 0 or larger than the set)."""
    if not size or size >= len(dev):
        return dev
    return [dev[i] for i in sorted(random.Random(seed).sample(range(len(dev)), size))]


def judged(point: Point, examples: list[dict[str, str]], folder: Path) -> list[dict[str, Any]]:
    """The point's judged rows, resuming from the ones kept in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    kept = folder / f"{point.name}.jsonl"
    rows = _rows(kept)
    done = {row["prompt"] for row in rows}
    todo = [e for e in examples if e["prompt"] not in done]
    described = folder / f"{point.name}.point.json"
    if point.adapter.is_file():
        made = dataset.sha256(point.adapter)
        earlier = json.loads(described.read_text(encoding="utf-8")) if described.exists() else {}
        if earlier.get("adapter_sha256", made) != made:
            raise ValueError(f"{kept} holds answers of another {point.name} adapter (another run on the "
                             "same data): move it aside to score this one")
        meta = {"name": point.name, "step": point.step, "batch": point.batch, "adapter_sha256": made}
        described.write_text(json.dumps(meta) + "\n", encoding="utf-8")
    if todo and not point.adapter.is_file():
        raise FileNotFoundError(
            f"{point.name}: {len(todo)} answers are not judged yet and its adapter is gone")
    if todo:
        llama = score.open_model(embedded_base(), point.adapter)
        grammar = score.program_grammar()
        try:
            with kept.open("a", encoding="utf-8") as out:
                if kept.stat().st_size and not kept.read_bytes().endswith(b"\n"):
                    out.write("\n")  # a line cut off when a session ended stays apart from the next
                for example in todo:
                    row = score.judge(llama, example, True, grammar)
                    out.write(json.dumps(row) + "\n")
                    out.flush()
                    rows.append(row)
        finally:
            llama.close()
    wanted = {e["prompt"] for e in examples}
    return [row for row in rows if row["prompt"] in wanted]


def _rows(kept: Path) -> list[dict[str, Any]]:
    """The rows kept so far; a last line cut off when a session ended is judged again."""
    rows = []
    for line in kept.read_text(encoding="utf-8").splitlines() if kept.exists() else []:
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return rows


def per_doubling(points: list[tuple[int, float]]) -> float | None:
    """The least-squares slope of part right against log2(examples seen): the gain per doubling."""
    if len(points) < 2:
        return None
    xs = [math.log2(x) for x, _ in points]
    ys = [y for _, y in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / spread if spread else None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", default="train-run", help="the training run's folder")
    parser.add_argument("--sample", type=int, default=200, help="dev descriptions per point (0: all)")
    parser.add_argument("--also", nargs="*", default=[],
                        help="other adapter GGUFs to score on the same sample")
    parser.add_argument("--points", nargs="*", default=[],
                        help="score only these of the run's points (step-650 ...; default: all)")
    parser.add_argument("--rows", default="bench/results/learning-curve",
                        help="where each point's judged answers are kept (committed)")
    args = parser.parse_args(argv)
    run = Path(args.run)
    info = json.loads((run / "data" / "data.json").read_text(encoding="utf-8"))
    dev = dataset.load(run / "data" / "dev.jsonl")
    examples = sample(dev, args.sample)
    kept = Path(args.rows) / str(info["train_sha256"])[:12]
    present = run_points(run)
    points = sorted(present + kept_points(kept, present), key=lambda p: p.step or 0)
    points = [p for p in points if not args.points or p.name in args.points]
    points += [Point(Path(p).stem, Path(p), None) for p in args.also]
    started = time.monotonic()
    rows: list[dict[str, Any]] = []
    for point in points:
        s = score.tally(judged(point, examples, kept)).summary()
        seen = point.examples
        train_count = int(info.get("train", 0)) or None
        rows.append({
            "point": point.name, "step": point.step, "examples_seen": seen,
            "epochs": round(seen / train_count, 2) if seen and train_count else None,
            **{k: v for k, v in s.items() if k != "misses"},
        })
    trend = [(r["examples_seen"], r["part_right"]) for r in rows if r["examples_seen"]]
    slope = per_doubling(trend)
    figures = {"run": str(run), "train_sha256": info.get("train_sha256"),
               "dev_sha256": info.get("dev_sha256"), "sample": len(examples), "dev": len(dev), "points": rows,
               "part_right_per_doubling": None if slope is None else round(slope, 4),
               "seconds": round(time.monotonic() - started, 1)}
    hand = sum(1 for e in examples if e.get("style") == "hand")
    table = (
        f"Learning curve: the embedded model with each adapter a run kept, on {len(examples)} of the "
        f"run's {len(dev)} dev descriptions ({hand} hand-written; the same ones for every point); "
        "llama.cpp, greedy, as the engine asks. Part right: bounding box within 1 mm AND volume within "
        "2 % of the expected program's part.\n\n"
        "| adapter | step | examples seen | epochs | part right | program right | bbox within 1 mm "
        "| invalid |\n|---|---|---|---|---|---|---|---|\n"
        + "".join(
            f"| {r['point']} | {r['step'] if r['step'] is not None else '-'} "
            f"| {r['examples_seen'] if r['examples_seen'] is not None else '-'} "
            f"| {r['epochs'] if r['epochs'] is not None else '-'} | {r['part_right']:.3f} "
            f"| {r['program_right']:.3f} | {r['part_within_1mm']:.3f} | {r['invalid']} |\n"
            for r in rows
        )
        + ("\nThe points are one run's checkpoints: before the last the learning rate has not come "
           "down, so an early point understates what a whole run of that size would reach.")
        + ("" if slope is None else
           f" A line through part right against log2(examples seen) rises {slope:+.3f} per doubling: "
           "what the next 2x of examples would buy if the trend held.")
        + "\n"
    )
    write("learning-curve", figures, table)


if __name__ == "__main__":
    main()
