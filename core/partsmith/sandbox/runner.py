"""What a job process runs: a script, the check of its part, or the part's picture.

- `execute`: check the script, run it, find its part and send it back (OCCT's exact format) in the
  reply; the script's folder is scratch space, a small tmpfs that ends with it;
- `check_part`: in a fresh job process the script never ran in, read that shape back, check and
  measure it, and write the files the engine keeps (STEP, STL, GLB) into `part/`: a script that
  writes its own files, or forges a reply, gets none of its bytes into the history;
- `draw_thumbnail`: the part's picture, drawn in the sandbox from the checked mesh.

Called in a child forked from the zygote (or in a spawned worker); never in the engine. Every
outcome becomes a JSON-able dict: `{"ok": True, ...}` or `{"ok": False, "error": {...}}`.
"""

from __future__ import annotations

import base64
import builtins
import errno
import io
import json
import math
import stat
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import build123d as bd

from partsmith.build import export, geometry, thumbnail
from partsmith.errors import (
    ExportError,
    FailedFeature,
    InvalidGeometry,
    NoResult,
    OutOfMemory,
    PartsmithError,
    PolicyViolation,
    SandboxError,
    ScriptError,
)
from partsmith.sandbox.audit import AuditGuard, SandboxDenied
from partsmith.sandbox.policy import FORBIDDEN_NAMES, check_source, module_allowed

# The script job sends its part back in OCCT's own exact format; the engine writes it as SHAPE_NAME
# and the check job reads it back and writes the files the engine keeps into PART_FOLDER.
from partsmith.sandbox.replies import MAX_IDLE, MAX_SHAPE_BYTES, PART_FOLDER, SHAPE_NAME, THUMBNAIL_NAME

SCRIPT_NAME = "script.py"
RESULT_NAMES = ("result", "part")



def _safe_builtins(guard: AuditGuard) -> dict[str, Any]:
    real_import = builtins.__import__

    def guarded_import(
        name: str, globals: Any = None, locals: Any = None, fromlist: Any = (), level: int = 0
    ) -> Any:
        wanted = [name] + [f"{name}.{item}" for item in (fromlist or ()) if name == "partsmith"]
        if level or not all(module_allowed(w) for w in wanted):
            guard.deny(f"importing {name}")
        return real_import(name, globals, locals, fromlist, level)

    allowed = {
        key: value
        for key, value in vars(builtins).items()
        if key not in FORBIDDEN_NAMES and not key.startswith("_")
    }
    allowed["__build_class__"] = builtins.__build_class__
    allowed["__import__"] = guarded_import
    return allowed


def _script_error(exc: BaseException, source: str) -> ScriptError:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == SCRIPT_NAME]
    line = frames[-1].lineno if frames else None
    lines = source.splitlines()
    text = lines[line - 1].strip() if line and 0 < line <= len(lines) else None
    detail = str(exc).strip() or "(no message)"
    where = f" on line {line}" if line else ""
    # The kit's FeatureError names the program entry that failed (index, kind, reason).
    named = getattr(exc, "feature", None)
    feature = named if isinstance(named, FailedFeature) else None
    return ScriptError(
        f"{type(exc).__name__}{where}: {detail}", line=line, source_line=text, feature=feature
    )


def _classify(exc: BaseException, source: str, guard: AuditGuard | None) -> SandboxError:
    denied = guard.denied if guard is not None else []
    if isinstance(exc, SandboxDenied) or denied:
        return PolicyViolation(
            f"the script tried something the sandbox forbids: {denied[0] if denied else exc}"
        )
    if isinstance(exc, MemoryError) or "OutOfMemory" in type(exc).__name__:
        return OutOfMemory(
            "the script ran out of memory",
            hint="a part this large usually means a unit mistake or a runaway loop",
        )
    if isinstance(exc, OSError) and exc.errno == errno.EFBIG:
        return PolicyViolation(
            "the script wrote more than the sandbox's file size limit",
            hint="set sandbox.file_size_mb to allow larger files",
        )
    if isinstance(exc, RecursionError):
        return ScriptError("the script recursed too deeply (RecursionError)")
    if isinstance(exc, SandboxError):
        return exc
    return _script_error(exc, source)


def _find_result(namespace: dict[str, Any], shown: list[Any]) -> tuple[Any, str]:
    for name in RESULT_NAMES:
        if namespace.get(name) is not None:
            return namespace[name], name
    if shown:
        return (shown[0] if len(shown) == 1 else shown), "show_object"
    builders = [v for v in namespace.values() if isinstance(v, bd.BuildPart)]
    if len(builders) == 1:
        return builders[0].part, "BuildPart"
    raise NoResult(
        "the script ran but produced no part",
        hint="assign the finished part to a variable named `result`",
    )


def _idle_entries(namespace: dict[str, Any]) -> list[int]:
    """The entries of a compiled program (`part = ops.Part()`) that changed nothing."""
    idle = getattr(namespace.get("part"), "idle", None)
    if not isinstance(idle, list):
        return []
    return [i for i in idle if isinstance(i, int) and not isinstance(i, bool)][:MAX_IDLE]


def execute(
    source: str, job_dir: Path, guard: AuditGuard | None, *, check_policy: bool = True,
    linear_tolerance: float = 0.05, angular_tolerance: float = 0.2,
    install_hook: Callable[[AuditGuard], None] | None = None,
) -> dict[str, Any]:
    """Run `source` and export its part into `job_dir`. Never raises.

    Without a `guard` the script runs with the real builtins and no audit hook: only for tests
    that check the kernel layers on their own.
    """
    timings: dict[str, float] = {}
    started = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal started
        now = time.perf_counter()
        timings[name] = round((now - started) * 1000, 3)
        started = now

    try:
        if check_policy:
            check_source(source, SCRIPT_NAME)
        code = compile(source, SCRIPT_NAME, "exec")
        lap("check_ms")
        shown: list[Any] = []
        namespace: dict[str, Any] = {
            "__name__": "__partsmith__",
            "__builtins__": _safe_builtins(guard) if guard is not None else builtins,
            "show_object": lambda obj, *args, **kwargs: shown.append(obj),
            "debug": lambda *args, **kwargs: None,
        }
        if guard is not None:
            if install_hook is not None:
                install_hook(guard)
            guard.activate(code)
        try:
            exec(code, namespace)
        except BaseException as exc:  # noqa: BLE001 - whatever the script raised becomes typed
            raise _classify(exc, source, guard) from None
        if guard is not None and guard.denied:
            raise _classify(SandboxDenied(guard.denied[0]), source, guard)
        lap("run_ms")
        obj, name = _find_result(namespace, shown)
        shape = geometry.to_shape(obj, name)
        buffer = io.BytesIO()
        if not bd.export_brep(shape, buffer):
            raise ExportError("the part could not be written for checking")
        if buffer.tell() > MAX_SHAPE_BYTES:
            raise ExportError(f"the part is {buffer.tell() >> 20} MB in OCCT's own format, more than "
                              f"the {MAX_SHAPE_BYTES >> 20} MB a job hands over",
                              hint="a part this large usually means a loop that made far too many features")
        lap("write_ms")
        # The shape goes back in the reply: the script's folder is scratch space that ends with it.
        return {"ok": True, "shape": base64.b64encode(buffer.getvalue()).decode(), "timings": timings,
                "idle": _idle_entries(namespace)}
    except PartsmithError as exc:
        return {"ok": False, "error": exc.to_dict(), "timings": timings}
    except BaseException as exc:  # noqa: BLE001 - a job ends with a typed error, whatever it raised
        error = _classify(exc, source, guard)
        return {"ok": False, "error": error.to_dict(), "timings": timings}


def check_part(
    job_dir: Path, *, linear_tolerance: float, angular_tolerance: float, max_bytes: int,
) -> dict[str, Any]:
    """In a process no script ran in: read the shape a script job wrote, check and measure it,
    and write the part's files (a new folder `part/`). What the engine keeps comes from here,
    never from the script's own bytes. Never raises."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    try:
        source = job_dir / SHAPE_NAME
        info = source.lstat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > max_bytes:
            raise PolicyViolation("the script job's shape is not a regular file of a sensible size")
        try:
            shape = bd.import_brep(str(source))
        except Exception as exc:  # noqa: BLE001 - whatever OCCT raised: the bytes were not a shape
            raise InvalidGeometry(f"the script's shape could not be read back: {exc}") from None
        timings["read_ms"] = round((time.perf_counter() - started) * 1000, 3)
        started = time.perf_counter()
        measured, warnings = geometry.validate(shape)
        timings["validate_ms"] = round((time.perf_counter() - started) * 1000, 3)
        started = time.perf_counter()
        folder = job_dir / PART_FOLDER
        try:
            folder.mkdir()  # fails if the script made one: nothing of the script's is kept
        except FileExistsError:
            raise PolicyViolation(f"the script wrote a folder named {PART_FOLDER}") from None
        paths = export.export_all(
            shape, folder, linear_tolerance=linear_tolerance, angular_tolerance=angular_tolerance
        )
        timings["export_ms"] = round((time.perf_counter() - started) * 1000, 3)
        return {"ok": True, "measurements": measured.to_dict(), "warnings": warnings,
                "timings": timings, "artifacts": {fmt: str(path) for fmt, path in paths.items()}}
    except PartsmithError as exc:
        return {"ok": False, "error": exc.to_dict(), "timings": timings}
    except BaseException as exc:  # noqa: BLE001 - a job ends with a typed error, whatever it raised
        error = _classify(exc, "", None)
        return {"ok": False, "error": error.to_dict(), "timings": timings}


def draw_thumbnail(job_dir: Path) -> dict[str, Any]:
    """Draw the checked part's picture (`part/thumbnail.png`), with caps on the mesh it reads."""
    started = time.perf_counter()
    folder = job_dir / PART_FOLDER
    try:
        png = folder / THUMBNAIL_NAME
        thumbnail.render(folder / "model.stl", png)
    except Exception as exc:  # noqa: BLE001 - a picture that cannot be drawn is not a crash
        return {"ok": False, "error": {"kind": "export", "message": f"{type(exc).__name__}: {exc}"}}
    return {"ok": True, "thumbnail": str(png),
            "timings": {"thumbnail_ms": round((time.perf_counter() - started) * 1000, 3)}}


def encode(payload: dict[str, Any]) -> bytes:
    """JSON for the worker's pipe; non-finite numbers (a broken shape's volume) become null."""

    def clean(value: Any) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            return None
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [clean(v) for v in value]
        return value

    return json.dumps(clean(payload)).encode()
