"""The engine: one object that the service (and a command line with no service) drives.

It owns the warm pieces (the loaded model, the sandbox pool, the router's embedder, the history)
and turns requests into history entries: a generation from a prompt, a part made "like" an earlier
one, another variant of a prompt, or a rerun of an earlier script with new parameter values.
Every generation is recorded, failures included; a part whose change names its parameters ("but
60 mm long") is made without the model at all. Built by `partsmith.engine.assembly`, the one place
that wires an engine from the settings.

Each warm piece has a lock of its own, so a model that takes seconds to load never holds up the
history, a rerun or a status call; the model is keyed by what was asked for, and the one it
replaces is released.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable
from typing import Any

from partsmith.checks import stated
from partsmith.config import Settings, get_settings
from partsmith.errors import InputError
from partsmith.generate.pipeline import Generation, GenerationFailed, Generator, Reference
from partsmith.generate.router import Router
from partsmith.history import Entry, History
from partsmith.kit.registry import standard_sizes
from partsmith.model.backends import open_backend
from partsmith.model.base import Backend
from partsmith.model.embed import Vectors
from partsmith.program.params import Parameter, read_parameters
from partsmith.progress import Progress, ProgressCallback
from partsmith.prompt.edits import named_changes
from partsmith.prompt.validate import check_prompt
from partsmith.sandbox import JobResult, SandboxPool
from partsmith.sandbox.pool import remove_job_dir

log = logging.getLogger(__name__)


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
        # What the loaded backend was opened for: a given backend serves every request.
        self._backend_key: str | None = None if backend is None else "*"
        self._history = history
        self._pool = pool
        self._router: Router | None = None
        self._locks = {name: threading.Lock() for name in ("pool", "history", "router", "backend")}
        # What this engine made, it closes; what it was given belongs to the caller.
        self._owns = {"pool": pool is None, "history": history is None, "backend": backend is None}
        self.model_loads = 0  # how many times this engine loaded a model (the service reports it)

    # The warm pieces, made on first use, each behind its own lock ----------------------------

    @property
    def pool(self) -> SandboxPool:
        with self._locks["pool"]:
            if self._pool is None:
                self._pool = SandboxPool(self.settings.sandbox, self.settings.export,
                                         self.settings.jobs_dir)
            return self._pool

    @property
    def history(self) -> History:
        with self._locks["history"]:
            if self._history is None:
                self._history = History.from_settings(self.settings)
            return self._history

    @property
    def router(self) -> Router:
        with self._locks["router"]:
            if self._router is None:
                self._router = Router()
            return self._router

    def backend(self, model: str | None = None) -> Backend:
        """The backend for `model` (default: the settings'), loaded once and kept; asking for
        another model releases the one loaded before."""
        wanted = model or self.settings.llm.model or "auto"
        with self._locks["backend"]:
            if self._backend is not None and self._has_backend(model):
                return self._backend
            old, self._backend = self._backend, None
            if old is not None and self._owns["backend"]:
                _release(old)
            self._backend = open_backend(self.settings.llm, model, self.notify)
            self._backend_key = wanted
            self._owns["backend"] = True
            self.model_loads += 1
            return self._backend

    def generator(self, model: str | None = None) -> Generator:
        return Generator(self.backend(model), self.pool, router=self.router, past=self._past,
                         max_attempts=self.settings.llm.max_attempts,
                         candidates=self.settings.llm.candidates)

    def _has_backend(self, model: str | None) -> bool:
        """Whether the backend for `model` (default: the settings') is loaded."""
        wanted = model or self.settings.llm.model or "auto"
        return self._backend is not None and self._backend_key in {"*", wanted}

    def _load(self, model: str | None, on_progress: ProgressCallback | None) -> None:
        """Load what a generation needs, each piece saying so first, so that a cold start tells
        the user what it is waiting for (the first prompt after the engine starts)."""
        report = on_progress or (lambda progress: None)
        if not self._has_backend(model):
            report(Progress("loading the model"))
            self.backend(model)
        if self._pool is None:
            report(Progress("starting the sandbox"))
            _ = self.pool
        if self._router is None:
            report(Progress("loading the embedder"))
            _ = self.router

    def warm(self, model: str | None = None) -> None:
        self.generator(model).warm()
        _ = self.history

    def close(self) -> None:
        if self._pool is not None and self._owns["pool"]:
            self._pool.close()
        if self._history is not None and self._owns["history"]:
            self._history.close()
        if self._backend is not None and self._owns["backend"]:
            _release(self._backend)
            self._backend = None

    # Requests -------------------------------------------------------------------------------

    def generate(
        self, prompt: str, *, model: str | None = None, route: str | None = None,
        like: str | None = None, again: bool = False,
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
            changes = named_changes(text, _parameters(base.script))
            if changes is not None:
                return self._rerun(base, changes, text, "edit", host)
        start = Reference(base.prompt, base.script, base.family, base.parameters, base.program) \
            if base is not None and not again else None
        self._load(model, on_progress)
        generator = self.generator(model)
        try:
            made = generator.generate(text, route=route, on_progress=on_progress,
                                      cancel=cancel, start=start,
                                      variant=secrets.randbelow(10**6) + 1 if again else 0)
        except GenerationFailed as failure:
            self._record_failure(text, failure, generator, base, host)
            raise
        if start is not None and base is not None and _same_part(base, made.result):
            # The model repeated the part it started from: say so rather than hand it back as the change.
            made.warnings.append(
                f"the change \"{text}\" was not made: the model returned the same part as before. "
                "Name the size and its value (\"thickness 10 mm\") or change the part's parameters")
        return self._record(made, base, host)

    def rerun(self, reference: str, params: dict[str, Any], host: str | None = None) -> Entry:
        """An earlier part's script run again with new parameter values; no model."""
        base = self.history.resolve(reference)
        unknown = sorted(set(params) - set(base.parameters))
        if unknown:
            known = ", ".join(base.parameters) or "none"
            raise InputError(f"{', '.join(unknown)}: not a parameter of {base.id} (its parameters: {known})")
        return self._rerun(base, params, None, "rerun", host or self.host)

    def run_script(self, script: str, params: dict[str, Any] | None = None, *, prompt: str = "",
                   host: str | None = None, timeout_s: float | None = None) -> Entry:
        """A script the user wrote or edited by hand: the same sandbox as the model's code."""
        result = self.pool.run(script, params=params or {}, timeout_s=timeout_s)
        # A script given with a description is checked against it, as a model's answer would be.
        found = _facts(prompt, result)
        entry = Entry(
            id="", created=0.0, prompt=prompt.strip() or "a script edited by hand", status="ok",
            host=host or self.host, route="script", script=result.script, facts=found,
            warnings=[*result.warnings, *(fact["problem"] for fact in found if not fact["met"])],
            timings=dict(result.timings), **_measured(result),
        )
        return self._save(entry, result)

    def loaded_model(self) -> str | None:
        """The model in memory, if one has been loaded."""
        return self._backend.model_id if self._backend is not None else None

    # Recording ------------------------------------------------------------------------------

    def _rerun(self, base: Entry, params: dict[str, Any], request: str | None, route: str,
               host: str) -> Entry:
        params = {**params, **standard_sizes(base.script, {**base.parameters, **params})}
        result = self.pool.run(base.script, params=params)
        changed = ", ".join(f"{k}={v}" for k, v in params.items())
        # An edit in words is checked against its words ("but 10 mm thick"); values set by hand
        # are the user's own.
        found = _facts(request, result)
        entry = Entry(
            id="", created=0.0, prompt=f"{base.prompt} ({request or changed})", status="ok",
            host=host, like=base.id, model="", route=route, family=base.family,
            script=result.script, warnings=list(result.warnings), facts=found,
            timings=dict(result.timings), **_measured(result),
        )
        return self._save(entry, result)

    def _record(self, made: Generation, base: Entry | None, host: str) -> Entry:
        entry = Entry(
            id="", created=0.0, prompt=made.prompt, status="ok", host=host,
            like=base.id if base else None, model=made.model, route=made.route,
            family=made.family, program=made.program, script=made.script,
            warnings=list(made.warnings), attempts=[a.__dict__ for a in made.attempts],
            facts=list(made.facts),
            timings={**made.result.timings, **made.timings}, **_measured(made.result),
        )
        return self._save(entry, made.result, vector=made.vector)

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

    def _save(self, entry: Entry, result: JobResult, vector: Vectors | None = None) -> Entry:
        try:
            files = dict(result.artifacts)
            picture = self.pool.draw_thumbnail(result)  # in the sandbox, from the checked mesh
            if picture is not None:
                files["thumbnail"] = picture
            return self.history.add(entry, files, vector)
        finally:
            remove_job_dir(result.job_dir)  # the history keeps the files now

    def _past(self, vector: Vectors) -> list[Reference]:
        return [Reference(e.prompt, e.script, e.family if e.route == "structured" else None,
                          e.parameters, e.program if e.route == "structured" else None)
                for e in self.history.similar_successes(vector)]


def _release(backend: Backend) -> None:
    """Free a backend's model (a local model's memory; a remote backend has nothing to free).
    A failure to free it is logged, not raised: the engine goes on with the next model."""
    close = getattr(backend, "close", None)
    if callable(close):
        try:
            close()
        except Exception:
            log.warning("releasing the model %s failed", getattr(backend, "model_id", "?"), exc_info=True)


def _same_part(base: Entry, result: JobResult) -> bool:
    """Whether a part measures as the earlier one did (size and volume), to a millionth."""
    size = list(result.measurements.get("size", []))
    volume = float(result.measurements.get("volume", 0.0))
    return (len(size) == len(base.size) > 0
            and all(abs(a - b) <= 1e-6 * max(1.0, abs(b)) for a, b in zip(size, base.size, strict=True))
            and abs(volume - base.volume) <= 1e-6 * max(1.0, abs(base.volume)))


def _parameters(script: str) -> list[Parameter]:
    """The parameters of an earlier part's script (none when it cannot be read)."""
    try:
        return read_parameters(script)
    except InputError:
        return []


def _facts(words: str | None, result: JobResult) -> list[dict[str, Any]]:
    """What `words` state about the part, each met or not; none without words."""
    if not words or not words.strip():
        return []
    return [fact.to_dict() for fact in stated.facts(words, result.measurements)]


def _measured(result: JobResult) -> dict[str, Any]:
    m = result.measurements
    return {"parameters": dict(result.parameters), "size": list(m.get("size", [])),
            "volume": float(m.get("volume", 0.0)), "holes": list(m.get("holes", [])),
            "measurements": dict(m), "sandbox_layers": dict(result.layers)}
