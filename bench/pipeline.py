"""End-to-end generation time split by stage: model load, model answers, the sandbox (run,
validate, export), the checks of the prompt's facts, how many answers were made and built
(candidates), saving into the history. Uses the model the settings choose (the embedded one on a
machine with none), through an engine wired as the service wires it, in a scratch data folder.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import write
from partsmith.config import get_settings
from partsmith.engine import assembly
from partsmith.generate.pipeline import GenerationFailed
from partsmith.progress import Progress

PROMPTS = [
    "a 40 x 30 x 5 mm plate with four 4 mm holes 5 mm from the edges",
    "an M8 nut",
    "a washer, 12 mm outside diameter, 6 mm hole, 1.5 mm thick",
    "a spur gear with 24 teeth, module 1.5, 6 mm thick",
    "a 10 mm cube",
]


def main() -> None:
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as scratch:
        settings = get_settings().model_copy(update={"home": Path(scratch)})
        engine = assembly.build_engine(settings, notify=lambda note: None)
        started = time.perf_counter()
        backend = engine.backend()
        load_s = time.perf_counter() - started
        engine.pool.warm()
        engine.router.warm()
        _ = engine.history
        for prompt in PROMPTS:
            marks: dict[str, float] = {}

            def mark(progress: Progress, marks: dict[str, float] = marks) -> None:
                marks.setdefault(progress.stage, time.perf_counter())

            began = time.perf_counter()
            try:
                made = engine.generate(prompt, on_progress=mark)
            except GenerationFailed as miss:  # a miss is a figure too, not the end of the run
                rows.append({"prompt": prompt, "attempts": len(miss.attempts), "failed": str(miss),
                             "model_s": sum(a.seconds for a in miss.attempts),
                             "total_s": time.perf_counter() - began})
                continue
            ended = time.perf_counter()
            model_s = sum(a["seconds"] for a in made.attempts)
            sandbox = made.timings
            rows.append({
                "prompt": prompt, "attempts": len(made.attempts), "model_s": model_s,
                "sandbox_ms": sandbox.get("total_ms", 0.0), "run_ms": sandbox.get("run_ms", 0.0),
                "validate_ms": sandbox.get("validate_ms", 0.0), "export_ms": sandbox.get("export_ms", 0.0),
                "build_s": sandbox.get("build_s", 0.0), "checks_ms": sandbox.get("checks_s", 0.0) * 1000,
                "candidates": int(sandbox.get("candidates", 0)),
                "facts_met": sum(1 for f in made.facts if f.get("met")), "facts": len(made.facts),
                "save_ms": (ended - marks.get("saving", ended)) * 1000, "total_s": ended - began,
            })
        engine.close()
    adapter = getattr(backend, "adapter", None)
    model = f"{backend.model_id} + {Path(adapter).name}" if adapter else backend.model_id
    totals = [r["total_s"] for r in rows]
    lines = [f"model: {model}; model load {load_s:.2f} s", "",
             "| prompt | answers / built | facts met | model s | builds s | sandbox ms of the part (run / "
             "validate / export) | checks ms | save ms | total s |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        if "failed" in r:
            lines.append(f"| {r['prompt'][:40]} | {r['attempts']} | | {r['model_s']:.2f} | | no part | | | "
                         f"{r['total_s']:.2f} |")
            continue
        lines.append(f"| {r['prompt'][:40]} | {r['attempts']} / {r['candidates']} | "
                     f"{r['facts_met']} of {r['facts']} | {r['model_s']:.2f} | {r['build_s']:.2f} | "
                     f"{r['sandbox_ms']:.0f} ({r['run_ms']:.0f} / {r['validate_ms']:.0f} / "
                     f"{r['export_ms']:.0f}) | {r['checks_ms']:.1f} | {r['save_ms']:.1f} | "
                     f"{r['total_s']:.2f} |")
    share = statistics.mean(r["model_s"] / r["total_s"] for r in rows)
    p50 = statistics.median(totals)
    failed = [r["prompt"] for r in rows if "failed" in r]
    lines += ["", f"Prompt to part, p50 over every prompt (the first included): {p50:.2f} s; "
              f"the first prompt {totals[0]:.2f} s.",
              f"The model's share of the end-to-end time: {share:.0%}."]
    if failed:
        lines.append(f"No part for {len(failed)} of {len(rows)} prompts: " + "; ".join(failed) + ".")
    write("pipeline", {"model": model, "load_s": load_s, "runs": rows, "total_p50_s": p50,
                       "first_s": totals[0], "failed": failed}, "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
