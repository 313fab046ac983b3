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
    prompt: Annotated[str, typer.Argument(help="The part, in words, with its sizes.")],
    model: Annotated[str | None, typer.Option(help="Catalog id or .gguf path (default: auto).")] = None,
    out: Annotated[Path | None, typer.Option(help="Also copy the files to this folder.")] = None,
    route: Annotated[str | None, typer.Option(help="structured or code (default: by model).")] = None,
) -> None:
    """Make a part from a prompt: local model, sandbox, STEP / STL / GLB."""

    def action() -> None:
        from rich.status import Status

        from partsmith.config import get_settings
        from partsmith.embed import preload
        from partsmith.llm.backends import open_backend
        from partsmith.pipeline import Generator, Progress, check_prompt
        from partsmith.sandbox import SandboxPool

        check_prompt(prompt)
        settings = get_settings()
        if route not in {None, "structured", "code"}:
            raise InputError(f"--route must be structured or code, not {route!r}")
        status = Status("loading the model", console=errors)
        status.start()
        preload()  # the router's embedder loads while the model does
        try:
            backend = open_backend(settings.llm, model, notify=lambda note: errors.print(
                f"[yellow]note:[/] {note}", highlight=False))

            def show(progress: Progress) -> None:
                rate = f", {progress.tokens_per_second:.0f} tok/s" if progress.tokens_per_second else ""
                tokens = f", {progress.tokens} tokens" if progress.tokens else ""
                status.update(f"{progress.stage} (attempt {progress.attempt}{tokens}{rate})")

            with SandboxPool() as pool:
                generator = Generator(backend, pool, max_attempts=settings.llm.max_attempts)
                result = generator.generate(prompt, route=route, out_dir=out, on_progress=show)
        finally:
            status.stop()
        meta = result.to_meta()
        console.print(f"[bold]{result.prompt}[/]  [dim]({result.model}, {result.route} route, "
                      f"{len(result.attempts)} attempt(s), {meta['timings']['generate_s']:.1f} s)[/]",
                      highlight=False)
        print_part(meta)

    guarded(action)


models_app = typer.Typer(help="The model catalog: list, download, remove.", no_args_is_help=True)
app.add_typer(models_app, name="models")


@models_app.command("list")
def models_list() -> None:
    """The catalog, with what is downloaded and what fits this machine."""

    def action() -> None:
        from partsmith.llm import catalog

        table = Table()
        for column in ("id", "model", "size", "needs", "licence", "here", "good for"):
            table.add_column(column)
        for info in catalog.catalog().values():
            here = "embedded" if info.embedded else ("yes" if catalog.local_path(info) else "")
            needs = f"{info.vram_gb:g} GB GPU / {info.ram_gb:g} GB RAM"
            table.add_row(info.id, info.name, f"{info.size_gb:g} GB", needs, info.licence, here,
                          info.good_for)
        console.print(table)

    guarded(action)


@models_app.command("pull")
def models_pull(model_id: Annotated[str, typer.Argument(help="A catalog id.")]) -> None:
    """Download a model (resumes an interrupted download; honours HF_TOKEN)."""

    def action() -> None:
        from partsmith.llm import catalog

        path = catalog.pull(catalog.get(model_id))
        console.print(f"{model_id}: {path}")

    guarded(action)


@models_app.command("rm")
def models_rm(model_id: Annotated[str, typer.Argument(help="A catalog id.")]) -> None:
    """Remove a downloaded model from the cache."""

    def action() -> None:
        from partsmith.llm import catalog

        freed = catalog.remove(catalog.get(model_id))
        console.print(f"{model_id}: removed, {freed / 1e9:.2f} GB freed")

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


def main() -> None:
    """Entry point of the `partsmith` command."""
    app()


if __name__ == "__main__":
    main()
