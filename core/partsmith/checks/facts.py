"""A fact the prompt states, and whether the part meets it: what the user sees beside the part
(a tick, or what is off), what the engine counts to choose among candidate answers, and what a
repair is told."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

# What a fact is about, in the order the user reads them.
ABOUT = ("size", "length", "holes", "kind", "feature")


@dataclass(frozen=True)
class Fact:
    """`said`: the prompt's own words ("100 x 60 x 5 mm", "four 6 mm holes", "a plate");
    `about`: one of ABOUT; `met`: whether the part has it; `off`: what the part has instead
    (empty when met); `problem`: the whole sentence, for a repair and the warnings."""

    said: str
    about: str
    met: bool
    off: str = ""
    problem: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Fact:
        return cls(str(data.get("said", "")), str(data.get("about", "")), bool(data.get("met")),
                   str(data.get("off", "")), str(data.get("problem", "")))


def problems(facts: Iterable[Fact]) -> list[str]:
    return [fact.problem for fact in facts if not fact.met]


def unmet(facts: Iterable[Fact]) -> int:
    return sum(1 for fact in facts if not fact.met)
