"""The error types a user sees. Each message is the whole story: what went wrong and what to do.

Front ends and the CLI show `str(error)` and never a traceback. `kind` is a stable, short name
that the service and the front ends use to tell errors apart.
"""

from __future__ import annotations

from dataclasses import dataclass


class PartsmithError(Exception):
    """Base of every error meant for the user."""

    kind = "error"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n{self.hint}" if self.hint else self.message

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "message": self.message, "hint": self.hint}


class ConfigError(PartsmithError):
    kind = "config"


class EngineReported(PartsmithError):
    """An error the engine service reported to this process, with the kind it gave."""

    def __init__(self, message: str, *, kind: str = "engine", hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.kind = kind


class InputError(PartsmithError):
    """The user's input (a prompt, a parameter, a file) cannot be used as given."""

    kind = "input"


class ModelError(PartsmithError):
    """A model cannot be found, downloaded or loaded."""

    kind = "model"


class EntryNotFound(InputError):
    """No history entry has the id (or id prefix) asked for."""

    kind = "not_found"


class StorageError(PartsmithError):
    """Writing to the data folder failed (a full disk, missing permissions)."""

    kind = "storage"


class SandboxUnavailable(PartsmithError):
    """The sandbox lacks a kernel layer that `sandbox.require` asks for, so no code is run.

    Not a SandboxError: it says nothing about the script, and retrying another script cannot help.
    """

    kind = "sandbox_unavailable"


class SandboxError(PartsmithError):
    """A script did not produce a part. Subclasses say why."""

    kind = "sandbox"


class PolicyViolation(SandboxError):
    """The script tried something the sandbox forbids (an import, a file, a socket...)."""

    kind = "policy"


@dataclass(frozen=True)
class FailedFeature:
    """The program feature a build failed on: its index in the program, its type, and why."""

    index: int
    kind: str
    reason: str


def failed_feature(error: dict[str, object]) -> FailedFeature | None:
    """The failed feature an error's fields name (`ScriptError.to_dict()`), or None."""
    index, kind = error.get("feature_index"), error.get("feature_kind")
    if not isinstance(index, int) or isinstance(index, bool) or index < 0 or not isinstance(kind, str):
        return None
    reason = error.get("feature_reason")
    return FailedFeature(index, kind, str(reason) if reason else "it could not be built")


class ScriptError(SandboxError):
    """The script raised an exception; `line` is its own line number."""

    kind = "script"

    def __init__(
        self, message: str, *, line: int | None = None, source_line: str | None = None,
        hint: str | None = None, feature: FailedFeature | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.line = line
        self.source_line = source_line
        self.feature = feature

    def to_dict(self) -> dict[str, object]:
        found: dict[str, object] = {}
        if self.feature is not None:
            found = {"feature_index": self.feature.index, "feature_kind": self.feature.kind,
                     "feature_reason": self.feature.reason}
        return {**super().to_dict(), "line": self.line, "source_line": self.source_line, **found}


class SyscallRefused(PolicyViolation):
    """The kernel killed the job for a system call it may not make (seccomp)."""

    kind = "syscall"


class JobKilled(SandboxError):
    """The job was killed by a signal that was neither its time limit nor its memory."""

    kind = "killed"


class ScriptTimeout(SandboxError):
    kind = "timeout"


class OutOfMemory(SandboxError):
    kind = "memory"


class WorkerCrash(SandboxError):
    """The process running the script died (for example a crash inside the CAD kernel)."""

    kind = "crash"


class NoResult(SandboxError):
    kind = "no_result"


class InvalidGeometry(SandboxError):
    kind = "geometry"


class ExportError(SandboxError):
    kind = "export"


SANDBOX_ERRORS: dict[str, type[SandboxError]] = {
    cls.kind: cls
    for cls in (
        SandboxError, PolicyViolation, SyscallRefused, JobKilled, ScriptError, ScriptTimeout,
        OutOfMemory, WorkerCrash, NoResult, InvalidGeometry, ExportError,
    )
}


def sandbox_error(data: dict[str, object]) -> SandboxError:
    """Rebuild a sandbox error from its `to_dict()` form (as it crosses a process boundary)."""
    cls = SANDBOX_ERRORS.get(str(data.get("kind")), SandboxError)
    message = str(data.get("message", "the script failed"))
    hint = data.get("hint")
    hint_text = str(hint) if hint else None
    if cls is ScriptError:
        line = data.get("line")
        source = data.get("source_line")
        return ScriptError(
            message, line=int(line) if isinstance(line, int) else None,
            source_line=str(source) if source else None, hint=hint_text, feature=failed_feature(data),
        )
    return cls(message, hint=hint_text)
