"""The recipe of the shipped adapter (`models/recipe.toml`): what `make train` runs to make it again.

A recipe names the data (how many generated descriptions, the seed), one training run (every
`TrainArgs` setting, its total steps and the steps whose adapter it keeps), and the mix of kept
adapters that ships (`mix.py`). Every step resumes: the data is prepared once, the run goes on
from its checkpoint (its learning-rate schedule is a function of the step and the planned total,
so a resumed run follows the same curve), an adapter already exported is not exported again.
A run longer than one sitting is the same command run again.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from partsmith.paths import models_dir
from partsmith.training.train import TrainArgs

RECIPE = "recipe.toml"
PUBLISHED = "run"  # models/run: the run's published state


@dataclass(frozen=True)
class Recipe:
    target: str  # the adapter file it makes, in models/
    data: dict[str, int]  # prepare's settings: count, dev_count, build_every
    run: TrainArgs
    mix: tuple[tuple[int, float], ...]  # (kept step, weight); one entry: that step's adapter alone

    def adapter_name(self, step: int) -> str:
        return f"lora-{step}-steps.gguf"


def default_recipe() -> Path:
    return models_dir() / RECIPE


def load(path: Path, overrides: dict[str, Any] | None = None) -> Recipe:
    """The recipe in `path`; `overrides` replace run settings (a machine's `out`, `data`, `threads`).
    Raises ValueError naming what is wrong."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"cannot read the recipe {path}: {exc}") from None
    known = {item.name for item in fields(TrainArgs)}
    run = {**raw.get("run", {}), **(overrides or {})}
    unknown = set(run) - known
    if unknown:
        raise ValueError("the recipe's [run] has settings training does not know: "
                         + ", ".join(sorted(unknown)))
    mix = tuple((int(item["step"]), float(item.get("weight", 1.0))) for item in raw.get("mix", []))
    if not mix:
        mix = ((int(run.get("steps", TrainArgs.steps)), 1.0),)
    # The shipped recipe's run publishes its state and the kept adapters its mix needs into the
    # repository, so that a later session's checkout resumes it (milestone.py); "none": it does not.
    if path.resolve() == default_recipe().resolve():
        run.setdefault("publish", str(models_dir() / PUBLISHED))
    if run.get("publish") == "none":
        run["publish"] = ""
    run.setdefault("publish_steps", [step for step, _ in mix])
    args = TrainArgs(**run)
    missing = [step for step, _ in mix if step != args.steps and step not in args.keep]
    if missing:
        raise ValueError(f"the recipe mixes steps the run does not keep: {missing} (add them to keep)")
    if abs(sum(weight for _, weight in mix) - 1.0) > 1e-6:
        raise ValueError("the recipe's mix weights must sum to 1")
    target = str(raw.get("target", "")).strip()
    if not target.endswith(".gguf") or "/" in target:
        raise ValueError("the recipe's target must be an adapter file name in models/ (*.gguf), "
                         f"not {target!r}")
    return Recipe(target, dict(raw.get("data", {})), args, mix)


def make(recipe: Recipe, target: Path, log: Any = print) -> Path:
    """Run the recipe (resuming whatever is done, here or from the state published in the
    repository) and write its adapter to `target`."""
    from partsmith.training.dataset import prepare
    from partsmith.training.export import export
    from partsmith.training.mix import mix_with_manifest
    from partsmith.training.train import train

    args = recipe.run
    data = Path(args.data)
    if not (data / "data.json").exists():
        prepare(data, count=recipe.data.get("count", 6000), dev_count=recipe.data.get("dev_count", 300),
                seed=args.seed, build_every=recipe.data.get("build_every", 25))
    steps = [step for step, _ in recipe.mix] + [args.steps]
    missing = [step for step in steps if adapter_of(args, step) is None]
    if missing and adapter_of(args, args.steps) is not None:
        raise ValueError(f"the run is finished but has no adapter of step {missing[0]} (neither in "
                         f"{args.out} nor published): remove {args.publish or args.out} to train it again")
    if missing:
        train(args, log=log)
    base = Path(args.base) if args.base else None
    if len(recipe.mix) == 1:
        return export(_found(args, recipe.mix[0][0]), target, base)
    made = []
    for step, weight in recipe.mix:
        gguf = Path(args.out) / recipe.adapter_name(step)
        if not gguf.exists():
            export(_found(args, step), gguf, base)
        made.append((gguf, weight))
    return mix_with_manifest(made, target)


def adapter_of(args: TrainArgs, step: int) -> Path | None:
    """The run's adapter of a kept `step` or its last: the run's own folder, else the one it
    published into the repository (milestone.py); None when neither exists yet."""
    from partsmith.training import milestone
    from partsmith.training.train import kept_adapter

    own = kept_adapter(args, step)
    if (own / milestone.WEIGHTS).is_file():
        return own
    if not args.publish:
        return None
    published = Path(args.publish)
    name = milestone.LATEST if step == args.steps else milestone.step_folder(step)
    found = milestone.read(published, name)
    if found is None or (step == args.steps and found[1].get("resume", {}).get("step") != args.steps):
        return None
    info = json.loads((Path(args.data) / "data.json").read_text(encoding="utf-8"))
    why = milestone.mismatch(found[1], asdict(args), info["train_sha256"])
    if why:
        raise ValueError(f"{published / name} is not this run's adapter of step {step} ({why}): "
                         "remove it to train it again")
    return published / name


def _found(args: TrainArgs, step: int) -> Path:
    folder = adapter_of(args, step)
    if folder is None:
        raise FileNotFoundError(f"the run has no adapter of step {step}")
    return folder
