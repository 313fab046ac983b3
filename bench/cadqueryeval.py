"""Generation measured on CadQueryEval (the copy in ../shared/evals/cadqueryeval) with the model the
settings choose (the embedded one by default), through `partsmith eval`; and the harness checking
itself in oracle mode on our own JSONL set. Summaries go to bench/results/eval-*.

    python -m bench.cadqueryeval [TASKS] [--model ID]
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

from typer.testing import CliRunner

from bench.common import RESULTS, write
from partsmith.cli import app

DEFAULT_TASKS = Path(__file__).resolve().parents[2] / "shared" / "evals" / "cadqueryeval"
ORACLE = Path(__file__).resolve().parent / "evals" / "oracle" / "tasks.jsonl"


def _run(name: str, args: list[str]) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / name
        result = CliRunner().invoke(app, ["eval", *args, "--out", str(out)])
        if result.exit_code != 0:
            raise SystemExit(result.output)
        summary: dict[str, object] = json.loads((out / "summary.json").read_text())
        RESULTS.mkdir(exist_ok=True)
        shutil.copyfile(out / "chart.png", RESULTS / f"{name}.png")
        write(name, {"summary": summary}, (out / "results.md").read_text())
    return summary


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tasks", nargs="?", type=Path, default=DEFAULT_TASKS)
    parser.add_argument("--model", default=None)
    args = parser.parse_args(argv)
    _run("eval-oracle", [str(ORACLE), "--oracle"])
    if args.tasks.exists():
        _run("eval-cadqueryeval", [str(args.tasks), *(["--model", args.model] if args.model else [])])
    else:
        print(f"{args.tasks} is not here: CadQueryEval skipped")


if __name__ == "__main__":
    main()
