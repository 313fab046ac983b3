"""The system calls real jobs make once their seccomp filter is in force: the measurement behind
the filter's allow-list (partsmith.sandbox.seccomp.ALLOWED).

    python -m bench.syscalls

Runs a warm pool whose worker is traced by strace (following every job process and its threads)
over a corpus of real jobs: every kit family's examples, every program of the CadQueryEval
fixtures, the structured route's example programs (every program feature), the code examples the
model is shown, the simple prompts' reference scripts, text, a script that fails and one that a
feature of the kit refuses; each part's check job (STEP, STL and GLB export) and, for every tenth,
its picture. Only calls made after a process loaded its filter count (the set-up before it is not
filtered). Writes bench/results/syscalls.json: each call seen, how often, and whether the
allow-list has it; exits 1 when a call seen is missing from it.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any
from unittest import mock

from bench.common import RESULTS, write
from partsmith.config import ExportSettings, SandboxSettings
from partsmith.generate.structured import render
from partsmith.kit import FAMILIES
from partsmith.paths import CHECKOUT, PACKAGE
from partsmith.program import compile_program, parse
from partsmith.program.examples import examples as program_examples
from partsmith.program.schema import kit_type
from partsmith.sandbox import SandboxPool, seccomp

LINE = re.compile(r"^(\d+)\s+(?:<\.\.\. )?([a-z0-9_]+)[( ]")
CLONED = re.compile(r"^(\d+)\s+(?:<\.\.\. )?clone3?\b.*= (\d+)$")


def corpus() -> list[tuple[str, str]]:
    """(name, script) for every kind of job the engine sends."""
    jobs: list[tuple[str, str]] = []
    for name, entry in sorted(FAMILIES.items()):
        for index, (_, params) in enumerate(entry.examples):
            jobs.append((f"kit:{name}:{index}",
                         render(parse({"features": [{"type": kit_type(name), **params}]}))))
    for index, example in enumerate(program_examples()):
        jobs.append((f"program-example:{index}", compile_program(example.program)))
    fixtures = CHECKOUT / "tests" / "program" / "fixtures" / "cadqueryeval"
    for path in sorted(fixtures.glob("*.json")):
        jobs.append((f"program:{path.stem}", compile_program(parse(json.loads(path.read_text())))))
    for path in sorted((PACKAGE / "generate" / "examples").glob("*.py")):
        if path.name != "__init__.py":
            jobs.append((f"example:{path.stem}", path.read_text()))
    tasks = CHECKOUT / "bench" / "evals" / "oracle" / "tasks.jsonl"
    for line in tasks.read_text().splitlines():
        task = json.loads(line)
        jobs.append((f"simple:{task['id']}", task["reference_script"]))
    jobs.append(("text", "from build123d import *\nresult = extrude(Text('Hi', 10), 2)\n"))
    jobs.append(("error", "from build123d import *\nresult = Box(1, 1, 1) / 0\n"))
    jobs.append(("feature-error", render(parse({"features": [
        {"type": "plate", "length": 10, "width": 10, "thickness": 2, "hole_diameter": 30,
         "holes": "center"}]}))))
    return jobs


# Calls whose argument decides whether they are allowed: the request or command seen.
ARGUMENT = re.compile(r"^\d+\s+(ioctl|fcntl|prctl)\((?:\d+, )?([A-Z_0-9x]+)")


def traced_calls(trace: Path) -> tuple[Counter[str], Counter[str]]:
    """Calls made by each process after its own seccomp() call, and by threads it started then;
    and the requests of the calls allowed by argument (ioctl, fcntl, prctl)."""
    confined: set[str] = set()
    seen: Counter[str] = Counter()
    requests: Counter[str] = Counter()
    for line in trace.read_text(errors="replace").splitlines():
        match = LINE.match(line)
        if not match:
            continue
        pid, call = match.groups()
        if pid in confined:
            seen[call] += 1
            argument = ARGUMENT.match(line)
            if argument:
                requests[f"{argument.group(1)} {argument.group(2)}"] += 1
            cloned = CLONED.match(line)
            if cloned:
                confined.add(cloned.group(2))
        elif call == "seccomp" and "SECCOMP_SET_MODE_FILTER" in line and line.endswith("= 0"):
            confined.add(pid)
    return seen, requests


def measure(trace: Path) -> tuple[int, list[str]]:
    """Run the corpus in a traced pool; the number of jobs and the ones that failed."""
    real_popen = subprocess.Popen

    def traced(args: list[str], **kwargs: Any) -> Any:
        strace = shutil.which("strace") or "strace"
        return real_popen([strace, "-f", "-qq", "-o", str(trace), *args], **kwargs)

    failed: list[str] = []
    jobs = corpus()
    with mock.patch("subprocess.Popen", traced), tempfile.TemporaryDirectory() as scratch:
        settings = SandboxSettings(workers=1, timeout_s=120)
        with SandboxPool(settings, ExportSettings(), jobs_dir=Path(scratch)) as pool:
            pool.warm()
            for number, (name, script) in enumerate(jobs):
                try:
                    made = pool.run(script)
                    if number % 10 == 0:  # the picture job too
                        pool.draw_thumbnail(made)
                except Exception as exc:  # noqa: BLE001 - the failing jobs are part of it
                    if name not in ("error", "feature-error"):
                        failed.append(f"{name}: {exc}")
    return len(jobs), failed


def main(argv: list[str] | None = None) -> int:
    if shutil.which("strace") is None:
        print("strace is needed (Debian: apt-get install strace)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as scratch:
        trace = Path(scratch) / "trace"
        count, failed = measure(trace)
        seen, requests = traced_calls(trace)
    allowed = set(seccomp.ALLOWED) | {name for name, rule in seccomp.ALLOWED_WITH_RULES
                                      if not rule.startswith("refused")}
    # Tried and refused on purpose, with a fallback the C library takes (clone3, then clone).
    refused = {name for name, rule in seccomp.ALLOWED_WITH_RULES if rule.startswith("refused")}
    missing = sorted(set(seen) - allowed - refused)
    result = {
        "jobs": count,
        "failed_jobs": failed,
        "calls": {name: {"count": seen[name], "allowed": name in allowed,
                         "refused_on_purpose": name in refused} for name in sorted(seen)},
        "requests": dict(sorted(requests.items())),
        "missing_from_allow_list": missing,
        "allowed_never_seen": sorted(allowed - set(seen)),
    }
    RESULTS.mkdir(exist_ok=True)
    write("syscalls", result, _table(result))
    print(f"{count} jobs, {len(seen)} distinct calls after the filter; missing: {missing or 'none'}")
    return 1 if missing or failed else 0


def _table(result: dict[str, Any]) -> str:
    lines = [f"System calls of {result['jobs']} real jobs after their filter loaded "
             "(strace; every kit family, the CadQueryEval programs, the example programs, the code "
             "examples, the simple prompts' references, text, two failing jobs; each part's check "
             "job and some pictures):", "",
             "| call | times | allowed |", "|---|---|---|"]
    for name, row in result["calls"].items():
        verdict = "yes" if row["allowed"] else ("refused (falls back)" if row.get("refused_on_purpose")
                                                else "**no**")
        lines.append(f"| {name} | {row['count']} | {verdict} |")
    lines += ["", "Requests of the calls allowed by argument: " + ", ".join(
        f"{name} ({count})" for name, count in result["requests"].items())]
    lines += ["", "Allowed but not seen here (kept for other machines or rarer paths): "
              + ", ".join(result["allowed_never_seen"])]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
