"""Sandbox latency: the warm pool against a fresh interpreter, on reference parts; and what the
kernel layers (Landlock, seccomp, closed descriptors) add to a simple part.

Each comparison is measured in the same run, so the ratio holds on a noisy machine. The fresh
interpreter is what running a script without a warm worker costs: start Python, import the CAD
libraries, run, validate, export. The kernel layers are measured with two warm pools, one with
them and one with them switched off (`sandbox.disable`), taking turns job by job.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import percentile, write
from partsmith.config import ExportSettings, SandboxSettings
from partsmith.paths import PACKAGE
from partsmith.sandbox import SandboxPool
from partsmith.sandbox.limits import scrubbed_env

EXAMPLES = PACKAGE / "generate" / "examples"
PARTS = {
    "simple": """from build123d import *
length = 40  # mm
width = 30  # mm
thickness = 5  # mm
hole_diameter = 8  # mm
result = Box(length, width, thickness) - Cylinder(hole_diameter / 2, thickness)
""",
    "plate (4 holes)": (EXAMPLES / "plate.py").read_text(),
    "medium": """from build123d import *
outer = 60  # mm
inner = 40  # mm
height = 20  # mm
bolts = 6
with BuildPart() as flange:
    Cylinder(outer / 2, height / 4)
    Cylinder(inner / 2 - 5, height, align=(Align.CENTER, Align.CENTER, Align.MIN))
    with PolarLocations(outer / 2 - 6, bolts):
        Hole(radius=2.5)
    Hole(radius=inner / 2 - 10)
    fillet(flange.edges().filter_by(GeomType.CIRCLE).group_by(Axis.Z)[-1], radius=1)
result = flange.part
""",
    "complex": """from build123d import *
length = 80  # mm
width = 50  # mm
height = 30  # mm
wall = 2  # mm
with BuildPart() as box:
    Box(length, width, height)
    fillet(box.edges().filter_by(Axis.Z), radius=6)
    offset(amount=-wall, openings=box.faces().sort_by(Axis.Z)[-1])
    with GridLocations(12, 12, 5, 3):
        Cylinder(2.5, height * 0.6, mode=Mode.ADD, align=(Align.CENTER, Align.CENTER, Align.MAX))
    with BuildSketch(box.faces().sort_by(Axis.X)[0]) as vents:
        with GridLocations(6, 0, 5, 1):
            SlotCenterToCenter(12, 2, rotation=90)
    extrude(amount=-wall, mode=Mode.SUBTRACT)
result = box.part
""",
}
WARM_RUNS = 30
IDLE_GAP_S = 0.25
FRESH_RUNS = 5
KERNEL_PAIRS = 60


def kernel_layers_cost(root: Path) -> dict[str, float]:
    """The simple part with and without the kernel layers, interleaved, from an idle pool each."""
    with_layers = SandboxSettings(workers=1, timeout_s=60)
    without = SandboxSettings(workers=1, timeout_s=60, disable=["landlock", "seccomp", "mount_namespace"],
                              require=[])
    totals: dict[str, list[float]] = {"with": [], "without": []}
    contain: dict[str, list[float]] = {"with": [], "without": []}
    steps: dict[str, list[float]] = {}
    with SandboxPool(with_layers, ExportSettings(), jobs_dir=root / "with") as on, \
            SandboxPool(without, ExportSettings(), jobs_dir=root / "without") as off:
        on.warm()
        off.warm()
        layers = on.run(PARTS["simple"]).layers
        if not (layers.get("landlock") and layers.get("seccomp")):
            raise RuntimeError(f"the kernel layers are not active here: {layers}")
        off.run(PARTS["simple"])
        for index in range(KERNEL_PAIRS * 2):
            name, pool = (("with", on), ("without", off))[index % 2]
            time.sleep(IDLE_GAP_S)
            started = time.perf_counter()
            result = pool.run(PARTS["simple"])
            totals[name].append((time.perf_counter() - started) * 1000)
            # A part is two jobs now (the script, then the check of its shape): both set-ups.
            contain[name].append(result.timings["contain_ms"] + result.timings.get("check_contain_ms", 0.0))
            if name == "with":
                for step, ms in (result.layers.get("setup_ms") or {}).items():
                    steps.setdefault(step, []).append(float(ms))
    figures = {
        "with_p50_ms": percentile(totals["with"], 50),
        "without_p50_ms": percentile(totals["without"], 50),
        "contain_with_p50_ms": percentile(contain["with"], 50),
        "contain_without_p50_ms": percentile(contain["without"], 50),
        "landlock_abi": float(layers.get("landlock_abi") or 0),
        **{f"step_{step}_p50_ms": percentile(values, 50) for step, values in steps.items()},
    }
    figures["added_p50_ms"] = figures["with_p50_ms"] - figures["without_p50_ms"]
    # Each job with the layers against the job without them that ran right after it: the load
    # of the machine at that moment cancels out.
    paired = [a - b for a, b in zip(totals["with"], totals["without"], strict=True)]
    figures["added_paired_p50_ms"] = percentile(paired, 50)
    figures["ratio_p50"] = figures["with_p50_ms"] / figures["without_p50_ms"]
    return figures


def fresh_run(script: str, job_dir: Path) -> float:
    """One job in a new interpreter: the worker started for this one job, then stopped."""
    request = {"id": "fresh", "job_dir": str(job_dir), "source": script, "timeout_s": 60,
               "memory_mb": 2048, "file_size_mb": 256, "isolate_network": True,
               "check_policy": True, "linear_tolerance": 0.05, "angular_tolerance": 0.2}
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "partsmith.sandbox.worker", "--mode", "spawn"],
        input=json.dumps(request).encode() + b"\n", capture_output=True, env=scrubbed_env(),
        check=True,
    )
    elapsed = (time.perf_counter() - started) * 1000
    reply = json.loads(out.stdout.splitlines()[-1])
    if not reply.get("ok"):
        raise RuntimeError(f"fresh run failed: {reply}")
    return elapsed


def main() -> None:
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        kernel = kernel_layers_cost(root / "kernel")
        settings = SandboxSettings(workers=1, timeout_s=60)
        with SandboxPool(settings, ExportSettings(), jobs_dir=root / "jobs") as pool:
            pool.warm()
            for name, script in PARTS.items():
                pool.run(script)  # the first job of a kind touches pages once
                idle, busy = [], []
                for _ in range(WARM_RUNS):
                    # A user's job arrives at an idle pool: the next child is already forked.
                    time.sleep(IDLE_GAP_S)
                    started = time.perf_counter()
                    pool.run(script)
                    idle.append((time.perf_counter() - started) * 1000)
                for _ in range(WARM_RUNS):
                    # Back to back: each job also waits for the previous child's teardown and fork.
                    started = time.perf_counter()
                    pool.run(script)
                    busy.append((time.perf_counter() - started) * 1000)
                results[name] = {"warm_p50_ms": percentile(idle, 50), "warm_p95_ms": percentile(idle, 95),
                                 "back_to_back_p50_ms": percentile(busy, 50),
                                 "back_to_back_p95_ms": percentile(busy, 95)}
        for name, script in PARTS.items():
            fresh = []
            for index in range(FRESH_RUNS):
                job = root / f"fresh-{name.split()[0]}-{index}"
                job.mkdir()
                fresh.append(fresh_run(script, job))
            results[name].update({"fresh_p50_ms": percentile(fresh, 50),
                                  "fresh_p95_ms": percentile(fresh, 95)})
            results[name]["speedup_p50"] = results[name]["fresh_p50_ms"] / results[name]["warm_p50_ms"]
    lines = ["| part | warm p50 ms | warm p95 ms | back-to-back p50 / p95 ms | fresh p50 ms | "
             "fresh p95 ms | speed-up (p50) |", "|---|---|---|---|---|---|---|"]
    for name, r in results.items():
        lines.append(f"| {name} | {r['warm_p50_ms']:.1f} | {r['warm_p95_ms']:.1f} | "
                     f"{r['back_to_back_p50_ms']:.0f} / {r['back_to_back_p95_ms']:.0f} | "
                     f"{r['fresh_p50_ms']:.0f} | {r['fresh_p95_ms']:.0f} | {r['speedup_p50']:.0f}x |")
    lines += [
        "",
        f"Kernel layers (Landlock ABI {kernel['landlock_abi']:.0f}, seccomp, the job's own view of the "
        f"file system) on the simple part, {KERNEL_PAIRS} parts each, interleaved; a part is a script "
        "job and the check of its shape, each in a fresh process from the zygote, without a capability "
        "and in its own namespaces with or without these layers:",
        "",
        "| | with | without | added |",
        "|---|---|---|---|",
        f"| job p50 ms | {kernel['with_p50_ms']:.1f} | {kernel['without_p50_ms']:.1f} | "
        f"{kernel['added_p50_ms']:+.1f} ({kernel['ratio_p50']:.3f}x) |",
        f"| job, paired difference p50 ms | | | {kernel['added_paired_p50_ms']:+.1f} |",
        f"| set-up in the job process p50 ms | {kernel['contain_with_p50_ms']:.2f} | "
        f"{kernel['contain_without_p50_ms']:.2f} | "
        f"{kernel['contain_with_p50_ms'] - kernel['contain_without_p50_ms']:+.2f} |",
        "",
        "Set-up of the script job, by step (p50 ms, with the layers): " + ", ".join(
            f"{key[5:-7]} {value:.2f}" for key, value in kernel.items() if key.startswith("step_")),
    ]
    write("sandbox", {"parts": results, "kernel_layers": kernel, "warm_runs": WARM_RUNS,
                      "fresh_runs": FRESH_RUNS, "kernel_pairs": KERNEL_PAIRS},
          "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
