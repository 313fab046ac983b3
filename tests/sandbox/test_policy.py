"""The static layer on its own: what it refuses and what it lets through."""

from __future__ import annotations

import pytest

from partsmith.errors import PolicyViolation, ScriptError
from partsmith.sandbox.policy import check_source

ALLOWED = [
    "from build123d import *\nresult = Box(1, 2, 3)",
    "import cadquery as cq\nresult = cq.Workplane().box(1, 2, 3)",
    "import math\nfrom partsmith.kit import plate\nr = math.pi",
    "from partsmith import kit",
    "class Part:\n    def __init__(self):\n        self.size = 3\nif __name__ == '__partsmith__':\n    pass",
    "from typing import List\nfrom collections import namedtuple",
]
REFUSED = [
    ("import os", "importing 'os'"),
    ("from subprocess import run", "importing from 'subprocess'"),
    ("import partsmith.sandbox", "importing 'partsmith.sandbox'"),
    ("from partsmith import sandbox", "partsmith.sandbox"),
    ("from . import x", "relative imports"),
    ("x = ().__class__", "'__class__'"),
    ("__import__('os')", "'__import__'"),
    ("exec('1')", "exec()"),
    ("eval('1')", "eval()"),
    ("compile('1', 'f', 'exec')", "compile()"),
    ("open('/etc/passwd')", "open()"),
    ("getattr(1, 'real')", "getattr()"),
    ("globals()", "globals()"),
    ("x = 'a__class__b'", "dunder"),
    ("import build123d\nbuild123d.text.os.system('id')", "'os'"),
    ("import build123d\nbuild123d.build_enums.sys.modules", "'sys'"),
    ("import build123d\nbuild123d.mesher.ctypes.CDLL('x')", "'ctypes'"),
    ("def f():\n    yield\nf().gi_frame", "'gi_frame'"),
    ("async def f():\n    pass", "async"),
    ("def __getattr__(name):\n    pass", "'__getattr__'"),
    ("from build123d.text import os", "importing 'os' from 'build123d.text'"),
    ("from build123d.build_enums import sys as s", "importing 'sys'"),
    ("from build123d.mesher import ctypes", "importing 'ctypes'"),
    ("import operator\nf = operator.attrgetter('text.os')", "'attrgetter'"),
    ("from operator import methodcaller", "importing 'methodcaller'"),
    ("from operator import *\nf = attrgetter('x')", "attrgetter()"),
    ("import string\nf = string.Formatter()", "'Formatter'"),
]


@pytest.mark.parametrize("source", ALLOWED)
def test_allows_cad_code(source: str) -> None:
    check_source(source)


@pytest.mark.parametrize(("source", "reason"), REFUSED)
def test_refuses(source: str, reason: str) -> None:
    with pytest.raises(PolicyViolation) as info:
        check_source(source)
    assert reason in str(info.value)
    assert "line " in str(info.value)


def test_syntax_error_is_a_script_error_with_its_line() -> None:
    with pytest.raises(ScriptError) as info:
        check_source("x = 1\ny = (\n")
    assert info.value.line is not None
