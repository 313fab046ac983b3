"""The `partsmith` command. Thin: it parses, calls one engine function, and prints.

A `PartsmithError` becomes its message and exit code 1, never a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from partsmith import __version__
from partsmith.errors import InputError, PartsmithError

app = typer.Typer(
    name="partsmith",
    help="Text to CAD on your own machine.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
errors = Console(stderr=True)
T = TypeVar("T")


def guarded(action: Callable[[], T]) -> T:
    """Run `action`; show a user-facing error as a clean message and exit 1."""
    try:
        return action()
    except PartsmithError as exc:
        errors.print(f"[bold red]error:[/] {exc.message}", highlight=False)
        if exc.hint:
            errors.print(f"[dim]{exc.hint}[/]", highlight=False)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        errors.print("cancelled")
        raise typer.Exit(130) from None


def _version_callback(value: bool) -> None:
    if value:
        console.print(f"partsmith {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version_callback, is_eager=True,
                           help="Show the version and exit.")
    ] = False,
) -> None:
    """Text to CAD on your own machine."""


def parse_params(pairs: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise InputError(f"--param needs NAME=VALUE, not {pair!r}")
        params[name.strip()] = value.strip()
    return params


def print_part(meta: dict[str, Any]) -> None:
    size = meta.get("size") or [0, 0, 0]
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")  # a path wraps whole rather than losing its end to "…"
    table.add_row("size", " x ".join(f"{v:.4g}" for v in size) + " mm")
    table.add_row("volume", f"{meta.get('volume', 0):.6g} mm³")
    for name, value in (meta.get("parameters") or {}).items():
        table.add_row(f"  {name}", str(value))
    for fmt, path in (meta.get("artifacts") or {}).items():
        table.add_row(fmt.upper(), str(path))
    console.print(table)
    for warning in meta.get("warnings") or []:
        console.print(f"[yellow]warning:[/] {warning}", highlight=False)


@app.command()
def run(
    script: Annotated[Path, typer.Argument(help="A build123d or CadQuery script.")],
    param: Annotated[list[str] | None, typer.Option(
        "--param", "-p", help="Set a parameter: NAME=VALUE (repeatable).")] = None,
    out: Annotated[Path | None, typer.Option(help="Folder for the STEP, STL, GLB and meta.json.")] = None,
    timeout: Annotated[float | None, typer.Option(help="Seconds before the script is stopped.")] = None,
) -> None:
    """Run a part script in the sandbox and export STEP, STL and GLB."""

    def action() -> None:
        from partsmith.sandbox import SandboxPool

        try:
            source = script.read_text()
        except OSError as exc:
            raise InputError(f"cannot read {script}: {exc.strerror}") from None
        params = parse_params(param or [])
        with SandboxPool() as pool:
            job_dir = out.resolve() if out else None
            result = pool.run(source, params=params, job_dir=job_dir, timeout_s=timeout)
        meta = result.to_meta()
        (result.job_dir / "meta.json").write_text(json.dumps(meta, indent=2))
        print_part(meta)

    guarded(action)


@app.command()
def generate(
    prompt: Annotated[str, typer.Argument(help="The part, in words, with its sizes.")] = "",
    model: Annotated[str | None, typer.Option(help="Catalog id or .gguf path (default: auto).")] = None,
    out: Annotated[Path | None, typer.Option(help="Also copy the files to this folder.")] = None,
    route: Annotated[str | None, typer.Option(help="structured or code (default: per prompt).")] = None,
    like: Annotated[str | None, typer.Option(
        help="Start from an earlier part: last, an id, or words that describe it.")] = None,
    again: Annotated[bool, typer.Option(
        "--again", help="Another variant of the prompt (or of the last prompt).")] = False,
) -> None:
    """Make a part from a prompt: local model, sandbox, STEP / STL / GLB, saved in the history."""

    def action() -> None:
        from rich.status import Status

        from partsmith.embed import preload
        from partsmith.engine import Engine
        from partsmith.pipeline import Progress, check_prompt

        if not again:
            check_prompt(prompt)
        if route not in {None, "structured", "code"}:
            raise InputError(f"--route must be structured or code, not {route!r}")
        status = Status("starting", console=errors)
        status.start()
        preload()  # the router's embedder loads while the model does
        engine = Engine(notify=lambda note: errors.print(f"[yellow]note:[/] {note}", highlight=False))

        def show(progress: Progress) -> None:
            rate = f", {progress.tokens_per_second:.0f} tok/s" if progress.tokens_per_second else ""
            tokens = f", {progress.tokens} tokens" if progress.tokens else ""
            status.update(f"{progress.stage} (attempt {progress.attempt}{tokens}{rate})")

        try:
            entry = engine.generate(prompt, model=model, route=route, like=like, again=again,
                                    out_dir=out, on_progress=show)
        finally:
            status.stop()
            engine.close()
        print_entry(engine, entry, out)

    guarded(action)


@app.command()
def rerun(
    entry_id: Annotated[str, typer.Argument(help="A history id (or last).")],
    param: Annotated[list[str] | None, typer.Option(
        "--param", "-p", help="Set a parameter: NAME=VALUE (repeatable).")] = None,
    out: Annotated[Path | None, typer.Option(help="Also write the files to this folder.")] = None,
) -> None:
    """Run an earlier part's script again with new parameter values (no model)."""

    def action() -> None:
        from partsmith.engine import Engine

        engine = Engine()
        try:
            entry = engine.rerun(entry_id, parse_params(param or []), out_dir=out)
        finally:
            engine.close()
        print_entry(engine, entry, out)

    guarded(action)


def print_entry(engine: Any, entry: Any, out: Path | None = None) -> None:
    """An entry as the user wants it after a generation: what, where (the --out folder when one
    was given, else the history's copy), and any warnings."""
    how = f"{entry.model}, {entry.route} route" if entry.model else f"{entry.route}, no model"
    tries = f", {len(entry.attempts)} attempt(s)" if entry.attempts else ""
    console.print(f"[bold]{entry.prompt}[/]  [dim]({how}{tries})[/]", highlight=False)
    artifacts = {fmt: str(out / name) if out else str(engine.history.path(entry, fmt))
                 for fmt, name in entry.artifacts.items()}
    print_part({"size": entry.size, "volume": entry.volume, "parameters": entry.parameters,
                "artifacts": artifacts, "warnings": entry.warnings})
    console.print(f"[dim]history id {entry.id}[/]", highlight=False)


models_app = typer.Typer(help="The model catalog: list, download, remove.", no_args_is_help=True)
app.add_typer(models_app, name="models")


@models_app.command("list")
def models_list() -> None:
    """The catalog, with what is downloaded and what fits this machine."""

    def action() -> None:
        from partsmith.llm import model_catalog

        table = Table()
        for column in ("id", "model", "size", "needs", "licence", "here", "good for"):
            table.add_column(column)
        for info in model_catalog.catalog().values():
            here = "embedded" if info.embedded else ("yes" if model_catalog.local_path(info) else "")
            needs = f"{info.vram_gb:g} GB GPU / {info.ram_gb:g} GB RAM"
            table.add_row(info.id, info.name, f"{info.size_gb:g} GB", needs, info.licence, here,
                          info.good_for)
        console.print(table)

    guarded(action)


@models_app.command("pull")
def models_pull(model_id: Annotated[str, typer.Argument(help="A catalog id.")]) -> None:
    """Download a model (resumes an interrupted download; honours HF_TOKEN)."""

    def action() -> None:
        from partsmith.llm import model_catalog

        path = model_catalog.pull(model_catalog.get(model_id))
        console.print(f"{model_id}: {path}")

    guarded(action)


@models_app.command("rm")
def models_rm(model_id: Annotated[str, typer.Argument(help="A catalog id.")]) -> None:
    """Remove a downloaded model from the cache."""

    def action() -> None:
        from partsmith.llm import model_catalog

        freed = model_catalog.remove(model_catalog.get(model_id))
        console.print(f"{model_id}: removed, {freed / 1e9:.2f} GB freed")

    guarded(action)


history_app = typer.Typer(help="Every part made: list, search, show, remove, reindex, export.",
                          no_args_is_help=True)
app.add_typer(history_app, name="history")


def _history() -> Any:
    from partsmith.config import get_settings
    from partsmith.history import History

    return History.from_settings(get_settings())


@history_app.command("list")
def history_list(
    limit: Annotated[int, typer.Option(help="How many, newest first.")] = 20,
    failed: Annotated[bool, typer.Option("--failed", help="Only the failures.")] = False,
) -> None:
    """The newest entries."""

    def action() -> None:
        history = _history()
        table = Table()
        for column in ("id", "when", "status", "host"):
            table.add_column(column, no_wrap=True)
        table.add_column("prompt")
        from datetime import datetime

        for row in history.newest(limit, status="failed" if failed else None):
            when = datetime.fromtimestamp(row.created).strftime("%Y-%m-%d %H:%M")
            table.add_row(row.id, when, row.status, row.host, row.prompt[:70])
        console.print(table)
        console.print(f"[dim]{history.count()} entries in {history.folder}[/]", highlight=False)

    guarded(action)


@history_app.command("search")
def history_search(
    query: Annotated[str, typer.Argument(help="Words that describe the part.")],
    limit: Annotated[int, typer.Option(help="How many.")] = 5,
) -> None:
    """The entries whose prompts mean the closest thing to QUERY."""

    def action() -> None:
        history = _history()
        table = Table()
        for column in ("id", "similarity", "status"):
            table.add_column(column, no_wrap=True)
        table.add_column("prompt")
        for hit in history.search(query, limit):
            entry = history.get(hit.id)
            table.add_row(hit.id, f"{1 - hit.distance:.2f}", hit.status, entry.prompt[:70])
        console.print(table)

    guarded(action)


@history_app.command("show")
def history_show(entry_id: Annotated[str, typer.Argument(help="An id, its start, or last.")]) -> None:
    """One entry: prompt, parameters, files, attempts, script."""

    def action() -> None:
        history = _history()
        entry = history.resolve(entry_id) if entry_id == "last" else history.get(entry_id)
        console.print(f"[bold]{entry.id}[/]  {entry.when}  {entry.status}  ({entry.host}, "
                      f"{entry.route or '-'}, {entry.model or 'no model'})", highlight=False)
        console.print(entry.prompt, highlight=False)
        if entry.like:
            console.print(f"like {entry.like}", highlight=False)
        if entry.error:
            errors.print(f"[red]{entry.error.get('message')}[/]", highlight=False)
        artifacts = {fmt: str(history.folder / entry.id / name) for fmt, name in entry.artifacts.items()}
        print_part({"size": entry.size or [0, 0, 0], "volume": entry.volume,
                    "parameters": entry.parameters, "artifacts": artifacts, "warnings": entry.warnings})
        if entry.script:
            from rich.syntax import Syntax

            console.print(Syntax(entry.script, "python", line_numbers=True))

    guarded(action)


@history_app.command("rm")
def history_rm(entry_ids: Annotated[list[str], typer.Argument(help="One or more ids.")]) -> None:
    """Remove entries and their files."""

    def action() -> None:
        history = _history()
        for entry_id in entry_ids:
            history.remove(entry_id)
            console.print(f"removed {entry_id}")

    guarded(action)


@history_app.command("reindex")
def history_reindex() -> None:
    """Rebuild the time catalog and the search index from the entry folders."""

    def action() -> None:
        count = _history().reindex()
        console.print(f"reindexed {count} entries")

    guarded(action)


@history_app.command("export")
def history_export(
    target: Annotated[Path, typer.Argument(help="The zip file to write.")],
    entry_ids: Annotated[list[str] | None, typer.Argument(help="Ids (default: all).")] = None,
) -> None:
    """Write entries (meta.json, script, STEP, STL, GLB, thumbnail) into one zip file."""

    def action() -> None:
        count = _history().export(target, entry_ids or None)
        console.print(f"{count} entries written to {target}")

    guarded(action)


@app.command("eval")
def evaluate(
    tasks: Annotated[Path, typer.Argument(help="A CadQueryEval folder or a .jsonl file of tasks.")],
    model: Annotated[str | None, typer.Option(help="Catalog id or .gguf path (default: auto).")] = None,
    backend: Annotated[str | None, typer.Option(help="local or remote (default: the settings').")] = None,
    attempts: Annotated[int | None, typer.Option(help="Attempts per task, repairs included.")] = None,
    out: Annotated[Path | None, typer.Option(help="Results folder (default: eval-results/NAME).")] = None,
    oracle: Annotated[bool, typer.Option(
        "--oracle", help="Run each task's reference_script instead of a model: checks the harness.")] = False,
    limit: Annotated[int | None, typer.Option(help="Only the first N tasks.")] = None,
) -> None:
    """Score generation on text-to-CAD tasks: valid solid, bounding box, volume, IoU, Chamfer.

    Resumable: run it again with the same --out and finished tasks are skipped.
    """

    def action() -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        from partsmith.config import get_settings
        from partsmith.evaluate import report
        from partsmith.evaluate.run import done_ids, evaluate
        from partsmith.evaluate.tasks import load
        from partsmith.pipeline import Generator
        from partsmith.sandbox import SandboxPool

        chosen = load(tasks)[:limit] if limit else load(tasks)
        settings = get_settings()
        if backend is not None:
            if backend not in {"local", "remote"}:
                raise InputError(f"--backend must be local or remote, not {backend!r}")
            settings.llm.backend = backend  # type: ignore[assignment]
        name = tasks.stem if tasks.is_file() else tasks.name
        with SandboxPool() as pool:
            generator = None
            model_id = "reference scripts"
            if not oracle:
                from partsmith.llm.backends import open_backend

                loaded = open_backend(settings.llm, model, notify=lambda note: errors.print(
                    f"[yellow]note:[/] {note}", highlight=False))
                generator = Generator(loaded, pool, max_attempts=attempts or settings.llm.max_attempts)
                model_id = loaded.model_id
            target = out or Path("eval-results") / f"{name}-{'oracle' if oracle else model_id}"
            skipped = len(done_ids(target) & {t.id for t in chosen})
            columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                       TimeElapsedColumn())
            with Progress(*columns, console=errors) as progress:
                bar = progress.add_task(f"{name}: {model_id}", total=len(chosen), completed=skipped)

                def show(row: dict[str, Any]) -> None:
                    iou = f"IoU {row['iou']:.3f}" if row.get("iou") is not None \
                        else (row.get("error") or "")[:60]
                    progress.console.print(f"{row['id']}: {'ok' if row['made'] else 'no part'} {iou}",
                                           highlight=False)
                    progress.advance(bar)

                rows = evaluate(chosen, target, pool=pool, generator=generator, on_row=show)
        summary = report.write(target, rows, {"mode": "oracle" if oracle else "model", "model": model_id,
                                              "source": str(tasks)})
        console.print(report.table(rows, summary).split("\n\n", 1)[0], highlight=False)
        console.print(f"[dim]{target / 'results.md'}, {target / 'summary.json'}, {target / 'chart.png'}[/]",
                      highlight=False)

    guarded(action)


@app.command()
def serve(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (default: a free one).")] = 0,
    model: Annotated[str | None, typer.Option(help="Catalog id or .gguf path to keep loaded.")] = None,
) -> None:
    """Run the engine for Blender and FreeCAD: a local HTTP service with a token."""

    def action() -> None:
        from partsmith.config import get_settings
        from partsmith.service import discovery
        from partsmith.service.server import serve as run_service

        home = get_settings().home

        def ready(info: dict[str, Any]) -> None:
            errors.print(f"Partsmith engine {info['version']} on {info['url']} "
                         f"(discovery file {discovery.path(home)}); Ctrl+C stops it", highlight=False)

        run_service(port, model=model, on_ready=ready)

    guarded(action)


@app.command()
def doctor(
    quick: Annotated[bool, typer.Option(help="Skip the sandbox test job.")] = False,
) -> None:
    """Check this machine: Python, CAD libraries, llama.cpp and GPU, models, Blender, FreeCAD."""
    from partsmith import doctor as checks

    def action() -> None:
        results = checks.run_checks(include_sandbox=not quick)
        table = Table(title=f"Partsmith {__version__}", show_lines=False)
        table.add_column("check")
        table.add_column("")
        table.add_column("details")
        for check in results:
            mark = "[green]ok[/]" if check.ok else ("[yellow]--[/]" if check.optional else "[red]FAIL[/]")
            detail = check.detail + (f"\n[dim]fix: {check.fix}[/]" if check.fix and not check.ok else "")
            table.add_row(check.name, mark, detail)
        console.print(table)
        if any(not c.ok and not c.optional for c in results):
            raise typer.Exit(1)

    guarded(action)


Program = Annotated[str, typer.Argument(help="blender or freecad.")]
BlenderPath = Annotated[Path | None, typer.Option("--blender", help="The Blender program to use.")]
FreeCADPath = Annotated[Path | None, typer.Option("--freecad", help="The FreeCAD (or FreeCADCmd) program.")]


def _say(line: str) -> None:
    console.print(line, highlight=False, soft_wrap=True)


@app.command()
def install(program: Program, blender: BlenderPath = None, freecad: FreeCADPath = None) -> None:
    """Put the add-on into Blender or the workbench into FreeCAD, set to start this engine."""
    from partsmith import install as installer

    guarded(lambda: installer.install(program, blender if program == "blender" else freecad, say=_say))


@app.command()
def uninstall(program: Program, blender: BlenderPath = None, freecad: FreeCADPath = None) -> None:
    """Remove the add-on from Blender or the workbench from FreeCAD."""
    from partsmith import install as installer

    guarded(lambda: installer.uninstall(program, blender if program == "blender" else freecad, say=_say))


def main() -> None:
    """Entry point of the `partsmith` command."""
    app()


if __name__ == "__main__":
    main()
