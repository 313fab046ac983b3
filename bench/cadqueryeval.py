"""Generation measured on CadQueryEval (the copy in ../shared/evals/cadqueryeval) with the model the
settings choose (the embedded one by default), through `partsmith eval`; the same model on the simple
prompts of our own JSONL set; and the harness checking itself in oracle mode on that set.
Summaries go to bench/results/eval-*.

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
from partsmith.cli.main import app


def _shared_tasks() -> Path:
    """shared/evals/cadqueryeval beside the checkout, or beside a folder above it."""
    root = Path(__file__).resolve().parents[1]
    for base in (root, *root.parents):
        folder = base / "shared" / "evals" / "cadqueryeval"
        if folder.is_dir():
            return folder
    return root.parent / "shared" / "evals" / "cadqueryeval"


DEFAULT_TASKS = _shared_tasks()
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
    parser.add_argument("--attempts", type=int, default=None, help="attempts per task (default: settings)")
    parser.add_argument("--skip-oracle", action="store_true")
    args = parser.parse_args(argv)
    model = ["--model", args.model] if args.model else []
    if args.attempts:
        model += ["--attempts", str(args.attempts)]
    if not args.skip_oracle:
        _run("eval-oracle", [str(ORACLE), "--oracle"])
    if args.tasks.exists():
        _run("eval-cadqueryeval", [str(args.tasks), *model])
    else:
        print(f"{args.tasks} is not here: CadQueryEval skipped")
    # The model on the simple prompts of our own set (the oracle's tasks, written by the model).
    _run("eval-simple", [str(ORACLE), *model])


if __name__ == "__main__":
    main()
