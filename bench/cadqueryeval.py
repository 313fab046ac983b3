"""A first measure of generation on CadQueryEval-format tasks: the share that gives a valid solid,
and the share whose bounding box is within 1 mm of the target (sorted extents).

    python -m bench.cadqueryeval [TASKS_DIR] [--model ID]

The full harness (IoU, Chamfer distance, volume, resumable runs) is `partsmith eval`, to come.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import yaml

from bench.common import write
from partsmith.config import get_settings
from partsmith.errors import PartsmithError
from partsmith.llm.backends import open_backend
from partsmith.pipeline import Generator
from partsmith.sandbox import SandboxPool

DEFAULT_TASKS = Path(__file__).resolve().parents[2] / "shared" / "evals" / "cadqueryeval" / "tasks"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tasks", nargs="?", type=Path, default=DEFAULT_TASKS)
    parser.add_argument("--model", default=None)
    args = parser.parse_args(argv)
    files = sorted(args.tasks.glob("*.yaml"),
                   key=lambda p: int("".join(c for c in p.stem if c.isdigit()) or 0))
    backend = open_backend(get_settings().llm, args.model, notify=lambda note: None)
    rows = []
    with SandboxPool() as pool:
        generator = Generator(backend, pool)
        for path in files:
            task = yaml.safe_load(path.read_text())
            target = sorted(float(v) for v in task["requirements"]["bounding_box"])
            started = time.perf_counter()
            try:
                made = generator.generate(task["description"])
                size = sorted(made.result.measurements["size"])
                valid, error = True, ""
                within = all(abs(a - b) <= 1.0 for a, b in zip(size, target, strict=True))
                family = "code"
                if made.route == "structured":
                    family = made.script.split("import ", 1)[1].split("\n", 1)[0]
            except PartsmithError as exc:
                valid, within, error, family, size = False, False, exc.message[:80], "", []
            rows.append({"task": task.get("task_id", path.stem), "valid": valid, "bbox_within_1mm": within,
                         "family": family, "size": [round(v, 2) for v in size], "target": target,
                         "seconds": round(time.perf_counter() - started, 2), "error": error})
            print(rows[-1], flush=True)
    count = len(rows)
    valid_share = sum(r["valid"] for r in rows) / count
    bbox_share = sum(r["bbox_within_1mm"] for r in rows) / count
    lines = [f"model: {backend.model_id}; tasks: {count}; valid solid: {valid_share:.2f}; "
             f"bounding box within 1 mm: {bbox_share:.2f}", "",
             "| task | valid | bbox within 1 mm | family | size | target | s |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['task']} | {r['valid']} | {r['bbox_within_1mm']} | {r['family']} | "
                     f"{r['size']} | {r['target']} | {r['seconds']} |")
    write(f"cadqueryeval-{backend.model_id}", {"valid_share": valid_share, "bbox_share": bbox_share,
                                                "tasks": rows}, "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
