"""The GBNF grammar that holds a model to part programs, with every number bounded.

llama.cpp's JSON-schema converter (as shipped in llama-cpp-python) leaves `minimum` and `maximum`
out: any number of any size parses. This subclass of its converter writes a bounded rule instead:
an integer range as its values (`"-1" | "0" | ... | "23"`), a decimal as at most as many integer
digits as its bound has, no sign unless it can be negative, at most three decimals and no exponent.
The model cannot write 1e9 or -5 for a diameter; what the digits still allow past a bound (2500
for a maximum of 2000) is caught by the program's own validation.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from llama_cpp.llama_grammar import SchemaConverter, _build_repetition

from partsmith.program.schema import json_schema

MAX_DECIMALS = 3
MAX_ENUMERATED = 64


class BoundedConverter(SchemaConverter):
    """llama.cpp's converter, with `minimum` / `maximum` turned into bounded number rules."""

    def __init__(self) -> None:
        super().__init__(prop_order={}, allow_fetch=False, dotall=False, raw_pattern=False)
        # One optional space between tokens (the stock rule also allows a newline and up to 20
        # spaces or tabs, which keeps many more grammar stacks alive at every step).
        self._rules["space"] = '" "?'

    def visit(self, schema: dict[str, Any], name: str) -> str:
        kind = schema.get("type")
        low = schema.get("minimum", schema.get("exclusiveMinimum"))
        high = schema.get("maximum", schema.get("exclusiveMaximum"))
        if kind in ("number", "integer") and low is not None and high is not None:
            low, high = float(low), float(high)
            if kind == "integer":
                return str(self._add_rule(f"int{_tag(low)}-{_tag(high)}", _integer_rule(int(low), int(high))))
            return str(self._add_rule(f"num{_tag(low)}-{_tag(high)}", _number_rule(low, high)))
        return str(super().visit(schema, name))


def _tag(value: float) -> str:
    text = str(int(value)) if float(value).is_integer() else str(value).replace(".", "p")
    return text.replace("-", "m")


def _integer_rule(low: int, high: int) -> str:
    if high - low + 1 <= MAX_ENUMERATED:
        return "(" + " | ".join(f'"{value}"' for value in range(low, high + 1)) + ") space"
    return _number_rule(low, high, decimals=False)


def _number_rule(low: float, high: float, decimals: bool = True) -> str:
    digits = len(str(int(max(abs(low), abs(high)))))
    integral = f'("0" | [1-9] {_build_repetition("[0-9]", 0, digits - 1)})' if digits > 1 else "[0-9]"
    sign = '"-"? ' if low < 0 else ""
    fraction = f' ("." {_build_repetition("[0-9]", 1, MAX_DECIMALS)})?' if decimals else ""
    return f"{sign}{integral}{fraction} space"


@lru_cache(maxsize=1)
def gbnf() -> str:
    """The grammar for a program (one JSON object, no text around it)."""
    converter = BoundedConverter()
    schema = converter.resolve_refs(json_schema(), "program")
    converter.visit(schema, "")
    return str(converter.format_grammar())


