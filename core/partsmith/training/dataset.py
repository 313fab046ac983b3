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
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from partsmith.training import bodies, kits, parts, phrasing, words
from partsmith.training.lexicon import STYLES, Draw, Tally, lexicon
from partsmith.training.parts import Features

HAND_FILE = Path(__file__).with_name("data") / "hand.jsonl"
DEV_SEED = 1_000_003
# Every HAND_DEV_EVERY-th hand-written program (with all its phrasings) is held out for the dev set.
HAND_DEV_EVERY = 5


@dataclass(frozen=True)
class Example:
    prompt: str
    answer: str  # the program as one line of JSON (schema.dump)
    source: str  # which sampler, or "hand"
    style: str = "hand"  # terse, plain or spec (the lexicon's styles), or hand
    said: frozenset[tuple[str, str]] = frozenset()  # the lexicon's (entry, style) pairs it used

    def record(self) -> dict[str, str]:
        return {"prompt": self.prompt, "answer": self.answer, "source": self.source, "style": self.style}


def _samplers() -> list[tuple[str, parts.Sampler, float]]:
    found = [(name, fn, weight) for name, (fn, weight) in parts.SAMPLERS.items()]
    found += [(name, fn, weight) for name, (fn, weight) in bodies.SAMPLERS.items()]
    found += [(f"kit_{name}", fn, weight) for name, (fn, weight) in kits.SAMPLERS.items()]
    return found


def canonical(features: list[dict[str, Any]]) -> str:
    """The program's one-line JSON, as the model must write it. Raises when it does not parse."""
    from partsmith.program.schema import dump, parse

    return dump(parse({"features": features}))


# How often each style is drawn: terse maker speech, plain requests, specs of several sentences.
STYLE_WEIGHTS = (0.3, 0.45, 0.25)


def _one(rng: Draw, sampler: parts.Sampler, style: str, typo_rate: float) -> tuple[str, Features]:
    """A description in `style` and its program's features; `rng.used` holds what it said."""
    rng.begin(style)
    text, features = sampler(rng)
    text = phrasing.frame(rng, text, features)
    if style != "spec":  # a spec is written with care; typed requests carry slips
        text = words.typo(rng, text, typo_rate)
    text = phrasing.lead(rng, text)
    rng.settle(text)
    return text, features


def _sayers(table: list[tuple[str, parts.Sampler, float]], tries: int = 30) -> dict[str, list[int]]:
    """Which samplers say each lexicon entry: each run `tries` times in each style, on a random
    source of its own (nothing drawn here reaches a data set)."""
    found: dict[str, set[int]] = {}
    probe = Draw(0)
    for index, (_name, sampler, _weight) in enumerate(table):
        for style in STYLES:
            for _ in range(tries):
                probe.begin(style)
                probe.settle(phrasing.frame(probe, *sampler(probe)))
                for key, _said in probe.used:
                    found.setdefault(key, set()).add(index)
    return {key: sorted(indices) for key, indices in found.items()}


def generate(count: int, seed: int, typo_rate: float = 0.15, cover: bool = True) -> Iterator[Example]:
    """`count` generated examples from `seed` (the same seed, the same examples), each in one of
    the lexicon's styles; with `cover`, then as many more as it takes to say every lexicon entry
    in every style at least once (each drawn from a sampler seen to say that entry)."""
    rng = Draw(seed)
    table = _samplers()
    weights = [weight for _, _, weight in table]
    tally = Tally()
    sayers = _sayers(table) if cover else {}
    for _ in range(count):
        index = rng.choices(range(len(table)), weights=weights)[0]
        style = rng.choices(STYLES, weights=STYLE_WEIGHTS)[0]
        text, features = _one(rng, table[index][1], style, typo_rate)
        tally.add(rng.used)
        yield Example(text, canonical(features), table[index][0], style, frozenset(rng.used))
    if not cover:
        return
    for key, style in tally.missing():
        for _attempt in range(400):
            if (key, style) in tally.counts or key not in sayers:
                break
            index = rng.choice(sayers[key])
            text, features = _one(rng, table[index][1], style, typo_rate)
            if (key, style) in rng.used:
                tally.add(rng.used)
                yield Example(text, canonical(features), table[index][0], style, frozenset(rng.used))


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
        "styles": {name: dict(sorted(Counter(e.style for e in examples).items()))
                   for name, examples in (("train", train), ("dev", dev))},
        "lexicon": {"entries": len(lexicon().entries), **{
            f"{name}_missing": [f"{key} ({style})" for key, style in _tally(examples).missing()]
            for name, examples in (("train", train), ("dev", dev))}},
    }
    (out / "data.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return info


def _tally(examples: list[Example]) -> Tally:
    tally = Tally()
    for example in examples:
        tally.add(set(example.said))
    return tally


def load(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
