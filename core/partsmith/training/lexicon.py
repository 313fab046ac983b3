"""The lexicon (data/lexicon.toml): how people say each body, feature, edge group, placement and
parameter of the part program, in three styles (terse maker speech, plain requests, specs).

The generator draws a description's words from here through its random source, a `Draw`: it
carries the style of the description being written and the entries it has used, so a data set
can show that every entry was said in every style. `say` with a plain `random.Random` (a sampler
run on its own) draws from the plain style.
"""

from __future__ import annotations

import random
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

LEXICON_FILE = Path(__file__).with_name("data") / "lexicon.toml"
STYLES = ("terse", "plain", "spec")
GROUPS = ("body", "feature", "edges", "placement", "param", "screw")


@dataclass(frozen=True)
class Entry:
    key: str  # "body.pyramid"
    means: str  # what the words stand for in the program
    source: str  # where the words come from
    says: dict[str, tuple[str, ...]]  # style -> phrases


@dataclass(frozen=True)
class Lexicon:
    entries: dict[str, Entry]
    unc: dict[str, tuple[float, float]]  # Unified screw size -> (clearance, tap drill) in mm


def load(path: Path = LEXICON_FILE) -> Lexicon:
    """The lexicon file, checked: every entry has its meaning, its source and phrases in each style."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    entries: dict[str, Entry] = {}
    for group in GROUPS:
        for name, raw in data.get(group, {}).items():
            key = f"{group}.{name}"
            missing = [s for s in ("means", "from", *STYLES) if not raw.get(s)]
            if missing:
                raise ValueError(f"{path.name}: [{key}] has no {', '.join(missing)}")
            entries[key] = Entry(key, raw["means"], raw["from"], {s: tuple(raw[s]) for s in STYLES})
    unc = {size: (float(v["clearance"]), float(v["tap"])) for size, v in data.get("unc", {}).items()}
    return Lexicon(entries, unc)


@cache
def lexicon() -> Lexicon:
    return load()


class Draw(random.Random):
    """The generator's random source: the style of the description being drawn, the phrases the
    lexicon gave it, and (once the description is done) the entries it said, as (entry, style)."""

    def __init__(self, seed: int) -> None:
        super().__init__(seed)
        self.style = "plain"
        self.drawn: list[tuple[str, str, str]] = []  # (entry, style, phrase as filled in)
        self.used: set[tuple[str, str]] = set()

    def begin(self, style: str) -> None:
        """A new description in `style`."""
        self.style = style
        self.drawn = []
        self.used = set()

    def settle(self, text: str) -> None:
        """The entries the finished description says: a phrase drawn for a wording the sampler did
        not choose, or spoilt by a slip of the keyboard, is not said."""
        lower = text.lower()
        self.used = {(key, style) for key, style, phrase in self.drawn if phrase and phrase.lower() in lower}


@dataclass
class Tally:
    """Which (entry, style) pairs a data set said, and how often."""

    counts: dict[tuple[str, str], int] = field(default_factory=dict)

    def add(self, used: set[tuple[str, str]]) -> None:
        for pair in used:
            self.counts[pair] = self.counts.get(pair, 0) + 1

    def missing(self, keys: list[str] | None = None) -> list[tuple[str, str]]:
        keys = keys if keys is not None else list(lexicon().entries)
        return [(k, s) for k in keys for s in STYLES if (k, s) not in self.counts]


def style_of(rng: random.Random) -> str:
    return rng.style if isinstance(rng, Draw) else "plain"


def say(rng: random.Random, key: str, **values: str) -> str:
    """One way to say entry `key` in the description's style, its sizes filled in."""
    entry = lexicon().entries[key]
    style = style_of(rng)
    phrase = rng.choice(entry.says[style])
    phrase = phrase.format(**values) if values else phrase
    if isinstance(rng, Draw):
        rng.drawn.append((key, style, phrase.strip()))
    return phrase


def noun(rng: random.Random, key: str, **values: str) -> str:
    """`say` for a noun, with its article: "a hexagonal prism", "an obround plate"."""
    from partsmith.training.words import article

    text = say(rng, key, **values)
    return f"{article(text)} {text}"
