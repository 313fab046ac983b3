"""The schema is shaped for llama.cpp's grammar conversion, the grammar bounds every number, and
the embedded model decodes programs under it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from llama_cpp.llama_grammar import LlamaGrammar

from partsmith.config import LLMSettings
from partsmith.errors import InputError
from partsmith.generate import structured
from partsmith.model.backends import open_backend
from partsmith.model.base import Backend, Request
from partsmith.program import dump, json_schema, parse
from partsmith.program.examples import examples
from partsmith.program.grammar import gbnf


def nodes(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from nodes(value)
    elif isinstance(node, list):
        for value in node:
            yield from nodes(value)


def test_schema_is_flat_bounded_and_closed() -> None:
    schema = json_schema()
    text = json.dumps(schema)
    assert "$ref" not in text and "$defs" not in text and "oneOf" not in text
    for node in nodes(schema):
        if node.get("type") in ("number", "integer"):
            assert ("minimum" in node or "exclusiveMinimum" in node) and "maximum" in node, node
        if node.get("type") == "array":
            assert "maxItems" in node, node
        if node.get("type") == "object":
            assert node["additionalProperties"] is False
        if "anyOf" in node and "properties" in node["anyOf"][0]:
            # Every alternative is told apart by its `type` constant, asked for first.
            consts = [next(iter(option["properties"].items())) for option in node["anyOf"]]
            assert all(key == "type" and "const" in value for key, value in consts)
            assert len({value["const"] for _, value in consts}) == len(consts)


def test_the_grammar_bounds_every_number() -> None:
    grammar = gbnf()
    rules = dict(line.split(" ::= ", 1) for line in grammar.splitlines())
    assert not any(re.search(r"\b(number|integer)\b", body) for body in rules.values())
    assert rules["intm1-23"].startswith('("-1" | "0" | "1"')  # `of`: an earlier feature or -1
    assert rules["num0p1-2000"].startswith('("0" | [1-9] ([0-9] ([0-9] ([0-9])?)?)?)')  # four digits
    assert not rules["num0p1-2000"].startswith('"-"')  # no sign on a length
    assert rules["space"] == '" "?'
    LlamaGrammar.from_string(grammar, verbose=False)
    # llama.cpp's own conversion of the schema works too (a server's response_format).
    LlamaGrammar.from_json_schema(json.dumps(json_schema()), verbose=False)


def test_examples_are_written_in_the_grammars_key_order() -> None:
    schema = json_schema()
    options = {o["properties"]["type"]["const"]: list(o["properties"])
               for o in schema["properties"]["features"]["items"]["anyOf"]}
    for example in examples():
        for feature in json.loads(example.answer)["features"]:
            order = [key for key in options[feature["type"]] if key in feature]
            assert list(feature) == order, example.prompt
        assert parse(json.loads(example.answer)) == example.program
        assert dump(example.program) == example.answer


def test_an_answer_cut_short_keeps_its_complete_features() -> None:
    box = '{"type": "box", "l": 10, "w": 10, "h": 10}'
    program = structured.parse_answer('{"features": [' + ", ".join([box] * 5) + ', {"type": "bo')
    assert len(program.features) == 1
    with pytest.raises(InputError, match="not valid JSON"):
        structured.parse_answer('{"features": [{"type": "bo')


@pytest.fixture(scope="module")
def embedded() -> Backend:
    return open_backend(LLMSettings(model="gemma3-270m"), notify=lambda note: None)


def test_the_embedded_model_decodes_a_program_under_the_grammar(embedded: Backend) -> None:
    request = Request(prompt=structured.build_prompt("a 40 x 30 x 5 mm plate with four 4 mm holes",
                                                     examples()[:2]),
                      max_tokens=768, stop=["\n"], json_schema=structured.json_schema(), grammar=gbnf())
    completion = embedded.generate(request)
    data = json.loads(completion.text)
    assert completion.tokens > 10 and data["features"][0]["type"]
    structured.parse_answer(completion.text)  # the grammar's digits fit the schema's bounds here
