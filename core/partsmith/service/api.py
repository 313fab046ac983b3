"""The engine's HTTP API, version 1. Thin: it validates, hands work to the jobs and the engine,
and answers JSON. Its OpenAPI schema is at /v1/openapi.json (token needed, like everything)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sse_starlette.sse import EventSourceResponse

from partsmith import __version__
from partsmith.client.client import FINISHED
from partsmith.engine.engine import Engine
from partsmith.errors import EntryNotFound, InputError, PartsmithError
from partsmith.history import Entry
from partsmith.history.entry import HOSTS
from partsmith.program.params import read_parameters
from partsmith.progress import Progress
from partsmith.prompt.validate import MAX_PROMPT_CHARS
from partsmith.service.access import AccessGuard
from partsmith.service.jobs import Job, Jobs

Id = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
ParamValue = float | int | bool | str


class JobRequest(BaseModel):
    """What to make. `generate`: from `prompt`; `like`: from the entry `like` (last, an id or
    words) changed as `prompt` says; `again`: another variant of `prompt` (or the last prompt);
    `rerun`: the entry `entry_id` with new `params` (no model); `script`: a hand-edited `script`
    run in the sandbox with `params`."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["generate", "like", "again", "rerun", "script"] = "generate"
    prompt: str = Field("", max_length=MAX_PROMPT_CHARS)
    like: str | None = Field(None, max_length=300)
    entry_id: str | None = Field(None, max_length=64)
    params: dict[Annotated[str, Field(max_length=64)], ParamValue | None] = Field(
        default_factory=dict, max_length=64)
    script: str | None = Field(None, max_length=100_000)
    timeout_s: float | None = Field(None, gt=0, le=3600, description="a script job's time limit")
    model: str | None = Field(None, max_length=200)
    route: Literal["structured", "code"] | None = None
    host: Literal[HOSTS] = "service"  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _needs(self) -> JobRequest:
        if self.kind in {"generate", "like"} and not self.prompt.strip():
            raise ValueError("the prompt is empty: describe the part, with its sizes in mm")
        if self.kind == "like" and not self.like:
            raise ValueError("a like job needs `like`: last, an id, or words describing the part")
        if self.kind == "rerun" and not self.entry_id:
            raise ValueError("a rerun job needs `entry_id`")
        if self.kind == "script" and not (self.script or "").strip():
            raise ValueError("a script job needs `script`")
        return self


class JobView(BaseModel):
    id: str
    kind: str
    state: Literal["queued", "running", "done", "failed", "cancelled"]
    stage: str
    attempt: int
    tokens: int
    tokens_per_second: float
    progress: float = Field(ge=0, le=1)
    text: str = Field(description="the model's latest output (its tail)")
    entry: dict[str, Any] | None = Field(description="the history entry, when done")
    error: dict[str, Any] | None = Field(description="kind, message and hint, when failed")
    created: float
    finished: float | None
    version: int
    queue_position: int = 0


class PullRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    model: str = Field(min_length=1, max_length=200)


def _error(status: int, kind: str, message: str, hint: str | None = None) -> JSONResponse:
    return JSONResponse({"error": {"kind": kind, "message": message, "hint": hint}}, status_code=status)


def create_app(engine: Engine, jobs: Jobs, token: str) -> FastAPI:
    app = FastAPI(title="Partsmith engine", version=__version__, openapi_url="/v1/openapi.json",
                  docs_url=None, redoc_url=None)

    @app.exception_handler(PartsmithError)
    async def partsmith_error(request: Request, exc: PartsmithError) -> JSONResponse:
        status = 404 if isinstance(exc, EntryNotFound) else (
            400 if isinstance(exc, InputError) else 500 if exc.kind == "internal" else 409)
        return JSONResponse({"error": exc.to_dict()}, status_code=status)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'] if p != 'body') or 'body'}: {err['msg']}"
            for err in exc.errors())
        return _error(422, "input", problems)

    def view(job: Job) -> JobView:
        return JobView(**jobs.view(job))

    def find(job_id: str) -> Job:
        job = jobs.get(job_id)
        if job is None:
            raise InputError(f"there is no job {job_id!r}", hint="jobs are kept for an hour after they end")
        return job

    @app.get("/v1/health")
    async def health() -> dict[str, Any]:
        return {"status": "ok", "version": __version__, "pid": os.getpid(),
                "model": engine.loaded_model(), "model_loads": engine.model_loads,
                "jobs": sum(1 for j in jobs.all() if not j.over)}

    @app.post("/v1/jobs", status_code=202)
    def create_job(request: JobRequest) -> JobView:
        return view(jobs.submit(request.kind, request.model_dump()))

    @app.get("/v1/jobs")
    async def list_jobs() -> list[JobView]:
        return [view(job) for job in jobs.all()]

    @app.get("/v1/jobs/{job_id}")
    async def get_job(job_id: Id) -> JobView:
        return view(find(job_id))

    @app.post("/v1/jobs/{job_id}/cancel")
    async def cancel_job(job_id: Id) -> JobView:
        job = find(job_id)
        jobs.cancel(job)
        return view(job)

    @app.get("/v1/jobs/{job_id}/events")
    async def job_events(job_id: Id) -> EventSourceResponse:
        job = find(job_id)

        async def stream() -> AsyncIterator[dict[str, str]]:
            version = -1
            while True:
                if job.version != version:
                    snapshot = view(job)  # one consistent state: send it, and end on it if final
                    version = snapshot.version
                    yield {"event": "job", "data": snapshot.model_dump_json()}
                    if snapshot.state in FINISHED:
                        return
                await asyncio.to_thread(jobs.wait, job, version, 1.0)

        return EventSourceResponse(stream(), ping=15)

    @app.get("/v1/history")
    def history_list(limit: Annotated[int, Query(ge=1, le=500)] = 50,
                     offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
                     status: Literal["ok", "failed"] | None = None) -> list[dict[str, Any]]:
        return [row.__dict__ for row in engine.history.newest(limit, offset, status)]

    @app.get("/v1/history/search")
    def history_search(q: Annotated[str, Query(min_length=1, max_length=MAX_PROMPT_CHARS)],
                       limit: Annotated[int, Query(ge=1, le=50)] = 5) -> list[dict[str, Any]]:
        return [{"id": h.id, "similarity": round(1 - h.distance, 4), "status": h.status, "prompt": h.prompt}
                for h in engine.history.search(q, limit)]

    @app.get("/v1/history/{entry_id}")
    def history_show(entry_id: Id) -> dict[str, Any]:
        entry = engine.history.resolve(entry_id) if entry_id == "last" else engine.history.get(entry_id)
        data = entry.__dict__.copy()
        data["files"] = {fmt: str(engine.history.path(entry, fmt)) for fmt in entry.artifacts}
        data["parameter_specs"] = parameter_specs(entry.script)
        return data

    @app.delete("/v1/history/{entry_id}")
    def history_remove(entry_id: Id) -> dict[str, str]:
        engine.history.remove(entry_id)
        return {"removed": entry_id}

    @app.get("/v1/history/{entry_id}/files/{fmt}", response_class=FileResponse)
    def history_file(entry_id: Id, fmt: Literal["step", "stl", "glb", "thumbnail"]) -> FileResponse:
        entry = engine.history.get(entry_id)
        path = engine.history.path(entry, fmt)
        media = "image/png" if fmt == "thumbnail" else "application/octet-stream"
        return FileResponse(path, media_type=media, filename=path.name)

    @app.get("/v1/models")
    def models() -> list[dict[str, Any]]:
        from partsmith.model import model_catalog

        return [{**info.__dict__, "downloaded": bool(info.embedded or model_catalog.local_path(info))}
                for info in model_catalog.catalog().values()]

    @app.post("/v1/models/pull", status_code=202)
    def pull(request: PullRequest) -> JobView:
        from partsmith.model import model_catalog

        model_catalog.get(request.model)  # an unknown id is a 400 now, not a failed job later
        return view(jobs.submit("pull", {"model": request.model}))

    return app


def parameter_specs(script: str) -> list[dict[str, Any]]:
    """What field fits each of a script's parameters (kind, unit, limits, choices), read from its
    head, so that the front ends build their fields from it; none for a script that does not parse."""
    try:
        return [param.to_dict() for param in read_parameters(script)]
    except InputError:
        return []


def run_job(engine: Engine, job: Job, report: Any) -> dict[str, Any]:
    """What each job kind does (called on the jobs' threads); returns the job's result."""
    if job.kind == "pull":
        return _pull(job, report)
    return asdict(_make(engine, job, report))


def _make(engine: Engine, job: Job, report: Any) -> Entry:
    r = job.request
    host = r.get("host") or "service"
    if job.kind == "generate":
        return engine.generate(r["prompt"], model=r.get("model"), route=r.get("route"), host=host,
                               on_progress=report, cancel=job.cancel)
    if job.kind == "like":
        return engine.generate(r["prompt"], model=r.get("model"), route=r.get("route"), like=r["like"],
                               host=host, on_progress=report, cancel=job.cancel)
    if job.kind == "again":
        return engine.generate(r.get("prompt") or "", model=r.get("model"), route=r.get("route"), again=True,
                               host=host, on_progress=report, cancel=job.cancel)
    if job.kind == "rerun":
        report(Progress("running"))
        return engine.rerun(r["entry_id"], r.get("params") or {}, host=host)
    if job.kind == "script":
        report(Progress("running"))
        return engine.run_script(r["script"], r.get("params") or {}, prompt=r.get("prompt") or "", host=host,
                                 timeout_s=r.get("timeout_s"))
    raise InputError(f"unknown job kind {job.kind!r}")


def _pull(job: Job, report: Any) -> dict[str, Any]:
    from partsmith.model import model_catalog

    info = model_catalog.get(job.request["model"])
    report(Progress("downloading", message=info.id, fraction=0.0))

    def bytes_done(done: int, total: int) -> None:
        report(Progress("downloading", message=f"{done / 1e6:.0f} of {total / 1e6:.0f} MB",
                        fraction=done / total if total else None))

    return {"model": info.id, "path": str(model_catalog.pull(info, bytes_done))}


def guarded_app(engine: Engine, jobs: Jobs, token: str) -> AccessGuard:
    """The API behind its guard: loopback Host, bearer token, body size."""
    return AccessGuard(create_app(engine, jobs, token), token)
