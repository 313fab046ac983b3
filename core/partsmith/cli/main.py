"""The `partsmith` command. Thin: each command parses, calls one function, and prints.

The work goes to an engine through `partsmith.cli.link` (the running service, or one in this
process); what is printed is rendered by `partsmith.cli.console`. A `PartsmithError` becomes its
message and exit code 1, never a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from partsmith import __version__
from partsmith.cli import console
from partsmith.errors import InputError, PartsmithError

app = typer.Typer(
    name="partsmith",
    help="Text to CAD on your own machine.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
T = TypeVar("T")


def guarded(action: Callable[[], T]) -> T:
    """Run `action`; show a user-facing error as a clean message and exit 1."""
    try:
        return action()
    except PartsmithError as exc:
        console.error(exc.message, exc.hint)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        console.err.print("cancelled")
        raise typer.Exit(130) from None


def _version_callback(value: bool) -> None:
    if value:
        console.out.print(f"partsmith {__version__}")
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


def _link(local: bool) -> Any:
    from partsmith.cli.link import open_link

    return open_link(local=local, notify=console.note)


def _show_made(link: Any, entry: Any, out: Path | None, as_json: bool) -> None:
    """After a part is made: copy it into --out when asked, and say what and where it is."""
    from partsmith.cli.link import save_outputs

    if out is not None:
        files: dict[str, Any] = save_outputs(link, entry, out)
    else:
        files = _history_files(entry)
    if as_json:
        console.print_json(console.entry_json(entry, files))
    else:
        console.entry(entry, files)


def _history_files(entry: Any) -> dict[str, Path]:
    from partsmith.config import get_settings

    folder = get_settings().history_dir / entry.id
    return {fmt: folder / name for fmt, name in entry.artifacts.items()}


LocalOption = Annotated[bool, typer.Option(
    "--local", help="Load an engine in this process instead of using (or starting) the running one.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the record as JSON.")]


@app.command()
def run(
    script: Annotated[Path, typer.Argument(help="A build123d or CadQuery script.")],
    param: Annotated[list[str] | None, typer.Option(
        "--param", "-p", help="Set a parameter: NAME=VALUE (repeatable).")] = None,
    out: Annotated[Path | None, typer.Option(help="Folder for the STEP, STL, GLB and meta.json.")] = None,
    timeout: Annotated[float | None, typer.Option(help="Seconds before the script is stopped.")] = None,
    local: LocalOption = False,
    as_json: JsonOption = False,
) -> None:
    """Run a part script in the sandbox and export STEP, STL and GLB (kept in the history)."""

    def action() -> None:
        try:
            source = script.read_text()
        except OSError as exc:
            raise InputError(f"cannot read {script}: {exc.strerror}") from None
        params = parse_params(param or [])
        link = _link(local)
        try:
            entry = link.run_script(source, params, timeout, f"{script.name} (run by hand)")
            _show_made(link, entry, out, as_json)
        finally:
            link.close()

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
    local: LocalOption = False,
    as_json: JsonOption = False,
) -> None:
    """Make a part from a prompt: local model, sandbox, STEP / STL / GLB, saved in the history.

    The work goes to the running engine (`partsmith serve`, or the one a front end started);
    with none running, one is started in the background and stays ready for the next command.
    """

    def action() -> None:
        from partsmith.prompt.validate import check_prompt

        if not again:
            check_prompt(prompt)
        if route not in {None, "structured", "code"}:
            raise InputError(f"--route must be structured or code, not {route!r}")
        link = _link(local)
        try:
            with console.ProgressLine() as show:
                entry = link.generate(prompt, model=model, route=route, like=like, again=again,
                                      on_progress=show)
            _show_made(link, entry, out, as_json)
        finally:
            link.close()

    guarded(action)


@app.command()
def rerun(
    entry_id: Annotated[str, typer.Argument(help="A history id (or last).")],
    param: Annotated[list[str] | None, typer.Option(
        "--param", "-p", help="Set a parameter: NAME=VALUE (repeatable).")] = None,
    out: Annotated[Path | None, typer.Option(help="Also write the files to this folder.")] = None,
    local: LocalOption = False,
    as_json: JsonOption = False,
) -> None:
    """Run an earlier part's script again with new parameter values (no model)."""

    def action() -> None:
        params = parse_params(param or [])
        link = _link(local)
        try:
            entry = link.rerun(entry_id, params)
            _show_made(link, entry, out, as_json)
        finally:
            link.close()

    guarded(action)


models_app = typer.Typer(help="The model catalog: list, download, remove.", no_args_is_help=True)
app.add_typer(models_app, name="models")


@models_app.command("list")
def models_list() -> None:
    """The catalog, with what is downloaded and what fits this machine."""

    def action() -> None:
        from partsmith.model import model_catalog

        listed = []
        for info in model_catalog.catalog().values():
            here = "embedded" if info.embedded else ("yes" if model_catalog.local_path(info) else "")
            needs = f"{info.vram_gb:g} GB GPU / {info.ram_gb:g} GB RAM"
            listed.append((info.id, info.name, f"{info.size_gb:g} GB", needs, info.licence, here,
                           info.good_for))
        console.rows(("id", "model", "size", "needs", "licence", "here", "good for"), listed)

    guarded(action)


@models_app.command("pull")
def models_pull(model_id: Annotated[str, typer.Argument(help="A catalog id.")]) -> None:
    """Download a model (resumes an interrupted download; honours HF_TOKEN)."""

    def action() -> None:
        from partsmith.model import model_catalog

        path = model_catalog.pull(model_catalog.get(model_id))
        console.out.print(f"{model_id}: {path}")

    guarded(action)


@models_app.command("rm")
def models_rm(model_id: Annotated[str, typer.Argument(help="A catalog id.")]) -> None:
    """Remove a downloaded model from the cache."""

    def action() -> None:
        from partsmith.model import model_catalog

        freed = model_catalog.remove(model_catalog.get(model_id))
        console.out.print(f"{model_id}: removed, {freed / 1e9:.2f} GB freed")

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
    as_json: JsonOption = False,
) -> None:
    """The newest entries."""

    def action() -> None:
        history = _history()
        listed = history.newest(limit, status="failed" if failed else None)
        if as_json:
            console.print_json([row.__dict__ for row in listed])
            return
        console.rows(("id", "when", "status", "host", "prompt"),
                     [(r.id, console.when(r.created), r.status, r.host, r.prompt) for r in listed])
        console.err.print(f"[dim]{history.count()} entries in {history.folder}[/]", highlight=False)

    guarded(action)


@history_app.command("search")
def history_search(
    query: Annotated[str, typer.Argument(help="Words that describe the part.")],
    limit: Annotated[int, typer.Option(help="How many.")] = 5,
    as_json: JsonOption = False,
) -> None:
    """The entries whose prompts mean the closest thing to QUERY."""

    def action() -> None:
        hits = _history().search(query, limit)
        if as_json:
            console.print_json([{"id": h.id, "similarity": round(1 - h.distance, 4), "status": h.status,
                                 "prompt": h.prompt} for h in hits])
            return
        console.rows(("id", "similarity", "status", "prompt"),
                     [(h.id, f"{1 - h.distance:.2f}", h.status, h.prompt) for h in hits])

    guarded(action)


@history_app.command("show")
def history_show(
    entry_id: Annotated[str, typer.Argument(help="An id, its start, or last.")],
    as_json: JsonOption = False,
) -> None:
    """One entry: prompt, parameters, files, attempts, script."""

    def action() -> None:
        history = _history()
        if entry_id == "last":  # the newest entry, made or failed: what the user just saw
            entry = history.last(ok_only=False)
            if entry is None:
                raise InputError("the history is empty", hint="make a part with `partsmith generate`")
        else:
            entry = history.get(entry_id)
        files = {fmt: history.folder / entry.id / name for fmt, name in entry.artifacts.items()}
        if as_json:
            console.print_json(console.entry_json(entry, files))
        else:
            console.entry_detail(entry, files)

    guarded(action)


@history_app.command("rm")
def history_rm(entry_ids: Annotated[list[str], typer.Argument(help="One or more ids.")]) -> None:
    """Remove entries and their files."""

    def action() -> None:
        history = _history()
        for entry_id in entry_ids:
            history.remove(entry_id)
            console.out.print(f"removed {entry_id}")

    guarded(action)


@history_app.command("reindex")
def history_reindex() -> None:
    """Rebuild the timeline and the search index from the entry folders."""

    def action() -> None:
        count = _history().reindex()
        console.out.print(f"reindexed {count} entries")

    guarded(action)


@history_app.command("export")
def history_export(
    target: Annotated[Path, typer.Argument(help="The zip file to write.")],
    entry_ids: Annotated[list[str] | None, typer.Argument(help="Ids (default: all).")] = None,
) -> None:
    """Write entries (meta.json, script, STEP, STL, GLB, thumbnail) into one zip file."""

    def action() -> None:
        count = _history().export(target, entry_ids or None)
        console.out.print(f"{count} entries written to {target}")

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
    """Score generation on text-to-CAD tasks: PASS (valid, bounding box AND volume), IoU, Chamfer.

    Resumable: run it again with the same --out and finished tasks are skipped.
    """

    def action() -> None:
        from partsmith.config import get_settings
        from partsmith.engine import assembly
        from partsmith.evaluate import report
        from partsmith.evaluate.run import done_ids, evaluate
        from partsmith.evaluate.tasks import load

        chosen = load(tasks)[:limit] if limit else load(tasks)
        settings = get_settings()
        if backend is not None:
            if backend not in {"local", "remote"}:
                raise InputError(f"--backend must be local or remote, not {backend!r}")
            settings.llm.backend = backend  # type: ignore[assignment]
        name = tasks.stem if tasks.is_file() else tasks.name
        engine = assembly.build_engine(settings, host="eval", notify=console.note)
        try:
            generator = None if oracle else engine.generator(model)
            if generator is not None and attempts:
                generator.max_attempts = attempts
                generator.candidates = max(generator.candidates, attempts)
            model_id = generator.backend.model_id if generator is not None else "reference scripts"
            target = out or Path("eval-results") / f"{name}-{'oracle' if oracle else model_id}"
            adapter = getattr(generator.backend, "adapter", None) if generator is not None else None
            if adapter is not None:
                model_id = f"{model_id} + {Path(adapter).stem}"  # the summary names what answered
            skipped = len(done_ids(target) & {t.id for t in chosen})
            with console.TaskBar(f"{name}: {model_id}", len(chosen), skipped) as bar:
                rows = evaluate(chosen, target, pool=engine.pool, generator=generator, on_row=bar.done)
        finally:
            engine.close()
        summary = report.write(target, rows, {"mode": "oracle" if oracle else "model", "model": model_id,
                                              "source": str(tasks)})
        console.out.print(report.table(rows, summary).split("\n\n", 1)[0], highlight=False)
        console.out.print(f"[dim]{target / 'results.md'}, {target / 'summary.json'}, "
                          f"{target / 'chart.png'}[/]", highlight=False)

    guarded(action)


@app.command()
def serve(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (default: a free one).")] = 0,
    model: Annotated[str | None, typer.Option(help="Catalog id or .gguf path to keep loaded.")] = None,
    idle_exit: Annotated[float | None, typer.Option(
        help="Exit after this many seconds without work (0: never). Default: never, or the "
        "setting service.idle_exit_s for an engine that Blender, FreeCAD or the command line "
        "started.")] = None,
) -> None:
    """Run the engine for Blender, FreeCAD and the command line: a local HTTP service with a token."""

    def action() -> None:
        from partsmith.config import get_settings
        from partsmith.service import discovery
        from partsmith.service.server import serve as run_service
        from partsmith.service.server import started_idle_exit

        settings = get_settings()
        home = settings.home
        idle_exit_s = idle_exit if idle_exit is not None else started_idle_exit(settings)

        def ready(info: dict[str, Any]) -> None:
            console.err.print(f"Partsmith engine {info['version']} on {info['url']} "
                              f"(discovery file {discovery.path(home)}); Ctrl+C stops it", highlight=False)

        run_service(port, model=model, on_ready=ready, idle_exit_s=idle_exit_s)

    guarded(action)


@app.command()
def doctor(
    quick: Annotated[bool, typer.Option(help="Skip the sandbox test job.")] = False,
) -> None:
    """Check this machine: Python, CAD libraries, llama.cpp and GPU, models, Blender, FreeCAD."""
    from partsmith.cli import doctor as checks

    def action() -> None:
        results = checks.run_checks(include_sandbox=not quick)
        console.checks(results, f"Partsmith {__version__}")
        if any(not c.ok and not c.optional for c in results):
            raise typer.Exit(1)

    guarded(action)


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def train(
    ctx: typer.Context,
    step: Annotated[str, typer.Argument(help="prepare, train, export, score or all.")] = "all",
) -> None:
    """Train the embedded model's part-program adapter (LoRA; resumes when interrupted).

    Needs the `train` extra (`make train` installs it). Every other option goes to
    `python -m partsmith.training` (`--steps 300`, `--batch 4`, `--base model.gguf`); see
    docs/training.md.
    """

    def action() -> None:
        import importlib.util

        missing = [name for name in ("torch", "peft", "transformers", "gguf")
                   if importlib.util.find_spec(name) is None]
        if missing:
            raise InputError(f"training needs {', '.join(missing)}, which are not installed",
                             hint="run `make train`, or pip install -e '.[train]' in this environment")
        from partsmith.training.commands import main as training

        code = training([step, *ctx.args])
        if code:
            raise typer.Exit(code)

    guarded(action)


Program = Annotated[str, typer.Argument(help="blender or freecad.")]
BlenderPath = Annotated[Path | None, typer.Option("--blender", help="The Blender program to use.")]
FreeCADPath = Annotated[Path | None, typer.Option("--freecad", help="The FreeCAD (or FreeCADCmd) program.")]


def _say(line: str) -> None:
    console.out.print(line, highlight=False, soft_wrap=True)


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

