"""What the prompt stated and whether the part meets each, as the front ends and the terminal
show it: a tick, or a cross and what is off. Entries carry the facts as dicts (`said`, `met`,
`off`, `problem`); a warning that only repeats a fact's problem is not shown twice."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

TICK, CROSS = "\u2713", "\u2717"


def line(fact: Mapping[str, Any]) -> str:
    """ "✓ 100 x 60 x 5 mm" or "✗ four 6 mm holes: the part has 2 such hole(s) ..."."""
    return f"{TICK if fact.get('met') else CROSS} {text(fact)}"


def text(fact: Mapping[str, Any]) -> str:
    """The fact without its mark (for a program that draws its own icon)."""
    said = str(fact.get("said") or "")
    return said if fact.get("met") else f"{said}: {fact.get('off') or 'not met'}"


def of(entry: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The entry's facts (dicts), anything else in the list left out."""
    return list(_facts(entry))


def lines(entry: Mapping[str, Any]) -> list[str]:
    return [line(fact) for fact in _facts(entry)]


def missed(entry: Mapping[str, Any]) -> int:
    return sum(1 for fact in _facts(entry) if not fact.get("met"))


def other_warnings(entry: Mapping[str, Any]) -> list[str]:
    """The entry's warnings less those its facts already show."""
    shown = {fact.get("problem") for fact in _facts(entry) if not fact.get("met")}
    return [str(w) for w in entry.get("warnings") or () if w not in shown]


def _facts(entry: Mapping[str, Any]) -> Sequence[Mapping[str, Any]]:
    found = entry.get("facts") or ()
    return [fact for fact in found if isinstance(fact, Mapping)]
