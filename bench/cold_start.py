"""The first Generate of a front end on a machine where no engine runs: from the click to the part,
by the stages the user sees in the panel, as Blender and FreeCAD drive it (the standard-library
client and its background task, the engine started with the front ends' command, a fresh data
folder each round, the embedded model).

Run as `python -m bench.cold_start [LABEL]`: it measures the engine and client on `sys.path`, so a
baseline in the same session is the same command with an older checkout's `core/` first on
PYTHONPATH. Figures go to bench/results/cold-start-LABEL.json; the Markdown table puts every label
measured side by side.
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.common import write
from partsmith.client import background
from partsmith.client.client import Client

PROMPT = "a 100 x 60 x 5 mm plate with four 6 mm holes 6 mm from the corners"
ROUNDS = 3
RESULTS = Path(__file__).parent / "results"


def _round(home: Path) -> dict[str, object]:
    client = Client(home=home, start_command=f"{sys.executable} -m partsmith serve", timeout_s=30)
    clicked = time.perf_counter()
    task = background.start(background.job(client, "generate", {"prompt": PROMPT, "host": "freecad"},
                                           wait_s=300))
    stages: list[list[object]] = []
    while True:
        now = task.snapshot()
        stage = (now.job or {}).get("stage") or now.stage
        if not stages or stages[-1][0] != stage:
            stages.append([stage, time.perf_counter() - clicked])
        if now.over:
            break
        time.sleep(0.02)
    total = time.perf_counter() - clicked
    ended = background.outcome(now)
    by_stage: dict[str, float] = {}
    for (stage, start), (_, end) in zip(stages, [*stages[1:], ["", total]], strict=True):
        by_stage[str(stage)] = by_stage.get(str(stage), 0.0) + float(end) - float(start)  # type: ignore[arg-type]
    info = json.loads((home / "engine.json").read_text()) if (home / "engine.json").exists() else None
    if info is not None:
        os.kill(int(info["pid"]), signal.SIGTERM)
        if client.started is not None:
            client.started.wait(60)
    return {"ok": ended.ok, "total_s": round(total, 2),
            "stages_s": {k: round(v, 2) for k, v in by_stage.items()}}


def main(label: str = "now") -> None:
    rounds = []
    for _ in range(ROUNDS):
        with tempfile.TemporaryDirectory(prefix="partsmith-cold-") as folder:
            rounds.append(_round(Path(folder)))
    totals = [float(r["total_s"]) for r in rounds]  # type: ignore[arg-type]
    data = {"label": label, "prompt": PROMPT, "rounds": rounds,
            "total_p50_s": round(statistics.median(totals), 2)}
    (RESULTS / f"cold-start-{label}.json").write_text(json.dumps(data, indent=2) + "\n")
    measured = [json.loads(p.read_text()) for p in sorted(RESULTS.glob("cold-start-*.json"))]
    lines = ["First Generate on a machine with no engine running (click to part, median of "
             f"{ROUNDS} rounds, fresh data folder each)", "",
             "| code | click to part p50 (s) | stages the panel showed, seconds each (first round) |",
             "|---|---|---|"]
    for one in measured:
        stages = ", ".join(f"{k} {v:g}" for k, v in one["rounds"][0]["stages_s"].items())
        lines.append(f"| {one['label']} | {one['total_p50_s']:g} | {stages} |")
    write("cold-start", {"labels": [m["label"] for m in measured]}, "\n".join(lines) + "\n")


if __name__ == "__main__":
    main(*sys.argv[1:2])
