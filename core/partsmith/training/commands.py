"""The training steps, as `python -m partsmith.training STEP` and `partsmith train STEP` run them:
prepare the data, train, export the adapter, score it.

    prepare   write train.jsonl / dev.jsonl / data.json (generated + hand-written, dev held out)
    train     LoRA training with a progress bar; resumes from the last checkpoint
    export    the trained adapter as a GGUF LoRA file with its manifest
    score     the dev-set score of an adapter GGUF (or of the bare base, `--adapter none`)
    mix       a weighted mix of adapters of the same base (`--mix a.gguf=0.5 b.gguf=0.5 --target m.gguf`)
    all       prepare (if the data is missing), train, export, score
    recipe    the shipped adapter as models/recipe.toml makes it (data, run, kept steps, mix), then score

Every `TrainArgs` field is a flag (`--steps 50`, `--batch 4`, `--base path/to/model.gguf`).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import fields
from pathlib import Path

from partsmith.training.train import TrainArgs


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m partsmith.training",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("step", choices=["prepare", "train", "export", "score", "mix", "all", "recipe"])
    parser.add_argument("--recipe", default="",
                        help="the recipe the `recipe` step runs (default: models/recipe.toml)")
    defaults = TrainArgs()
    for item in fields(TrainArgs):
        value = getattr(defaults, item.name)
        if isinstance(value, list):
            kind = int if "int" in str(item.type) else str
            parser.add_argument(f"--{item.name}", nargs="+", type=kind, default=value)
        else:
            parser.add_argument(f"--{item.name}", type=type(value), default=value)
    parser.add_argument("--count", type=int, default=6000, help="generated training examples")
    parser.add_argument("--dev-count", type=int, default=300, help="generated dev examples")
    parser.add_argument("--build-every", type=int, default=25, help="build every n-th program on OCCT")
    parser.add_argument("--adapter", default="", help="adapter GGUF to score ('none': the bare base)")
    parser.add_argument("--limit", type=int, default=0, help="score only the first n dev examples")
    parser.add_argument("--target", default="", help="where export or mix writes the adapter GGUF")
    parser.add_argument("--mix", nargs="+", default=[], help="adapters to mix, each PATH=WEIGHT")
    return parser


def main(argv: list[str] | None = None) -> int:
    options = _parser().parse_args(argv)
    args = TrainArgs(**{item.name: getattr(options, item.name) for item in fields(TrainArgs)})
    data = Path(args.data)
    if options.step == "prepare" or (options.step == "all" and not (data / "data.json").exists()):
        from partsmith.training.dataset import prepare

        info = prepare(
            data,
            count=options.count,
            dev_count=options.dev_count,
            seed=args.seed,
            build_every=options.build_every,
        )
        print(json.dumps(info, indent=2))
    if options.step in ("train", "all"):
        from partsmith.training.train import train

        train(args)
    if options.step in ("export", "all"):
        from partsmith.training.export import export

        print(export(Path(args.out) / "adapter", Path(options.target) if options.target else None))
    if options.step == "mix":
        from partsmith.paths import models_dir
        from partsmith.training.export import DEFAULT_NAME
        from partsmith.training.mix import mix_with_manifest, parse_weighted

        try:
            adapters = parse_weighted(options.mix)
            target = Path(options.target) if options.target else models_dir() / f"{DEFAULT_NAME}.gguf"
            print(mix_with_manifest(adapters, target))
        except ValueError as exc:
            print(f"partsmith training mix: {exc}", file=sys.stderr)
            return 2
    if options.step == "recipe":
        from partsmith.training import recipe

        # Settings given on the command line (a machine's --out, --threads ...) replace the recipe's.
        given = {item.name: getattr(options, item.name) for item in fields(TrainArgs)
                 if getattr(options, item.name) != getattr(TrainArgs(), item.name)}
        try:
            chosen = recipe.load(Path(options.recipe) if options.recipe else recipe.default_recipe(), given)
        except ValueError as exc:
            print(f"partsmith training recipe: {exc}", file=sys.stderr)
            return 2
        from partsmith.paths import models_dir

        target = Path(options.target) if options.target else models_dir() / chosen.target
        print(recipe.make(chosen, target))
        args = chosen.run
        options.adapter = str(target)
    if options.step in ("score", "all", "recipe"):
        from partsmith.training.score import score_cli

        print(json.dumps(score_cli(args, options.adapter, options.limit), indent=2))
    return 0

