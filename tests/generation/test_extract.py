from __future__ import annotations

import pytest

from partsmith.generate.extract import extract_code

SCRIPT = "from build123d import *\nsize = 10  # mm\nresult = Box(size, size, size)\n"


@pytest.mark.parametrize(
    "answer",
    [
        f"```python\n{SCRIPT}```",
        f"Here is the part:\n\n```python\n{SCRIPT}```\n\nIt is a 10 mm cube.",
        f"Sure! Try `Box`:\n```\n{SCRIPT}```",
        f"Use `size = 3` for smaller.\n```py\n{SCRIPT}```\nand ```x```",
        f"{SCRIPT}\nThis script makes a cube.",
        f"Here you go:\n{SCRIPT}",
    ],
    ids=["fenced", "prose-around", "bare-fence", "short-snippets", "no-fence-trailing-prose", "no-fence"],
)
def test_finds_the_script(answer: str) -> None:
    assert extract_code(answer) == SCRIPT


def test_cut_off_answer_keeps_what_parses() -> None:
    answer = "```python\nfrom build123d import *\nsize = 10\nresult = Box(size, si"
    assert extract_code(answer) == "from build123d import *\nsize = 10\n"


def test_no_code() -> None:
    assert extract_code("I cannot help with that.") == ""
