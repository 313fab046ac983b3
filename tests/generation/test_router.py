"""The router: embedding similarity to the kit's families, per prompt and per model."""

from __future__ import annotations

import pytest

from partsmith.generate.examples import code_examples
from partsmith.generate.router import Router
from partsmith.sandbox import SandboxPool


@pytest.fixture(scope="module")
def router() -> Router:
    return Router()


@pytest.mark.parametrize(("prompt", "family"), [
    ("M6 hex nut", "hex_nut"),
    ("a washer 10 mm id 20 mm od 2 mm thick", "tube"),
    ("spur gear 20 teeth module 1", "spur_gear"),
    ("a 25 mm cube", "block"),
    ("a pipe 50 mm long, 10 mm outer diameter, 2 mm wall", "tube"),
])
def test_one_line_kit_prompts_take_the_structured_route(router: Router, prompt: str, family: str) -> None:
    decision = router.decide(prompt, writes_code=True)
    assert (decision.route, decision.family) == ("structured", family)


@pytest.mark.parametrize("prompt", [
    "a phone stand at 60 degrees",
    "a hook for a towel",
    "This is a rectangular plate with a slot cut through it with a slot counterbore.",
    "A square face swept along a half circle path to create a rainbow-like arc.",
])
def test_other_parts_take_the_code_route_when_the_model_can_write_code(router: Router, prompt: str) -> None:
    assert router.decide(prompt, writes_code=True).route == "code"
    decision = router.decide(prompt, writes_code=False)
    assert decision.route == "structured" and "cannot write code" in decision.reason


def test_examples_are_the_nearest(router: Router) -> None:
    assert router.code_examples("a square bar swept along an arc", 1)[0].name == "sweep"
    assert router.code_examples("a flange with a bolt circle", 1)[0].name == "flange"


def test_every_shipped_example_runs_and_matches_its_own_prompt(pool: SandboxPool) -> None:
    from partsmith.checks import stated

    examples = code_examples()
    assert len(examples) >= 8
    for example in examples:
        result = pool.run(example.code)
        problems = stated.check(example.prompt, result.measurements)
        assert problems == [], (example.name, problems)
        assert result.parameters, example.name  # named top-level sizes, as the guide asks
