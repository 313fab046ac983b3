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
LATEST = "latest"


def step_folder(step: int) -> str:
    return f"step-{step}"


def publish(adapter: Path, folder: Path, name: str, extra: dict[str, Any] | None = None) -> Path:
    """Copy the peft adapter folder `adapter` to `folder/name` with float16 weights, adding `extra`
    to its `partsmith.json`; returns the published folder."""
    import torch
    from safetensors.torch import load_file, save_file

    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    staging = folder / f".{name}.tmp"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    weights = load_file(str(adapter / WEIGHTS))
    tensors = {key: value.to(torch.float16).contiguous() for key, value in weights.items()}
    save_file(tensors, str(staging / WEIGHTS))
    for other in adapter.iterdir():
        if other.is_file() and other.name not in (WEIGHTS, META, "README.md"):
            shutil.copy2(other, staging / other.name)
    meta = json.loads((adapter / META).read_text(encoding="utf-8")) if (adapter / META).exists() else {}
    meta.update(extra or {})
    (staging / META).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    old = folder / f".{name}.old"
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    return target


def read(folder: Path, name: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The published adapter `folder/name` as (peft weights in float32, its `partsmith.json`), or
    None when nothing whole is published there."""
    import torch
    from safetensors.torch import load_file

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
