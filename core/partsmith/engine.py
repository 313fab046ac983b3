"""The engine: one object that the command line and the service both drive.

It owns the warm pieces (the loaded model, the sandbox pool, the router's embedder, the history)
and turns requests into history entries: a generation from a prompt, a part made "like" an earlier
one, another variant of a prompt, or a rerun of an earlier script with new parameter values.
Every generation is recorded, failures included; a part whose change names its parameters ("but
60 mm long") is made without the model at all.
"""

from __future__ import annotations

import re
import secrets
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from partsmith.config import Settings, get_settings
from partsmith.edits import named_changes
from partsmith.embed import Vectors
from partsmith.errors import InputError
from partsmith.history import Entry, History
from partsmith.llm.backends import open_backend
from partsmith.llm.base import Backend
from partsmith.pipeline import (
    Generation,
    GenerationFailed,
    Generator,
    ProgressCallback,
    Reference,
    check_prompt,
)
from partsmith.router import Router
from partsmith.sandbox import JobResult, SandboxPool

KIT_IMPORT = re.compile(r"^from partsmith\.kit import (\w+)$", re.MULTILINE)


class Engine:
    def __init__(
        self, settings: Settings | None = None, *, backend: Backend | None = None,
        history: History | None = None, pool: SandboxPool | None = None, host: str = "cli",
        notify: Callable[[str], None] = print,
    ) -> None:
        self.settings = settings or get_settings()
        self.host = host
        self.notify = notify
        self._backend = backend
        self._history = history
        self._pool = pool
        self._router: Router | None = None
        self._lock = threading.Lock()
        # What this engine made, it closes; what it was given belongs to the caller.
        self._owns = {"pool": pool is None, "history": history is None}

    # The warm pieces, made on first use -------------------------------------------------------

    @property
    def pool(self) -> SandboxPool:
        with self._lock:
            if self._pool is None:
                self._pool = SandboxPool(self.settings.sandbox, self.settings.export,
                                         self.settings.jobs_dir)
            return self._pool

    @property
    def history(self) -> History:
        with self._lock:
            if self._history is None:
                self._history = History.from_settings(self.settings)
            return self._history

    @property
    def router(self) -> Router:
        with self._lock:
            if self._router is None:
                self._router = Router()
            return self._router

    def backend(self, model: str | None = None) -> Backend:
        with self._lock:
            wanted = model or self.settings.llm.model
            if self._backend is None or (wanted and wanted not in {self._backend.model_id, "auto"}):
                self._backend = open_backend(self.settings.llm, model, self.notify)
            return self._backend

    def generator(self, model: str | None = None) -> Generator:
        return Generator(self.backend(model), self.pool, router=self.router, past=self._past,
                         max_attempts=self.settings.llm.max_attempts)

    def warm(self, model: str | None = None) -> None:
        self.generator(model).warm()
        _ = self.history

    def close(self) -> None:
        if self._pool is not None and self._owns["pool"]:
            self._pool.close()
        if self._history is not None and self._owns["history"]:
            self._history.close()

    # Requests -------------------------------------------------------------------------------

    def generate(
        self, prompt: str, *, model: str | None = None, route: str | None = None,
        like: str | None = None, again: bool = False, out_dir: Path | None = None,
        on_progress: ProgressCallback | None = None, cancel: threading.Event | None = None,
        host: str | None = None,
    ) -> Entry:
        """A new part from a prompt; `like`: an earlier entry to start from (`last`, an id, or
        words); `again`: another variant of the prompt (or of the last prompt, if none)."""
        host = host or self.host
        base = self.history.resolve(like) if like else None
        if again and not prompt.strip():
            last = self.history.last()
            if last is None:
                raise InputError("there is no earlier prompt to make again", hint="give a prompt")
            prompt, base = last.prompt, last
        text = check_prompt(prompt)
        if base is not None and not again:
            changes = named_changes(text, base.parameters)
            if changes is not None:
                return self._rerun(base, changes, text, "edit", out_dir, host)
        start = Reference(base.prompt, base.script, base.family, base.parameters) \
            if base is not None and not again else None
        generator = self.generator(model)
        try:
            made = generator.generate(text, route=route, out_dir=out_dir, on_progress=on_progress,
                                      cancel=cancel, start=start,
                                      variant=secrets.randbelow(10**6) + 1 if again else 0)
        except GenerationFailed as failure:
            self._record_failure(text, failure, generator, base, host)
            raise
        return self._record(made, base, host)

    def rerun(self, reference: str, params: dict[str, Any], out_dir: Path | None = None,
              host: str | None = None) -> Entry:
        """An earlier part's script run again with new parameter values; no model."""
        base = self.history.resolve(reference)
        unknown = sorted(set(params) - set(base.parameters))
        if unknown:
            known = ", ".join(base.parameters) or "none"
            raise InputError(f"{', '.join(unknown)}: not a parameter of {base.id} (its parameters: {known})")
        return self._rerun(base, params, None, "rerun", out_dir, host or self.host)

    def run_script(self, script: str, params: dict[str, Any] | None = None, *, prompt: str = "",
                   host: str | None = None) -> Entry:
        """A script the user wrote or edited by hand: the same sandbox as the model's code."""
        result = self.pool.run(script, params=params or {})
        entry = Entry(
            id="", created=0.0, prompt=prompt.strip() or "a script edited by hand", status="ok",
            host=host or self.host, route="script", script=result.script,
            warnings=list(result.warnings), timings=dict(result.timings), **_measured(result),
        )
        return self._save(entry, result, keep_job=False)

    def loaded_model(self) -> str | None:
        """The model in memory, if one has been loaded."""
        return self._backend.model_id if self._backend is not None else None

    # Recording ------------------------------------------------------------------------------

    def _rerun(self, base: Entry, params: dict[str, Any], request: str | None, route: str,
               out_dir: Path | None, host: str) -> Entry:
        result = self.pool.run(base.script, params=params, job_dir=out_dir)
        changed = ", ".join(f"{k}={v}" for k, v in params.items())
        entry = Entry(
            id="", created=0.0, prompt=f"{base.prompt} ({request or changed})", status="ok",
            host=host, like=base.id, model="", route=route, family=base.family,
            script=result.script, warnings=list(result.warnings), timings=dict(result.timings),
            **_measured(result),
        )
        return self._save(entry, result, out_dir is not None)

    def _record(self, made: Generation, base: Entry | None, host: str) -> Entry:
        family = KIT_IMPORT.search(made.script) if made.route == "structured" else None
        entry = Entry(
            id="", created=0.0, prompt=made.prompt, status="ok", host=host,
            like=base.id if base else None, model=made.model, route=made.route,
            family=family.group(1) if family else None, script=made.script,
            warnings=list(made.warnings), attempts=[a.__dict__ for a in made.attempts],
            timings={**made.result.timings, **made.timings}, **_measured(made.result),
        )
        return self._save(entry, made.result, keep_job=made.result.job_dir.parent != self.pool.jobs_dir,
                          vector=made.vector)

    def _record_failure(self, prompt: str, failure: GenerationFailed, generator: Generator,
                        base: Entry | None, host: str) -> None:
        entry = Entry(
            id="", created=0.0, prompt=prompt, status="failed", host=host,
            like=base.id if base else None, model=generator.backend.model_id,
            route=failure.attempts[-1].route if failure.attempts else "",
            script=failure.attempts[-1].script if failure.attempts else "",
            error=failure.to_dict(), attempts=[a.__dict__ for a in failure.attempts],
        )
        self.history.add(entry)

    def _save(self, entry: Entry, result: JobResult, keep_job: bool,
              vector: Vectors | None = None) -> Entry:
        saved = self.history.add(entry, result.artifacts, vector)
        if not keep_job:
            shutil.rmtree(result.job_dir, ignore_errors=True)  # the history keeps the files now
        return saved

    def _past(self, vector: Vectors) -> list[Reference]:
        return [Reference(e.prompt, e.script, e.family if e.route == "structured" else None,
                          e.parameters) for e in self.history.similar_successes(vector)]


def _measured(result: JobResult) -> dict[str, Any]:
    m = result.measurements
    return {"parameters": dict(result.parameters), "size": list(m.get("size", [])),
            "volume": float(m.get("volume", 0.0)), "holes": list(m.get("holes", []))}
