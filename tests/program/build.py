"""Build programs in this process on the real kernel (the same calls the sandbox makes)."""

from __future__ import annotations

from typing import Any

from partsmith.build.geometry import Measurements, measure, to_shape
from partsmith.program import compile_program, parse
from partsmith.sandbox.policy import check_source


def program(*features: dict[str, Any]) -> Any:
    return parse({"features": list(features)})


def run_script(script: str) -> Measurements:
    """Run a compiled script (after the sandbox's static policy) and measure its part."""
    check_source(script)
    namespace: dict[str, Any] = {}
    exec(compile(script, "script.py", "exec"), namespace)
    return measure(to_shape(namespace["result"]))


def build(*features: dict[str, Any]) -> Measurements:
    return run_script(compile_program(program(*features)))


def points(*xy: tuple[float, float]) -> dict[str, Any]:
    return {"type": "points", "pts": [{"x": x, "y": y} for x, y in xy]}
