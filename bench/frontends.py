"""How long the front ends take to put a part into the scene: Blender importing the engine's GLB
(the bpy 4.2 wheel) and FreeCAD reading its STEP into a parametric object (freecadcmd), for a
simple and a detailed part. Each figure is the median of 5 runs inside the program, next to the
engine's own time to make the same part (the baseline in this run)."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path

from bench.common import write
from partsmith.sandbox import SandboxPool

ROOT = Path(__file__).resolve().parents[1]
PARTS = {
    "plate": "from partsmith.kit import plate\nresult = plate(holes='corners', hole_diameter=4)",
    "gear": "from partsmith.kit import spur_gear\nresult = spur_gear(teeth=40, module=1.5)",
}
BLENDER = """
import json, os, sys, time, bpy
times = []
for _ in range(5):
    for o in list(bpy.data.objects):
        bpy.data.objects.remove(o)
    t = time.perf_counter()
    bpy.ops.import_scene.gltf(filepath=sys.argv[1])
    times.append((time.perf_counter() - t) * 1000)
print("RESULT", json.dumps(times), flush=True)
os._exit(0)
"""
FREECAD = """
import json, os, time
import FreeCAD as App, Part
times = []
for _ in range(5):
    doc = App.newDocument("b")
    t = time.perf_counter()
    obj = doc.addObject("Part::Feature", "p")
    obj.Shape = Part.read(os.environ["STEP"])
    doc.recompute()
    times.append((time.perf_counter() - t) * 1000)
    App.closeDocument(doc.Name)
print("RESULT", json.dumps(times), flush=True)
os._exit(0)
"""


def _result(output: str) -> list[float]:
    """The figures a program printed (FreeCAD's progress output shares the line, so search)."""
    if "RESULT " not in output:
        raise RuntimeError(f"no figures in the program's output: {output[-500:]}")
    return list(json.loads(output.split("RESULT ", 1)[1].splitlines()[0]))


def main() -> None:
    figures: dict[str, dict[str, float | None]] = {}
    blender_python = ROOT / ".venv-blender" / "bin" / "python"
    with tempfile.TemporaryDirectory() as scratch, SandboxPool() as pool:
        folder = Path(scratch)
        (folder / "time_blender_import.py").write_text(BLENDER)
        (folder / "time_freecad_insert.py").write_text(FREECAD)
        pool.warm()
        for name, script in PARTS.items():
            pool.run(script)
            made = [pool.run(script) for _ in range(5)]
            engine_ms = statistics.median(r.timings["total_ms"] for r in made)
            files = made[-1].artifacts
            row: dict[str, float | None] = {"engine_make_ms": engine_ms, "blender_import_ms": None,
                                            "freecad_insert_ms": None}
            if blender_python.exists():
                command = [str(blender_python), str(folder / "time_blender_import.py"), str(files["glb"])]
                out = subprocess.run(command,
                                     capture_output=True, text=True, timeout=300,
                                     env={**os.environ, "HOME": scratch})
                row["blender_import_ms"] = statistics.median(_result(out.stdout))
            if shutil.which("freecadcmd"):
                env = {**os.environ, "STEP": str(files["step"]), "HOME": scratch}
                command = ["freecadcmd", str(folder / "time_freecad_insert.py")]
                out = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)
                row["freecad_insert_ms"] = statistics.median(_result(out.stdout))
            figures[name] = row

    def cell(value: float | None) -> str:
        return f"{value:.0f}" if value is not None else "n/a"

    lines = ["| part | engine makes it (ms) | Blender imports the GLB (ms) | FreeCAD inserts the STEP (ms) |",
             "|---|---|---|---|"]
    lines += [f"| {name} | {cell(r['engine_make_ms'])} | {cell(r['blender_import_ms'])} | "
              f"{cell(r['freecad_insert_ms'])} |" for name, r in figures.items()]
    table = "Front-end import times (median of 5)\n\n" + "\n".join(lines) + "\n"
    write("frontends", {"figures": figures}, table)


if __name__ == "__main__":
    main()
