"""Set up Partsmith from nothing: system packages, a virtual environment, pinned Python packages.

Standard library only, since it runs before anything is installed. A second run with nothing
changed takes seconds: the environment carries a stamp of what it was built from, and the
llama.cpp wheel (a 4-5 minute compile) is cached outside the clone, keyed by its version and its
build flags, in the user's cache folder.

    python3 scripts/setup.py            # the engine, for the main job
    python3 scripts/setup.py --tests    # plus test tools and the Debian packages the tests use
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONSTRAINTS = ROOT / "scripts" / "constraints.txt"
LLAMA_VERSION = "0.3.36"
TORCH_VERSION = "2.13.0"
# Debian packages the test suite drives for real: FreeCAD, Blender and a virtual screen for their GUIs.
TEST_DEBIAN_PACKAGES = ["freecad", "blender", "xvfb", "xauth", "xdotool", "imagemagick"]
# Blender's Python is separate from the engine's: the add-on's tests run in the bpy wheel, in an
# environment of its own, with numpy below 2 as Blender 4.2 ships.
BLENDER_PACKAGES = ["bpy==4.2.0", "numpy==1.26.4"]


def say(message: str) -> None:
    print(f"[setup] {message}", flush=True)


def run(cmd: list[str], env: dict[str, str] | None = None) -> None:
    say(" ".join(cmd) if len(cmd) < 12 else " ".join([*cmd[:11], "..."]))
    subprocess.run(cmd, check=True, env=env)


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(os.environ.get("PARTSMITH_CACHE", Path(base) / "partsmith"))


def venv_dir() -> Path:
    return Path(os.environ.get("PARTSMITH_VENV", ROOT / ".venv"))


def has_cuda() -> bool:
    return shutil.which("nvidia-smi") is not None or Path("/proc/driver/nvidia").exists()


def ensure_debian_packages(packages: list[str]) -> None:
    missing = [p for p in packages if not _dpkg_installed(p)]
    if not missing:
        return
    if shutil.which("apt-get") is None:
        say(f"not a Debian system: install these yourself for the GUI tests: {' '.join(missing)}")
        return
    if os.geteuid() != 0:
        say(
            "the tests need these Debian packages; install them once with:\n"
            f"    sudo apt-get install -y {' '.join(missing)}"
        )
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run(["apt-get", "update", "-qq"], env=env)
    run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], env=env)


def _dpkg_installed(package: str) -> bool:
    if shutil.which("dpkg-query") is None:
        return False
    out = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True, check=False
    )
    return "install ok installed" in out.stdout


# x86 instruction sets llama.cpp can use, by their /proc/cpuinfo flag.
X86_FEATURES = {
    "avx": "GGML_AVX", "avx2": "GGML_AVX2", "fma": "GGML_FMA", "f16c": "GGML_F16C",
    "avx_vnni": "GGML_AVX_VNNI", "avx512f": "GGML_AVX512", "avx512vbmi": "GGML_AVX512_VBMI",
    "avx512_vnni": "GGML_AVX512_VNNI", "avx512_bf16": "GGML_AVX512_BF16",
}


def llama_cmake_args() -> str:
    """The llama.cpp build flags: CMAKE_ARGS when set, else a default for this machine.

    The default on x86 names this CPU's instruction sets instead of building with -march=native,
    because a native build also compiles AMX kernels, and those crash where the CPU advertises
    AMX but the kernel or hypervisor does not grant it (seen on cloud VMs).
    """
    if "CMAKE_ARGS" in os.environ:
        return os.environ["CMAKE_ARGS"]
    if has_cuda() and shutil.which("nvcc"):
        return "-DGGML_CUDA=on"
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
    except OSError:
        return ""
    flags = next((line.split(":", 1)[1].split() for line in cpuinfo.splitlines()
                  if line.startswith("flags")), [])
    if not flags:
        return ""
    wanted = [f"-D{option}=ON" for feature, option in X86_FEATURES.items() if feature in flags]
    return " ".join(["-DGGML_NATIVE=OFF", *wanted])


def llama_wheel(python: Path) -> Path:
    """Return a llama-cpp-python wheel built with `llama_cmake_args()`, building it once.

    pip's own wheel cache ignores CMAKE_ARGS, so a CPU wheel would be reused for a CUDA build;
    this cache is keyed by the version, the flags and the interpreter instead.
    """
    flags = llama_cmake_args()
    tag = f"{LLAMA_VERSION}|{flags}|{sys.implementation.cache_tag}|{os.uname().machine}"
    key = hashlib.sha256(tag.encode()).hexdigest()[:16]
    folder = cache_dir() / "wheels" / f"llama-cpp-python-{LLAMA_VERSION}-{key}"
    wheels = sorted(folder.glob("llama_cpp_python-*.whl"))
    if wheels:
        say(f"llama.cpp wheel from cache: {wheels[0]}")
        return wheels[0]
    say(f"building llama.cpp {LLAMA_VERSION} (CMAKE_ARGS={flags!r}); this takes a few minutes once")
    scratch = folder.with_name(folder.name + ".partial")
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    run(
        [str(python), "-m", "pip", "wheel", "--no-deps", "--no-cache-dir", "-w", str(scratch),
         f"llama-cpp-python=={LLAMA_VERSION}"],
        env={**os.environ, "CMAKE_ARGS": flags},
    )
    shutil.rmtree(folder, ignore_errors=True)
    scratch.rename(folder)
    return sorted(folder.glob("llama_cpp_python-*.whl"))[0]


def stamp_of(extras: str) -> str:
    """What the environment was built from; the dev extras include the plain install."""
    digest = hashlib.sha256()
    for path in (ROOT / "pyproject.toml", CONSTRAINTS, Path(__file__)):
        digest.update(path.read_bytes())
    digest.update(f"{llama_cmake_args()}|{sys.version}".encode())
    return f"{digest.hexdigest()} {extras}"


def up_to_date(stamp_file: Path, stamp: str) -> bool:
    if not stamp_file.exists():
        return False
    built = stamp_file.read_text().split(" ")
    wanted = stamp.split(" ")
    return built[0] == wanted[0] and _extras(wanted) <= _extras(built)


def _extras(stamp: list[str]) -> set[str]:
    """The extras a stamp names: "[dev,train]" -> {"dev", "train"}."""
    return {name for name in " ".join(stamp[1:]).strip("[] ").split(",") if name}


def ensure_venv(extras: str) -> Path:
    target = venv_dir()
    python = target / "bin" / "python"
    stamp_file = target / ".partsmith-stamp"
    stamp = stamp_of(extras)
    if python.exists() and up_to_date(stamp_file, stamp):
        say(f"environment {target} is up to date")
        return python
    if not python.exists():
        say(f"creating the virtual environment {target}")
        venv.EnvBuilder(with_pip=True, clear=True).create(target)
    pip = [str(python), "-m", "pip", "--disable-pip-version-check"]
    run([*pip, "install", "-q", "--upgrade", "pip", "setuptools", "wheel"])
    # torch first and pinned: left to sentence-transformers, pip pulls several GB of CUDA wheels.
    torch = [*pip, "install", "-q", "-c", str(CONSTRAINTS), f"torch=={TORCH_VERSION}"]
    if not has_cuda() and os.environ.get("PARTSMITH_TORCH_INDEX"):
        torch += ["--extra-index-url", os.environ["PARTSMITH_TORCH_INDEX"]]
    run(torch)
    run([*pip, "install", "-q", str(llama_wheel(python))])
    run([*pip, "install", "-q", "-c", str(CONSTRAINTS), "-e", f"{ROOT}{extras}"])
    # pip adds to what is installed: extras installed before from the same sources are still there.
    built = stamp_file.read_text().split(" ") if stamp_file.exists() else []
    names = _extras(stamp.split(" ")) | (_extras(built) if built[:1] == stamp.split(" ")[:1] else set())
    stamp_file.write_text(stamp_of(f"[{','.join(sorted(names))}]" if names else ""))
    return python


def blender_python() -> str | None:
    """A Python 3.11 for the bpy 4.2 wheel (cp311 only)."""
    if sys.version_info[:2] == (3, 11):
        return sys.executable
    return shutil.which("python3.11")


def ensure_blender_venv() -> None:
    target = Path(os.environ.get("PARTSMITH_BLENDER_VENV", ROOT / ".venv-blender"))
    python = target / "bin" / "python"
    stamp_file = target / ".partsmith-stamp"
    stamp = " ".join(BLENDER_PACKAGES)
    if python.exists() and stamp_file.exists() and stamp_file.read_text() == stamp:
        say(f"Blender environment {target} is up to date")
        return
    base = blender_python()
    if base is None:
        say("no Python 3.11 found: the bpy 4.2 wheel needs it; the Blender tests cannot run")
        return
    say(f"creating the Blender environment {target} ({', '.join(BLENDER_PACKAGES)})")
    run([base, "-m", "venv", "--clear", str(target)])
    run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *BLENDER_PACKAGES])
    stamp_file.write_text(stamp)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", action="store_true", help="also install test tools and packages")
    parser.add_argument("--train", action="store_true", help="also install the training packages")
    args = parser.parse_args()
    if sys.version_info < (3, 11):  # noqa: UP036 - this script runs on whatever python3 is
        say(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}")
        return 1
    if args.tests:
        ensure_debian_packages(TEST_DEBIAN_PACKAGES)
    try:
        # The tests cover training too, so they install its extra; `make demo` installs neither.
        wanted = {"dev": args.tests, "train": args.tests or args.train}
        extras = [name for name, on in wanted.items() if on]
        python = ensure_venv(f"[{','.join(extras)}]" if extras else "")
        if args.tests:
            ensure_blender_venv()
    except subprocess.CalledProcessError as exc:
        say(f"set-up failed while running: {' '.join(map(str, exc.cmd))}")
        say("the output above says why; fix that and run the same command again")
        return 1
    say(f"ready: {python.parent / 'partsmith'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
