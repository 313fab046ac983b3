"""The registry of part families: each is a typed build123d function with documented parameters.

A family's parameters are keyword arguments annotated with `Annotated[float, Field(...)]`: the
unit and meaning in the description, the range in the bounds. From that one signature come the
range checks at call time (a clear error instead of broken geometry), the JSON schema that the
structured route constrains the model with, and the kit reference in the code route's prompt.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError, create_model

from partsmith.errors import InputError

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Family:
    name: str
    function: Callable[..., Any]
    summary: str
    keywords: tuple[str, ...]
    model: type[BaseModel]
    examples: tuple[tuple[str, dict[str, Any]], ...] = field(default=())
    # The sizes a standard choice fixes (an M8 nut's across flats), so that a part's parameters
    # show what it is made with rather than the unused custom values.
    standard: Callable[[dict[str, Any]], dict[str, Any]] | None = None

    def schema(self) -> dict[str, Any]:
        """JSON schema of the parameters (with bounds), for a grammar or a form."""
        return self.model.model_json_schema()

    def defaults(self) -> dict[str, Any]:
        return self.model().model_dump()

    def validate(self, params: dict[str, Any]) -> dict[str, Any]:
        try:
            return self.model(**params).model_dump()
        except ValidationError as exc:
            known = ", ".join(self.model.model_fields)
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: "
                + (f"not a parameter (the parameters are {known})" if e["type"] == "extra_forbidden"
                   else e["msg"])
                for e in exc.errors()
            )
            raise InputError(f"{self.name}: {problems}") from None


FAMILIES: dict[str, Family] = {}


class LazyModule:
    """A module imported on its first attribute access, and only then: the families' build123d.

    Not placed in `sys.modules` (as the standard library's LazyLoader would): a library that walks
    `sys.modules` (transformers does) would load it by looking."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        return getattr(importlib.import_module(self._name), attribute)


def _parameters(function: Callable[..., Any]) -> dict[str, inspect.Parameter]:
    """The function's parameters with their annotations evaluated; the return annotation is left
    as written, as it names build123d types that must not load here."""
    found = {}
    for name, param in inspect.signature(function).parameters.items():
        annotation = param.annotation
        if isinstance(annotation, str):
            annotation = eval(annotation, function.__globals__)
        found[name] = param.replace(annotation=annotation)
    return found


def family(
    summary: str, keywords: tuple[str, ...] = (),
    examples: tuple[tuple[str, dict[str, Any]], ...] = (),
    standard: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> Callable[[F], F]:
    """Register a part family. Its keyword parameters must all have defaults."""

    def register(function: F) -> F:
        fields: dict[str, Any] = {}
        for name, param in _parameters(function).items():
            if param.default is inspect.Parameter.empty:
                raise TypeError(f"{function.__name__}.{name} needs a default")
            fields[name] = (param.annotation, param.default)
        model = create_model(
            f"{function.__name__}_params", __config__=ConfigDict(extra="forbid"), **fields
        )
        entry = Family(function.__name__, function, summary, keywords, model, examples, standard)

        def checked(**kwargs: Any) -> Any:
            return function(**entry.validate(kwargs))

        checked.__name__ = function.__name__
        checked.__doc__ = function.__doc__
        checked.__wrapped__ = function  # type: ignore[attr-defined]
        FAMILIES[entry.name] = entry
        return checked  # type: ignore[return-value]

    return register


def standard_sizes(script: str, values: dict[str, Any]) -> dict[str, Any]:
    """The sizes a standard choice fixes in a kit part (an M10 nut's across flats), so that its
    parameters keep saying what it is made with after the choice changes."""
    fixed: dict[str, Any] = {}
    for family in FAMILIES.values():
        if family.standard is not None and f"{family.name}(" in script \
                and set(family.model.model_fields) <= set(values):
            fixed.update({k: v for k, v in family.standard(values).items() if k in values})
    return fixed


# The families register themselves on import; they load without the CAD kernel (see families.py).
from partsmith.kit import families as _families  # noqa: E402, F401

