"""The engine's checks on what a job sends back: nothing a job process says is taken on trust.

A hostile script can write into its reply pipe (or, in spawn mode, into the worker's own channel)
and claim anything. The layers come from the header the job's set-up wrote before the script ran;
the artifacts are accepted only as regular files named `model.step|stl|glb`, not links, with one
name only, in the `part/` folder the check job made (a job the script never ran in). Anything
else fails the job as a sandbox violation.
"""

from __future__ import annotations

import base64
import binascii
import math
import os
import stat
from pathlib import Path
from typing import Any

from partsmith.errors import PolicyViolation

FORMATS = ("step", "stl", "glb")
# The names the job processes use (sandbox.runner): the script job's shape, the check job's folder.
SHAPE_NAME = "shape.brep"
MAX_SHAPE_BYTES = 12 * 1024 * 1024  # fits a reply (16 MB) once in base64
MAX_IDLE = 64  # entries a script job may name as having changed nothing
PART_FOLDER = "part"
THUMBNAIL_NAME = "thumbnail.png"


def _violation(what: str) -> PolicyViolation:
    return PolicyViolation(
        f"the job's reply was refused: {what}",
        hint="a part script cannot choose where its files go; this one tried (a sandbox violation)",
    )


def _checked_file(value: object, expected: Path, what: str) -> Path:
    """`expected`, when the reply names it and it is a regular file with one name, not a link."""
    if not isinstance(value, str) or os.path.realpath(value) != str(expected):
        raise _violation(f"its {what} {value!r} is not {expected.name} where it belongs")
    try:
        info = os.lstat(expected)
    except OSError:
        raise _violation(f"its {what} does not exist") from None
    if not stat.S_ISREG(info.st_mode):
        raise _violation(f"its {what} is not a regular file")
    if info.st_nlink != 1:
        raise _violation(f"its {what} has other names (a hard link)")
    return expected


def part_folder(job_dir: Path) -> Path:
    """Where the check job writes the part's files (never the script job)."""
    return Path(os.path.realpath(job_dir)) / PART_FOLDER


def check_artifacts(raw: object, job_dir: Path) -> dict[str, Path]:
    """The reply's artifacts, each checked on disk; raises PolicyViolation on anything else."""
    if not isinstance(raw, dict) or set(raw) != set(FORMATS):
        raise _violation(f"its artifacts are not exactly {', '.join(FORMATS)}")
    folder = part_folder(job_dir)
    return {fmt: _checked_file(raw[fmt], folder / f"model.{fmt}", f"{fmt} artifact")
            for fmt in FORMATS}


def check_built(reply: dict[str, Any], job_dir: Path) -> Path:
    """A script job's success carries its shape (base64 of OCCT's format): written here into the
    job's folder for the check job, which reads it back. Returns the file."""
    raw = reply.get("shape")
    if not isinstance(raw, str) or len(raw) > MAX_SHAPE_BYTES * 4 // 3 + 4:
        raise _violation("it carries no shape of a sensible size")
    try:
        data = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise _violation("its shape is not base64") from None
    path = Path(os.path.realpath(job_dir)) / SHAPE_NAME
    if path.is_symlink() or path.exists():  # left by a job that saw the engine's folder
        if path.is_symlink() or not path.is_file():
            raise _violation(f"the job left something other than a file named {SHAPE_NAME}")
        path.unlink()
    with path.open("xb") as handle:  # a new file of the engine's, whatever the job left there
        handle.write(data)
    return path


def check_idle(reply: dict[str, Any]) -> list[int]:
    """The entries a script job says changed nothing: advice for the checks, from the job that ran
    the script, so only indices (a few small numbers) are taken, and nothing else of it."""
    raw = reply.get("idle", [])
    if (not isinstance(raw, list) or len(raw) > MAX_IDLE
            or not all(isinstance(i, int) and not isinstance(i, bool) and 0 <= i < 10_000 for i in raw)):
        raise _violation("its idle entries are not a short list of indices")
    return sorted(set(raw))


def check_thumbnail(reply: dict[str, Any], job_dir: Path) -> Path:
    return _checked_file(reply.get("thumbnail"), part_folder(job_dir) / THUMBNAIL_NAME, "picture")


def _finite_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def check_success(reply: dict[str, Any], job_dir: Path) -> dict[str, Any]:
    """A successful reply with its artifacts checked and its fields of the expected types."""
    artifacts = check_artifacts(reply.get("artifacts"), job_dir)
    measurements = reply.get("measurements")
    if not isinstance(measurements, dict) or not isinstance(measurements.get("size"), list):
        raise _violation("its measurements are malformed")
    warnings = reply.get("warnings", [])
    if not isinstance(warnings, list) or not all(isinstance(w, str) for w in warnings):
        raise _violation("its warnings are not a list of text")
    timings = reply.get("timings", {})
    if not isinstance(timings, dict) or not all(_finite_number(v) for v in timings.values()):
        raise _violation("its timings are not numbers")
    return {"artifacts": artifacts, "measurements": measurements, "warnings": list(warnings),
            "timings": dict(timings)}


def check_error(reply: dict[str, Any]) -> dict[str, Any]:
    """A failure's error dict, with only text where text belongs."""
    error = reply.get("error")
    if not isinstance(error, dict):
        raise _violation("it failed without saying why")
    return {key: value for key, value in error.items()
            if isinstance(value, (str, int)) or value is None}
