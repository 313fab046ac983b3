"""The training and development sets: generated descriptions plus the hand-written ones.

`prepare` writes `train.jsonl` and `dev.jsonl` (one `{"prompt", "answer"}` per line, the answer
the program in the grammar's one-line form) and `data.json` (counts and the sha256 of both files,
which the adapter's manifest records). Every program is validated by the schema and compiled; a
sample is built on real OCCT. The development set is drawn from its own seed, its prompts kept out
of training, and a fifth of the hand-written programs (all their phrasings) are held out with it.
No evaluation set is read here.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from partsmith.training import kits, parts, words

HAND_FILE = Path(__file__).with_name("data") / "hand.jsonl"
DEV_SEED = 1_000_003
# Every HAND_DEV_EVERY-th hand-written program (with all its phrasings) is held out for the dev set.
HAND_DEV_EVERY = 5


@dataclass(frozen=True)
class Example:
    prompt: str
    answer: str  # the program as one line of JSON (schema.dump)
    source: str  # which sampler, or "hand"

    def record(self) -> dict[str, str]:
        return {"prompt": self.prompt, "answer": self.answer, "source": self.source}


def _samplers() -> list[tuple[str, parts.Sampler, float]]:
    found = [(name, fn, weight) for name, (fn, weight) in parts.SAMPLERS.items()]
    found += [(f"kit_{name}", fn, weight) for name, (fn, weight) in kits.SAMPLERS.items()]
    return found


def canonical(features: list[dict[str, Any]]) -> str:
    """The program's one-line JSON, as the model must write it. Raises when it does not parse."""
    from partsmith.program.schema import dump, parse

    return dump(parse({"features": features}))


def generate(count: int, seed: int, typo_rate: float = 0.15) -> Iterator[Example]:
    """`count` generated examples from `seed` (the same seed, the same examples)."""
    rng = random.Random(seed)
    table = _samplers()
    names = [name for name, _, _ in table]
    weights = [weight for _, _, weight in table]
    made = 0
    while made < count:
        index = rng.choices(range(len(table)), weights=weights)[0]
        text, features = table[index][1](rng)
        text = words.casing(rng, words.typo(rng, text, typo_rate))
        yield Example(text, canonical(features), names[index])
        made += 1


def hand_groups(path: Path = HAND_FILE) -> list[tuple[list[str], str]]:
    """The hand-written programs: each line `{"prompts": [...], "features": [...]}`."""
    groups = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("//"):
            continue
        try:
            entry = json.loads(line)
            groups.append((list(entry["prompts"]), canonical(entry["features"])))
        except (ValueError, KeyError) as exc:
            raise ValueError(f"{path.name} line {number}: {exc}") from None
    return groups


def hand_split(path: Path = HAND_FILE) -> tuple[list[Example], list[Example]]:
    """Hand-written examples for training and for the dev set (whole programs held out)."""
    train: list[Example] = []
    dev: list[Example] = []
    for index, (prompts, answer) in enumerate(hand_groups(path)):
        target = dev if index % HAND_DEV_EVERY == HAND_DEV_EVERY - 1 else train
        target.extend(Example(prompt, answer, "hand") for prompt in prompts)
    return train, dev


def build_check(answer: str) -> None:
    """Compile the program and build it on real OCCT in this process; raises when it fails."""
    from partsmith.program import compile_program, parse

    script = compile_program(parse(json.loads(answer)))
    namespace: dict[str, Any] = {}
    exec(compile(script, "<program>", "exec"), namespace)  # our own compiled script, not user text
    shape = namespace["result"]
    if shape is None or shape.volume <= 0:
        raise ValueError("the program built no solid")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def prepare(
    out: Path,
    count: int = 6000,
    dev_count: int = 300,
    seed: int = 17,
    hand_repeat: int = 3,
    build_every: int = 0,
) -> dict[str, Any]:
    """Write the training and development sets to `out`; return what `data.json` records.

    `hand_repeat`: how many times each hand-written example is repeated in training (they are few
    and closest to what users write). `build_every`: build every n-th program on OCCT (0: none).
    """
    out.mkdir(parents=True, exist_ok=True)
    hand_train, hand_dev = hand_split()
    dev = list(generate(dev_count, DEV_SEED)) + hand_dev
    held = {example.prompt.lower() for example in dev}
    train = [e for e in generate(count, seed) if e.prompt.lower() not in held]
    train += [e for e in hand_train if e.prompt.lower() not in held] * hand_repeat
    random.Random(seed).shuffle(train)
    if build_every:
        for example in (train + dev)[::build_every]:
            build_check(example.answer)
    for name, examples in (("train", train), ("dev", dev)):
        with (out / f"{name}.jsonl").open("w", encoding="utf-8") as handle:
            for example in examples:
                handle.write(json.dumps(example.record()) + "\n")
    info = {
        "train": len(train),
        "dev": len(dev),
        "hand_train": len(hand_train),
        "hand_dev": len(hand_dev),
        "seed": seed,
        "train_sha256": sha256(out / "train.jsonl"),
        "dev_sha256": sha256(out / "dev.jsonl"),
    }
    (out / "data.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return info


def load(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
