from __future__ import annotations

import pytest

from partsmith.errors import InputError
from partsmith.program.params import read_parameters, set_parameters

SCRIPT = '''"""A plate."""
from build123d import *
import math

length = 40  # mm, overall
width: float = 30.5
holes = 4
label = "plate"
offset = -2.5
rounded = True
area = length * width  # not a literal: ends the head
later = 3
result = Box(length, width, 5)
'''


def test_reads_only_literal_assignments_at_the_head() -> None:
    params = read_parameters(SCRIPT)
    assert [(p.name, p.value) for p in params] == [
        ("length", 40), ("width", 30.5), ("holes", 4), ("label", "plate"),
        ("offset", -2.5), ("rounded", True),
    ]
    assert params[0].comment == "mm, overall"
    assert params[0].line == 5


def test_rewrite_keeps_comments_and_types() -> None:
    out = set_parameters(SCRIPT, {"length": "60", "width": 31, "offset": 1, "rounded": "false"})
    assert "length = 60  # mm, overall" in out
    assert "width: float = 31" in out
    assert "offset = 1\n" in out
    assert "rounded = False" in out
    assert out.count("\n") == SCRIPT.count("\n")
    assert {p.name: p.value for p in read_parameters(out)}["length"] == 60


def test_int_parameter_accepts_a_fraction() -> None:
    out = set_parameters(SCRIPT, {"holes": "4.5"})
    assert "holes = 4.5" in out


def test_unknown_parameter_lists_the_known_ones() -> None:
    with pytest.raises(InputError, match=r"unknown parameter depth.*length, width"):
        set_parameters(SCRIPT, {"depth": 3})


def test_value_of_the_wrong_type() -> None:
    with pytest.raises(InputError, match="needs a int value"):
        set_parameters(SCRIPT, {"holes": "many"})
    with pytest.raises(InputError):
        set_parameters(SCRIPT, {"length": "nan"})


def test_unicode_before_the_value_keeps_positions() -> None:
    source = "é = 1; size = 2\nother = 'ü'\nsize2 = 3\n"
    out = set_parameters("size = 2  # größe\nx = 'ä'\n", {"size": 7})
    assert out == "size = 7  # größe\nx = 'ä'\n"
    assert read_parameters(source)[0].name == "é"
