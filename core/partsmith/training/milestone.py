"""A training run's state published into the repository, so that a later checkout resumes it.

A session that ends takes its machine's files with it: the run's own folder (`train-run/`, never
committed) does not reach the next session's checkout. So at milestones the run writes what a later
session needs into a folder of the repository (`models/run/`), to be committed with the work:

- `latest/`: the adapter as it is now and where the run stands (its step, the data's hash, the
  loss history), written every `publish_every` steps and at the end of the run;
- `step-N/`: each kept adapter that the recipe's mix needs (`publish_steps`).

Each is a peft adapter folder (`adapter_model.safetensors`, `adapter_config.json`,
`partsmith.json`) with the weights in float16, half the size of the run's own float32 copy (a rank-16
adapter of the 270M model is 7.6 MB); `export` reads it as it reads the run's. The optimiser's
moments are not published (they are twice the weights again): a run resumed from here starts a fresh
AdamW and brings its learning rate back over `rewarm` steps (`train.lr_at`), while the schedule
itself stays a function of the step. Writing is atomic: a folder is written beside its place and
renamed into it, so a session killed mid-write leaves the last whole milestone.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

WEIGHTS = "adapter_model.safetensors"
META = "partsmith.json"
CONFIG = "adapter_config.json"
LATEST = "latest"
# The settings a run's weights and schedule depend on: a published state made with others is
# refused, not resumed (its learning rate, batches or adapted modules would not be this run's).
SCHEDULE = ("rank", "alpha", "dropout", "lr", "warmup", "batch", "max_tokens", "seed", "targets")


def step_folder(step: int) -> str:
    return f"step-{step}"


def publish(adapter: Path, folder: Path, name: str, extra: dict[str, Any] | None = None) -> Path:
    """Copy the peft adapter folder `adapter` to `folder/name` with float16 weights, adding `extra`
    to its `partsmith.json`; returns the published folder."""
    import torch
    from safetensors.torch import load_file, save_file

    from partsmith.training.export import portable

    folder.mkdir(parents=True, exist_ok=True)
    _recover(folder, name)
    target = folder / name
    staging = folder / f".{name}.tmp"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    weights = load_file(str(adapter / WEIGHTS))
    tensors = {key: value.to(torch.float16).contiguous() for key, value in weights.items()}
    save_file(tensors, str(staging / WEIGHTS))
    for other in adapter.iterdir():
        if other.is_file() and other.name not in (WEIGHTS, META, CONFIG, "README.md"):
            shutil.copy2(other, staging / other.name)
    if (adapter / CONFIG).exists():  # the base's folder is this machine's: keep its name only
        config = json.loads((adapter / CONFIG).read_text(encoding="utf-8"))
        if config.get("base_model_name_or_path"):
            config["base_model_name_or_path"] = Path(str(config["base_model_name_or_path"])).name
        (staging / CONFIG).write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    meta = json.loads((adapter / META).read_text(encoding="utf-8")) if (adapter / META).exists() else {}
    if "args" in meta:
        meta["args"] = portable(meta["args"])
    meta.update(extra or {})
    (staging / META).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    old = folder / f".{name}.old"
    shutil.rmtree(old, ignore_errors=True)  # `target` is whole here (_recover)
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    return target


def _recover(folder: Path, name: str) -> None:
    """A publish stopped between its two renames leaves the last whole copy as `.name.old`."""
    target, old = folder / name, folder / f".{name}.old"
    if not target.exists() and (old / WEIGHTS).is_file():
        old.rename(target)


def mismatch(meta: dict[str, Any], wanted: dict[str, Any], train_sha256: str) -> str | None:
    """Why a published adapter (its `partsmith.json`) is not of the run `wanted` (its settings) on
    data of `train_sha256`; None when it is."""
    if meta.get("data", {}).get("train_sha256") != train_sha256:
        return "it was trained on other data"
    ran = meta.get("args", {})
    for key in SCHEDULE:
        if ran.get(key) != wanted.get(key):
            return f"its {key} is {ran.get(key)!r}, not {wanted.get(key)!r}"
    if ran.get("planned_steps") != wanted.get("steps"):
        return (f"it plans {ran.get('planned_steps')} steps, not {wanted.get('steps')}: its learning-rate "
                "schedule is not this run's")
    return None


def read(folder: Path, name: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The published adapter `folder/name` as (peft weights in float32, its `partsmith.json`), or
    None when nothing whole is published there."""
    import torch
    from safetensors.torch import load_file

    _recover(folder, name)
    target = folder / name
    if not (target / WEIGHTS).is_file() or not (target / META).is_file():
        return None
    meta = json.loads((target / META).read_text(encoding="utf-8"))
    weights = {key: value.to(torch.float32) for key, value in load_file(str(target / WEIGHTS)).items()}
    return weights, meta


def published_step(folder: Path, step: int) -> Path | None:
    """The published adapter of a kept `step`, when there is one."""
    target = folder / step_folder(step)
    return target if (target / WEIGHTS).is_file() else None
