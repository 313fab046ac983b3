"""The command line as a user meets it: `partsmith generate` as whole processes, in a row.

The first call finds no engine and starts one in the background (imports, the embedder, the
model and its prompt head, a sandbox worker); every later call sends its prompt to that engine.
Each round starts from no engine, times the first and the second call, and stops the engine; the
ratio second / first is the figure that holds on a noisy machine. A last row times
`partsmith generate --local` (an engine in the calling process, what every call paid before).
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import write

PARTSMITH = str(Path(sys.executable).parent / "partsmith")
PROMPT = "a 40 x 30 x 5 mm plate with four 4 mm holes 5 mm from the edges"
ROUNDS = 3


def _timed(home: Path, *args: str) -> float:
    env = {**os.environ, "PARTSMITH_HOME": str(home)}
    started = time.perf_counter()
    subprocess.run([PARTSMITH, "generate", PROMPT, *args], env=env, check=True, capture_output=True,
                   timeout=600)
    return time.perf_counter() - started


def _stop_engine(home: Path) -> None:
    info = home / "engine.json"
    if not info.exists():
        return
    pid = int(json.loads(info.read_text())["pid"])
    os.kill(pid, signal.SIGTERM)
    for _ in range(300):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)


def main() -> None:
    first, second, local = [], [], []
    for _ in range(ROUNDS):
        with tempfile.TemporaryDirectory() as scratch:
            home = Path(scratch)
            try:
                first.append(_timed(home))
                second.append(_timed(home))
            finally:
                _stop_engine(home)
            local.append(_timed(home, "--local"))
    figures = {
        "rounds": ROUNDS,
        "first_s": statistics.median(first), "second_s": statistics.median(second),
        "local_s": statistics.median(local),
        "second_over_first": statistics.median(s / f for s, f in zip(second, first, strict=True)),
        "raw": {"first": first, "second": second, "local": local},
    }
    table = (
        "| `partsmith generate`, whole process | median s |\n|---|---|\n"
        f"| first call (starts the engine in the background) | {figures['first_s']:.2f} |\n"
        f"| second call (the running engine) | {figures['second_s']:.2f} |\n"
        f"| `--local` (an engine in the calling process) | {figures['local_s']:.2f} |\n\n"
        f"Second / first: {figures['second_over_first']:.3f} (median of {ROUNDS} rounds, "
        "each from no engine; the embedded model on this machine's CPU).\n"
    )
    write("cli", figures, table)


if __name__ == "__main__":
    main()
