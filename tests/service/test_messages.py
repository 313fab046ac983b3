"""What a person in Blender or FreeCAD reads when something fails: what happened and what to do,
in that program's terms, never the engine's internals."""

from __future__ import annotations

import re

import pytest

from partsmith import errors
from partsmith.client import background, messages
from partsmith.client.client import Client, EngineError
from partsmith.generate.pipeline import GenerationFailed

# What a person should never have to read.
INTERNALS = re.compile(r"schema|errno|traceback|features\[|`|partsmith serve|value error|http \d",
                       re.IGNORECASE)


def _kinds() -> set[str]:
    found: set[str] = {GenerationFailed.kind}
    stack: list[type[errors.PartsmithError]] = [errors.PartsmithError]
    while stack:
        cls = stack.pop()
        found.add(str(cls.kind))
        stack.extend(cls.__subclasses__())
    return found | {"unreachable", "not_running", "start_failed", "http", "internal"}


# The engine's own words, as seen in the front ends before (with their kinds).
SEEN = [
    ("generation", "no usable part after 3 attempt(s): the program does not fit the schema: : Value "
     "error, features[0] box needs l > 0", "rephrase the prompt with explicit sizes in mm, or use a "
     "stronger model (`partsmith models list`)"),
    ("unreachable", "cannot reach the Partsmith engine: [Errno 111] Connection refused",
     "is `partsmith serve` running?"),
    ("start_failed", "the engine command exited with code 1", "run it in a terminal to see why: partsmith serve"),
    ("script", "feature 2 (fillet) could not be built: BRep_API: command not done", None),
    ("input", "the program does not fit the schema: : Value error, features[0]", None),
    ("internal", "KeyError: 'entry'", None),
]


@pytest.mark.parametrize("program", [messages.BLENDER, messages.FREECAD])
@pytest.mark.parametrize("kind", sorted(_kinds()))
def test_every_kind_reads_plainly_in_both_programs(kind: str, program: str) -> None:
    for _, message, hint in SEEN:
        text = messages.for_people(kind, message, hint, program)
        assert text[0].isupper() and text.endswith("."), text
        assert not INTERNALS.search(text), (kind, text)


@pytest.mark.parametrize(("kind", "message", "hint"), SEEN)
def test_what_was_seen_before_now_says_what_to_do(kind: str, message: str, hint: str | None) -> None:
    text = messages.for_people(kind, message, hint, messages.FREECAD)
    assert not INTERNALS.search(text), text


def test_the_settings_are_named_where_each_program_keeps_them() -> None:
    blender = messages.for_people("start_failed", "the engine command exited with code 1", None, messages.BLENDER)
    freecad = messages.for_people("start_failed", "the engine command exited with code 1", None, messages.FREECAD)
    assert "Edit > Preferences > Add-ons > Partsmith" in blender
    assert "Tools > Edit parameters > BaseApp > Preferences > Mod > Partsmith" in freecad


def test_a_feature_that_failed_is_named() -> None:
    text = messages.for_people("generation", "no usable part after 2 attempt(s): feature 1 (counterbore) "
                               "could not be built: BRep_API: command not done")
    assert "the counterbore (feature 1) could not be built" in text and "BRep" not in text


def test_plain_input_messages_pass_through() -> None:
    text = messages.for_people("input", "length must be at least 0.1 mm")
    assert text == "Length must be at least 0.1 mm."


def test_a_client_that_cannot_start_its_engine_says_so_plainly(tmp_path) -> None:  # type: ignore[no-untyped-def]
    client = Client(home=tmp_path, start_command="/nonexistent/partsmith serve")
    with pytest.raises(EngineError) as info:
        client.connect(wait_s=5)
    ended = background.failure(info.value, messages.FREECAD)
    assert ended.message.startswith("Partsmith could not start its engine")
    assert "/nonexistent/partsmith" in ended.detail  # the engine's words stay for the report view
