"""The command line's way to the engine: the running service, or an engine in this process.

Both kinds of link take the same requests and answer with the same record, a history `Entry`, so
the command line does not care which it has. `RemoteLink` sends the work to `partsmith serve`
(found through `engine.json`, or started in the background); `LocalLink` (`--local`) wires an
engine here through the composition root, loading its own copy of the model.
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from partsmith.client.client import CANCELLED, FAILED, FINISHED, Client, EngineError
from partsmith.config import Settings, get_settings
from partsmith.engine import assembly
from partsmith.errors import EngineReported, InputError, StorageError
from partsmith.history.entry import Entry
from partsmith.progress import Progress, ProgressCallback

if TYPE_CHECKING:  # a client of the running engine never imports the engine itself
    from partsmith.engine.engine import Engine

POLL_S = 0.1


class Link(Protocol):
    """What the command line asks of an engine."""

    where: str  # said to the user: which engine did the work

    def generate(self, prompt: str, *, model: str | None, route: str | None, like: str | None,
                 again: bool, on_progress: ProgressCallback) -> Entry: ...

    def rerun(self, entry_id: str, params: dict[str, Any]) -> Entry: ...

    def run_script(self, script: str, params: dict[str, Any], timeout_s: float | None,
                   prompt: str) -> Entry: ...

    def file(self, entry: Entry, fmt: str, target: Path) -> Path: ...

    def close(self) -> None: ...


def open_link(local: bool = False, settings: Settings | None = None,
              notify: Any = print, start: bool = True) -> Link:
    """The running engine when there is one; else a new one in the background (`start`), or an
    engine in this process (`local`)."""
    settings = settings or get_settings()
    if local:
        return LocalLink(assembly.build_engine(settings, host="cli", notify=notify))
    client = assembly.running_engine(settings)
    if client is None:
        if not start:
            return LocalLink(assembly.build_engine(settings, host="cli", notify=notify))
        notify("starting the engine in the background (it stays ready for the next command)")
        client = assembly.start_engine(settings)
    return RemoteLink(client)


def save_outputs(link: Link, entry: Entry, out: Path) -> dict[str, Path]:
    """Copy a part's files, its script and its record (meta.json) into `out`."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        paths = {fmt: link.file(entry, fmt, out / name) for fmt, name in entry.artifacts.items()}
        if entry.script:
            (out / "script.py").write_text(entry.script)
        (out / "meta.json").write_text(entry.to_json())
    except OSError as exc:
        raise StorageError(f"cannot write the part to {out}: {exc.strerror}",
                           hint=f"the part is in the history as {entry.id}") from None
    return paths


class LocalLink:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.where = "an engine in this process"

    def generate(self, prompt: str, *, model: str | None, route: str | None, like: str | None,
                 again: bool, on_progress: ProgressCallback) -> Entry:
        return self.engine.generate(prompt, model=model, route=route, like=like, again=again,
                                    on_progress=on_progress)

    def rerun(self, entry_id: str, params: dict[str, Any]) -> Entry:
        return self.engine.rerun(entry_id, params)

    def run_script(self, script: str, params: dict[str, Any], timeout_s: float | None,
                   prompt: str) -> Entry:
        return self.engine.run_script(script, params, prompt=prompt, timeout_s=timeout_s)

    def file(self, entry: Entry, fmt: str, target: Path) -> Path:
        shutil.copyfile(self.engine.history.path(entry, fmt), target)
        return target

    def close(self) -> None:
        self.engine.close()


class RemoteLink:
    def __init__(self, client: Client) -> None:
        self.client = client
        self.where = f"the engine at {client.url}"

    def generate(self, prompt: str, *, model: str | None, route: str | None, like: str | None,
                 again: bool, on_progress: ProgressCallback) -> Entry:
        kind = "again" if again else ("like" if like else "generate")
        return self._run(on_progress, kind, prompt=prompt, model=model, route=route, like=like, host="cli")

    def rerun(self, entry_id: str, params: dict[str, Any]) -> Entry:
        return self._run(None, "rerun", entry_id=entry_id, params=params, host="cli")

    def run_script(self, script: str, params: dict[str, Any], timeout_s: float | None,
                   prompt: str) -> Entry:
        return self._run(None, "script", script=script, params=params, prompt=prompt, timeout_s=timeout_s,
                         host="cli")

    def file(self, entry: Entry, fmt: str, target: Path) -> Path:
        target.write_bytes(self._call(lambda: self.client.file(entry.id, fmt)))
        return target

    def close(self) -> None:
        """Nothing to close: the engine stays up for the next command (and exits when idle)."""

    def _run(self, on_progress: ProgressCallback | None, kind: str, **fields: Any) -> Entry:
        job = self._call(lambda: self.client.submit(kind, **fields))
        job_id = str(job["id"])
        try:
            while job["state"] not in FINISHED:
                if on_progress is not None:
                    on_progress(Progress(job["stage"], max(1, job["attempt"]), job["tokens"],
                                         job["tokens_per_second"]))
                threading.Event().wait(POLL_S)
                job = self._call(lambda: self.client.job(job_id))
        except KeyboardInterrupt:
            # The user gave up on this part: the engine must not go on making it.
            self._call(lambda: self.client.cancel(job_id))
            raise
        if job["state"] == CANCELLED:
            raise InputError("the job was cancelled")
        if job["state"] == FAILED or job["entry"] is None:
            error = job.get("error") or {}
            raise EngineReported(error.get("message") or "the engine could not make the part",
                                 kind=error.get("kind") or "generation", hint=error.get("hint"))
        return Entry.from_dict(job["entry"])

    @staticmethod
    def _call(action: Any) -> Any:
        try:
            return action()
        except EngineError as exc:
            raise EngineReported(exc.message, kind=exc.kind, hint=exc.hint) from None

