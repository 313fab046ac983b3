"""What the command line prints: parts, entries, history tables, the model catalog, JSON.

Rendering lives here so the commands in `partsmith.cli.main` stay thin. Tables go to a terminal;
when the output is piped, rows are printed whole, one a line with tab-separated fields (a table
would wrap long prompts at 80 columns), and `--json` prints the records themselves.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.status import Status
from rich.table import Table

from partsmith.client import facts as fact_lines
from partsmith.history.entry import Entry
from partsmith.progress import Progress

out = Console()
err = Console(stderr=True, soft_wrap=True)  # a message is one line, however narrow the pipe


def note(text: str) -> None:
    err.print(f"[yellow]note:[/] {text}", highlight=False)


def error(message: str, hint: str | None) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    if hint:
        err.print(f"[dim]{hint}[/]", highlight=False)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


def rows(columns: Sequence[str], values: Iterable[Sequence[str]], *, wrap_last: bool = True) -> None:
    """A table in a terminal; tab-separated whole lines when piped."""
    if not out.is_terminal:
        for row in values:
            sys.stdout.write("\t".join(v.replace("\t", " ").replace("\n", " ") for v in row) + "\n")
        return
    table = Table()
    for index, column in enumerate(columns):
        table.add_column(column, no_wrap=not (wrap_last and index == len(columns) - 1))
    for row in values:
        table.add_row(*row)
    out.print(table)


def part(size: Sequence[float] | None, volume: float, parameters: dict[str, Any],
         files: dict[str, Any], warnings: Sequence[str], facts: Sequence[dict[str, Any]] = ()) -> None:
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")  # a path wraps whole rather than losing its end to "…"
    table.add_row("size", " x ".join(f"{v:.4g}" for v in (size or [0, 0, 0])) + " mm")
    table.add_row("volume", f"{volume:.6g} mm³")
    for name, value in parameters.items():
        table.add_row(f"  {name}", str(value))
    for fmt, path in files.items():
        table.add_row(fmt.upper(), str(path))
    out.print(table)
    said = {"facts": list(facts), "warnings": list(warnings)}
    if facts:
        out.print("[bold]what the prompt states[/]", highlight=False)
    for fact, text in zip(facts, fact_lines.lines(said), strict=True):
        out.print(f"  [{'green' if fact.get('met') else 'red'}]{escape(text)}[/]", highlight=False)
    for warning in fact_lines.other_warnings(said):
        out.print(f"[yellow]warning:[/] {warning}", highlight=False)


def entry(made: Entry, files: dict[str, Path | str]) -> None:
    """An entry as the user wants it after a generation: what, where, and any warnings."""
    how = f"{made.model}, {made.route} route" if made.model else f"{made.route}, no model"
    tries = f", {len(made.attempts)} attempt(s)" if made.attempts else ""
    out.print(f"[bold]{made.prompt}[/]  [dim]({how}{tries})[/]", highlight=False)
    part(made.size, made.volume, made.parameters, files, made.warnings, made.facts)
    out.print(f"[dim]history id {made.id}[/]", highlight=False)


def entry_detail(shown: Entry, files: dict[str, Path]) -> None:
    """`history show`: the whole entry, its script included."""
    out.print(f"[bold]{shown.id}[/]  {shown.when}  {shown.status}  ({shown.host}, "
              f"{shown.route or '-'}, {shown.model or 'no model'})", highlight=False)
    out.print(shown.prompt, highlight=False)
    if shown.like:
        out.print(f"like {shown.like}", highlight=False)
    if shown.error:
        err.print(f"[red]{shown.error.get('message')}[/]", highlight=False)
    part(shown.size, shown.volume, shown.parameters, files, shown.warnings, shown.facts)
    if shown.script:
        from rich.syntax import Syntax

        out.print(Syntax(shown.script, "python", line_numbers=True))


def entry_json(shown: Entry, files: dict[str, Path] | None = None) -> dict[str, Any]:
    data = asdict(shown)
    if files is not None:
        data["files"] = {fmt: str(path) for fmt, path in files.items()}
    return data


def when(created: float) -> str:
    return datetime.fromtimestamp(created).strftime("%Y-%m-%d %H:%M")


class TaskBar:
    """A progress bar over tasks, with a line for each finished one (`partsmith eval`)."""

    def __init__(self, title: str, total: int, completed: int) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), console=err)
        self.bar = self.progress.add_task(title, total=total, completed=completed)

    def __enter__(self) -> TaskBar:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def done(self, row: dict[str, Any]) -> None:
        iou = f"IoU {row['iou']:.3f}" if row.get("iou") is not None else (row.get("error") or "")[:60]
        self.progress.console.print(f"{row['id']}: {'ok' if row['made'] else 'no part'} {iou}",
                                    highlight=False)
        self.progress.advance(self.bar)


def checks(results: Sequence[Any], title: str) -> None:
    """`partsmith doctor`'s table."""
    table = Table(title=title, show_lines=False)
    table.add_column("check")
    table.add_column("")
    table.add_column("details")
    for check in results:
        mark = "[green]ok[/]" if check.ok else ("[yellow]--[/]" if check.optional else "[red]FAIL[/]")
        detail = check.detail + (f"\n[dim]fix: {check.fix}[/]" if check.fix and not check.ok else "")
        table.add_row(check.name, mark, detail)
    out.print(table)


class ProgressLine:
    """The one status line a generation shows on stderr while it runs."""

    def __init__(self) -> None:
        self.status = Status("starting", console=err)

    def __enter__(self) -> ProgressLine:
        self.status.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.status.stop()

    def __call__(self, progress: Progress) -> None:
        rate = f", {progress.tokens_per_second:.0f} tok/s" if progress.tokens_per_second else ""
        tokens = f", {progress.tokens} tokens" if progress.tokens else ""
        self.status.update(f"{progress.stage} (attempt {progress.attempt}{tokens}{rate})")
