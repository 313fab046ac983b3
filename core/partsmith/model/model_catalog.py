"""The model catalog (models/catalog.toml), downloads, and choosing a model for this machine."""

from __future__ import annotations

import hashlib
import os
import shutil
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from partsmith.errors import ModelError
from partsmith.model.hardware import gpu_devices
from partsmith.paths import models_dir

EMBEDDED = "gemma3-270m"


@dataclass(frozen=True)
class ModelInfo:
    id: str
    name: str
    size_gb: float
    n_ctx: int
    vram_gb: float
    ram_gb: float
    licence: str
    writes_code: bool
    quality: int
    good_for: str
    repo: str | None = None
    files: tuple[str, ...] = ()
    sha256: tuple[str, ...] = ()
    package: str | None = None
    chat_format: str | None = None
    adapter: str | None = None  # a LoRA adapter GGUF in models/, applied when the file is there

    @property
    def embedded(self) -> bool:
        return self.package is not None


def adapter_path(info: ModelInfo) -> Path | None:
    """The model's LoRA adapter file in models/, or None when it names none or it is absent (a
    checkout without the trained adapter runs the bare model, as before)."""
    if not info.adapter:
        return None
    path = models_dir() / info.adapter
    return path if path.is_file() else None


def catalog() -> dict[str, ModelInfo]:
    path = models_dir() / "catalog.toml"
    try:
        text = path.read_text()
    except OSError as exc:
        raise ModelError(f"cannot read the model catalog {path}: {exc.strerror}",
                         hint="set PARTSMITH_MODELS_DIR to the project's models/ folder") from None
    entries: dict[str, Any] = tomllib.loads(text)["models"]
    models = {}
    for model_id, entry in entries.items():
        entry = dict(entry)
        entry["files"] = tuple(entry.get("files", ()))
        sha = entry.get("sha256", ())
        entry["sha256"] = (sha,) if isinstance(sha, str) else tuple(sha)
        models[model_id] = ModelInfo(id=model_id, **entry)
    return models


def get(model_id: str) -> ModelInfo:
    models = catalog()
    if model_id not in models:
        raise ModelError(f"no model {model_id!r} in the catalog",
                         hint=f"known models: {', '.join(models)}")
    return models[model_id]


def local_path(info: ModelInfo) -> Path | None:
    """The model's file on this machine (the first part of a split model), or None."""
    if info.package:
        import importlib

        module = importlib.import_module(info.package)
        return Path(module.assemble())
    assert info.repo
    from huggingface_hub import try_to_load_from_cache

    paths = [try_to_load_from_cache(info.repo, name) for name in info.files]
    if all(isinstance(p, str) and Path(p).exists() for p in paths):
        return Path(str(paths[0]))
    return None


def _progress_bar(report: Callable[[int, int], None]) -> type:
    """huggingface_hub's progress bar, also telling `report` (bytes done, bytes in all)."""
    from tqdm.auto import tqdm

    class Reporting(tqdm):  # type: ignore[misc]
        def update(self, n: float | None = 1) -> bool | None:
            shown: bool | None = super().update(n)
            if self.total:
                report(int(self.n), int(self.total))
            return shown

    return Reporting


def pull(info: ModelInfo, on_progress: Callable[[int, int], None] | None = None) -> Path:
    """Download a catalog model (progress bar, resume and HF_TOKEN are huggingface_hub's);
    `on_progress(done, total)` hears the bytes as they arrive."""
    if info.package:
        path = local_path(info)
        assert path is not None
        return path
    assert info.repo
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError

    cache = Path(os.environ.get("HF_HOME", Path.home() / ".cache" / "huggingface"))
    cache.mkdir(parents=True, exist_ok=True)
    free_gb = shutil.disk_usage(cache).free / 1e9
    if free_gb < info.size_gb * 1.05:
        raise ModelError(f"{info.name} needs {info.size_gb:.1f} GB and {cache} has {free_gb:.1f} GB free",
                         hint="free some space or set HF_HOME to a larger disk")
    paths = []
    for index, name in enumerate(info.files):
        try:
            extra: dict[str, Any] = {"tqdm_class": _progress_bar(on_progress)} if on_progress else {}
            # HF_ENDPOINT (a mirror) is read on every pull, not only when huggingface_hub loads.
            path = Path(hf_hub_download(info.repo, name, endpoint=os.environ.get("HF_ENDPOINT"), **extra))
        except (HfHubHTTPError, LocalEntryNotFoundError, OSError) as exc:
            raise ModelError(
                f"downloading {info.repo}/{name} failed: {exc}",
                hint="check the network (or HF_TOKEN for a gated model); run the same command "
                "again to resume",
            ) from None
        if index < len(info.sha256) and info.sha256[index]:
            verify(path, info.sha256[index])
        paths.append(path)
    return paths[0]


def verify(path: Path, expected: str) -> None:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 24), b""):
            digest.update(block)
    if digest.hexdigest() != expected.lower():
        path.unlink(missing_ok=True)
        raise ModelError(f"{path.name} is corrupt (its checksum does not match); it was removed",
                         hint="download it again")


def remove(info: ModelInfo) -> int:
    """Delete a downloaded model from the cache. Returns the bytes freed."""
    if info.package:
        raise ModelError(f"{info.name} ships with Partsmith and cannot be removed")
    from huggingface_hub import scan_cache_dir

    freed = 0
    for repo in scan_cache_dir().repos:
        if repo.repo_id != info.repo:
            continue
        for revision in repo.revisions:
            for file in revision.files:
                if file.file_name in info.files:
                    freed += file.size_on_disk
                    Path(file.blob_path).unlink(missing_ok=True)
                    Path(file.file_path).unlink(missing_ok=True)
    return freed


def gpu_memory_gb() -> float:
    """Total memory of the largest NVIDIA GPU, 0 when none or when llama.cpp cannot offload."""
    import llama_cpp

    if not llama_cpp.llama_supports_gpu_offload():
        return 0.0
    best = 0.0
    for line in gpu_devices():
        try:
            best = max(best, float(line.rsplit(",", 1)[1].strip().split()[0]) / 1024)
        except (IndexError, ValueError):
            continue
    return best


def ram_gb() -> float:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    except (ValueError, OSError):
        return 0.0


@dataclass(frozen=True)
class Selection:
    info: ModelInfo
    path: Path
    note: str | None = None


def choose(requested: str = "auto") -> Selection:
    """The model to use: the one requested, else the best downloaded one that fits this machine."""
    if requested not in {"", "auto"}:
        if requested.endswith(".gguf") or Path(requested).is_file():
            path = Path(requested).expanduser()
            if not path.is_file():
                raise ModelError(f"the model file {path} does not exist")
            info = ModelInfo(id=path.stem, name=path.name, size_gb=path.stat().st_size / 1e9,
                             n_ctx=8192, vram_gb=0, ram_gb=0, licence="unknown", writes_code=True,
                             quality=0, good_for="a model file chosen in the settings")
            return Selection(info, path)
        info = get(requested)
        downloaded = local_path(info)
        if downloaded is None:
            raise ModelError(f"{info.name} is not downloaded yet",
                             hint=f"run `partsmith models pull {info.id}` ({info.size_gb:.1f} GB)")
        return Selection(info, downloaded)
    vram, ram = gpu_memory_gb(), ram_gb()
    fits = [m for m in catalog().values()
            if (m.vram_gb <= vram if vram else m.ram_gb <= ram * 0.6)]
    for info in sorted(fits, key=lambda m: -m.quality):
        found = local_path(info)
        if found is not None:
            note = None
            if info.embedded:
                best = max((m for m in fits if not m.embedded), key=lambda m: m.quality, default=None)
                note = (
                    "using the small embedded model: it writes part programs (bodies and features) "
                    "with its trained adapter, and cannot write code. For code generation run "
                    f"`partsmith models pull {best.id}` ({best.size_gb:.1f} GB)" if best else
                    "using the small embedded model (structured output only)"
                )
            return Selection(info, found, note)
    raise ModelError("no model is available", hint="run `partsmith models pull qwen2_5-coder-1_5b`")
