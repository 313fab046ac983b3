"""One job in the process that runs it: set up, contain, announce the layers, then run the job: a
script, the check of a script's part, or the part's picture (the request's `kind`).

The process is a child forked from a warm worker, or (spawn mode) a worker that runs one job and
exits. In order, before the script's first line: the job folder becomes the working directory,
output goes to the job's log, the environment is scrubbed, the network namespace and resource
limits are set, every inherited descriptor but the reply pipe is closed, then Landlock and
seccomp confine the process for good. The layers in force are written to the reply pipe *before*
the script runs, so the script cannot forge them; everything the script could write after that
is checked by the engine, never trusted.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from partsmith.sandbox import descriptors, landlock, layers, limits, mounts, roots, runner, seccomp
from partsmith.sandbox.audit import AuditGuard

MB = 1024 * 1024
# Files and folders a script job may make in its scratch folder (a tmpfs counts them).
SCRATCH_FILES = 1024


@dataclass(frozen=True)
class WorkerFacts:
    """What the worker measured once, before any job: its size, read roots, mode and offer."""

    base_size: int
    read_roots: tuple[str, ...]
    processes: int | None
    mode: str
    offer: dict[str, Any]
    root: bool = False  # the engine runs as root: each job becomes a user of its own
    open_roots: bool = True  # others may read every read root (else a root job keeps read-search)
    mount_namespace: bool = True  # each job in its own view of the file system
    network_namespace: bool = True  # each job in a network namespace of its own
    # The seccomp filter, built and compiled once by the worker for any job process.
    syscall_template: seccomp.Built | seccomp.Filter | None = None


def static_layers(facts: WorkerFacts) -> dict[str, Any]:
    """The layers every job here gets regardless of the request."""
    return {
        "static_policy": True,
        "audit_hook": hasattr(sys, "addaudithook"),
        "resource_limits": sys.platform.startswith("linux"),
        "network_namespace": sys.platform.startswith("linux"),
        "descriptors_closed": sys.platform.startswith("linux"),
        "landlock": int(facts.offer.get("landlock_abi") or 0) >= 1,
        "landlock_abi": int(facts.offer.get("landlock_abi") or 0),
        "seccomp": bool(facts.offer.get("seccomp_kernel") and facts.offer.get("seccomp_library")),
        "fork": facts.mode == "fork",
        "no_capabilities": sys.platform.startswith("linux"),
        "mount_namespace": sys.platform.startswith("linux"),
    }


def job_limits(request: dict[str, Any], facts: WorkerFacts) -> dict[str, int | None]:
    used = 0.0
    if facts.mode == "spawn":  # this process's own start-up counts against RLIMIT_CPU
        times = os.times()
        used = times.user + times.system
    return {
        "memory_bytes": facts.base_size + int(request["memory_mb"]) * MB,
        "cpu_seconds": int(used + float(request["timeout_s"])) + 2,
        "file_bytes": int(request["file_size_mb"]) * MB,
        "processes": facts.processes,
    }


def _no_capabilities(sets: dict[str, int], facts: WorkerFacts) -> bool:
    """Whether this process holds no capability: none at all, or (a root job whose read roots
    others may not read) CAP_DAC_READ_SEARCH alone; a root job's bounding set is empty too."""
    if not sets:
        return False
    allowed = 1 << limits.CAP_DAC_READ_SEARCH if facts.root else 0
    names = ("CapEff", "CapPrm", "CapAmb", "CapBnd") if facts.root else ("CapEff", "CapPrm", "CapAmb")
    return all(sets.get(name, 0) & ~allowed == 0 for name in names)


def _thread_count() -> int:
    try:
        return sum(1 for _ in Path("/proc/self/task").iterdir())
    except OSError:
        return 1


class ViewFailed(RuntimeError):
    """The job folder could not be added to the job's own view of the file system."""


@dataclass
class Prepared:
    """The kernel layers built ahead of a job, while its process waits idle for the request.

    Only the job folder's rule and the final, irreversible steps are left for the job's time.
    """

    ruleset: landlock.Ruleset | landlock.Confinement
    syscall_filter: seccomp.Built | seccomp.Filter
    user_namespace: bool = False  # a user engine's job is in a user namespace of its own
    network: bool = False  # in a network namespace of its own
    view: bool = False  # its own view of the file system is built, the old root still at /.old
    view_error: str = ""


def prepare(facts: WorkerFacts) -> Prepared:
    """Build this process's Landlock ruleset (read roots) and seccomp filter, not yet in force,
    and its own view of the file system (the job folder is added when the job arrives)."""
    read_paths = [*facts.read_roots, *roots.system_read_paths()]
    rules = landlock.ruleset()
    if isinstance(rules, landlock.Ruleset):
        try:
            rules.allow(read_paths, landlock.READ)
            rules.allow(roots.SYSTEM_WRITE_FILES, landlock.JOB_FOLDER)
        except OSError as exc:
            rules.close()
            rules = landlock.Confinement(rules.abi, False, error=str(exc))
    template = facts.syscall_template
    prepared = Prepared(rules, seccomp.for_process(template) if template is not None else seccomp.build())
    user = os.geteuid() != 0
    view = facts.mount_namespace and mounts.supported()
    entered = limits.enter_namespaces(user=user, mounts=view, network=facts.network_namespace)
    if not entered and view:
        prepared.view_error = "the kernel refused a mount namespace"
        view = False
        entered = limits.enter_namespaces(user=user, network=facts.network_namespace)
    prepared.user_namespace = user and entered
    prepared.network = facts.network_namespace and entered
    if view:
        try:
            mounts.prepare_view(read_paths)
            prepared.view = True
        except OSError as exc:
            prepared.view_error = str(exc)
    return prepared


def _confine_files(rules: landlock.Ruleset | landlock.Confinement, job_dir: Path) -> landlock.Confinement:
    if isinstance(rules, landlock.Confinement):
        return rules
    try:
        rules.allow([str(job_dir)], landlock.JOB_FOLDER)
    except OSError as exc:
        rules.close()
        return landlock.Confinement(rules.abi, False, error=str(exc))
    return landlock.enforce(rules)


def contain(
    request: dict[str, Any], job_dir: Path, reply_fd: int, facts: WorkerFacts, prepared: Prepared
) -> dict[str, Any]:
    """Set this process up for the job and confine it. Returns the layers now in force."""
    steps: dict[str, float] = {}
    clock = [time.perf_counter()]

    def lap(name: str) -> None:
        now = time.perf_counter()
        steps[name] = round((now - clock[0]) * 1000, 3)
        clock[0] = now

    threads = _thread_count()  # before the view without /proc; a forked job starts none
    # The script's output goes to the engine's copy of its folder (limited by RLIMIT_FSIZE).
    on_machine = Path(mounts.OLD_ROOT + str(job_dir)) if prepared.view else job_dir
    log = os.open(on_machine / "log.txt", os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, 0o600)
    if prepared.view:
        scratch = None
        if request.get("kind", "script") == "script":  # its folder is scratch space, counted
            scratch = (int(request["file_size_mb"]) * MB, SCRATCH_FILES)
        try:
            mounts.enter_view(job_dir, scratch)
        except OSError as exc:  # half a view: the old root may still be reachable, so run nothing
            raise ViewFailed(f"the job's view of the file system could not be finished: {exc}") from None
    lap("view")
    os.chdir(job_dir)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    limits.replace_environment(job_dir)
    disabled = set(request.get("disable") or ())
    lap("folder")
    network = prepared.network or (bool(request["isolate_network"]) and limits.isolate_network(
        in_own_user_namespace=prepared.user_namespace))
    lap("network")
    view_error = prepared.view_error
    mount_namespace = prepared.view
    # Read-search stays only where the job could not otherwise reach its read roots or its folder.
    # In its own view the folders above them are the view's own (open); without one, the machine's.
    if mount_namespace:
        closed = facts.root and not all(limits.open_to_others(r, ancestors=False) for r in facts.read_roots)
    else:
        closed = facts.root and not (facts.open_roots and limits.searchable_by_others(str(job_dir.parent)))
    parent = os.getppid()
    identity = limits.drop_privileges(job_dir, become_job_user=facts.root, keep_read_search=closed)
    # A change of user id clears the parent-death signal: set it again, and run nothing if the
    # parent died in between.
    if not limits.set_parent_death_signal() or os.getppid() != parent:
        os._exit(1)
    capabilities = limits.capabilities()
    lap("privileges")
    failed = limits.apply_limits(**job_limits(request, facts))
    ruleset_fd = [prepared.ruleset.fd] if isinstance(prepared.ruleset, landlock.Ruleset) else []
    left_open = descriptors.close_inherited([reply_fd, *ruleset_fd])
    lap("limits")
    report: dict[str, Any] = {
        **static_layers(facts), "network_namespace": network, "resource_limits": not failed,
        "descriptors_closed": left_open == sorted({0, 1, 2, reply_fd, *ruleset_fd}),
        "landlock": False, "seccomp": False, "unrestricted": [],
        # Capabilities left: none, or read-search alone where the read roots are closed to others.
        "no_capabilities": not identity and _no_capabilities(capabilities, facts),
        "mount_namespace": mount_namespace,
        "uid": os.getuid(),
        "read_search": bool(capabilities.get("CapEff", 0) & 1 << limits.CAP_DAC_READ_SEARCH),
    }
    if identity:
        report["identity_error"] = identity
    if view_error:
        report["mount_namespace_error"] = view_error
    if "landlock" in disabled and isinstance(prepared.ruleset, landlock.Ruleset):
        prepared.ruleset.close()
    if "landlock" not in disabled:
        confined = _confine_files(prepared.ruleset, job_dir)
        # Landlock confines the calling thread only: with other threads running it does not hold.
        report["landlock"] = confined.applied and threads == 1
        report["landlock_abi"] = confined.abi
        report["unrestricted"] = confined.unrestricted
        if confined.error:
            report["landlock_error"] = confined.error
        elif threads != 1:
            report["landlock_error"] = f"{threads} threads were running when it was applied"
    lap("landlock")
    if "seccomp" not in disabled:
        syscall_filter = seccomp.apply(prepared.syscall_filter)
        report["seccomp"] = syscall_filter.applied
        if syscall_filter.error:
            report["seccomp_error"] = syscall_filter.error
    lap("seccomp")
    report["setup_ms"] = steps
    return report


def run(
    request: dict[str, Any], reply_fd: int, facts: WorkerFacts, prepared: Prepared,
    announce: Callable[[dict[str, Any]], None],
) -> dict[str, Any]:
    """Contain this process, announce its layers, and run the job's script. Never raises."""
    job_dir = Path(request["job_dir"])
    started = time.perf_counter()
    try:
        report = contain(request, job_dir, reply_fd, facts, prepared)
    except ViewFailed as exc:
        return {"ok": False, "error": {"kind": "crash", "message": str(exc)}}
    contain_ms = round((time.perf_counter() - started) * 1000, 3)
    kind = request.get("kind", "script")
    python_layers = kind == "script" and bool(request.get("python_layers", True))
    report["static_policy"] = python_layers and bool(request["check_policy"])
    report["audit_hook"] = python_layers and report["audit_hook"]
    required = list(request.get("require") or [])
    missing = [layer for layer in required if not report.get(layer)]
    announce(report)
    if missing:
        message = layers.refusal(missing, request.get("disable") or (), report)
        error = {"kind": "sandbox_unavailable", "message": message, "hint": layers.REFUSAL_HINT}
        return {"ok": False, "error": error}
    if kind == "check":
        payload = runner.check_part(
            job_dir, linear_tolerance=float(request["linear_tolerance"]),
            angular_tolerance=float(request["angular_tolerance"]),
            max_bytes=int(request["file_size_mb"]) * MB,
        )
        payload.setdefault("timings", {})["check_contain_ms"] = contain_ms
        return payload
    if kind == "thumbnail":
        return runner.draw_thumbnail(job_dir)
    hook = AuditGuard(job_dir, facts.read_roots) if python_layers else None
    payload = runner.execute(
        request["source"], job_dir, hook, check_policy=python_layers and bool(request["check_policy"]),
        linear_tolerance=float(request["linear_tolerance"]),
        angular_tolerance=float(request["angular_tolerance"]),
        install_hook=sys.addaudithook if hook is not None else None,
    )
    payload.setdefault("timings", {})["contain_ms"] = contain_ms
    return payload


def header_line(request_id: object, report: dict[str, Any] | None) -> bytes:
    """The first line a job writes: its id and its layers, before the script runs."""
    return json.dumps({"id": request_id, "header": True, "layers": report}).encode() + b"\n"


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
