"""Disk use over 100 generations: the job folders must not grow (only the history does).

A scripted model answers each prompt with a mix real models produce (a script error, a part of
the wrong size, the right part; every fourth prompt fails outright), through the real sandbox and
history. After every generation the jobs folder and the history folder are measured.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench.common import write
from partsmith.config import Settings
from partsmith.engine.engine import Engine
from partsmith.errors import PartsmithError
from partsmith.model.scripted import ScriptedBackend

GENERATIONS = 100
GOOD = "```python\nfrom build123d import *\nlength = 40  # mm\nresult = Box(length, 30, 5)\n```"
WRONG = "```python\nfrom build123d import *\nresult = Box(40, 30, 10)\n```"
TYPO = "```python\nfrom build123d import *\nresult = Bx(40, 30, 5)\n```"
PROMPT = "a 40 x 30 x 5 mm name tag"


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.exists() else 0


def main() -> None:
    answers = []
    for index in range(GENERATIONS):
        answers += [TYPO, TYPO, TYPO] if index % 4 == 3 else [TYPO, WRONG, GOOD]
    with tempfile.TemporaryDirectory() as scratch:
        settings = Settings(home=Path(scratch))
        engine = Engine(settings, backend=ScriptedBackend(answers))
        jobs, history = [], []
        failed = 0
        try:
            for _ in range(GENERATIONS):
                try:
                    engine.generate(PROMPT)
                except PartsmithError:
                    failed += 1
                jobs.append(_size(settings.jobs_dir))
                history.append(_size(settings.history_dir))
        finally:
            engine.close()
    figures = {"generations": GENERATIONS, "failed": failed, "attempts": len(answers),
               "jobs_bytes_max": max(jobs), "jobs_bytes_final": jobs[-1],
               "history_bytes_final": history[-1],
               "history_bytes_per_entry": history[-1] / GENERATIONS}
    table = (
        f"| after {GENERATIONS} generations ({len(answers)} attempts, {failed} failed) | bytes |\n"
        "|---|---|\n"
        f"| jobs folder, largest seen | {figures['jobs_bytes_max']:,} |\n"
        f"| jobs folder, at the end | {figures['jobs_bytes_final']:,} |\n"
        f"| history folder, at the end | {figures['history_bytes_final']:,} |\n"
    )
    write("disk", figures, table)


if __name__ == "__main__":
    main()
