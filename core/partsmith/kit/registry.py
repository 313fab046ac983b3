"""The registry of part families: each is a typed build123d function with documented parameters.

A family's parameters are keyword arguments annotated with `Annotated[float, Field(...)]`: the
unit and meaning in the description, the range in the bounds. From that one signature come the
range checks at call time (a clear error instead of broken geometry), the JSON schema that the
structured route constrains the model with, and the kit reference in the code route's prompt.
"""

from __future__ import annotations

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

    def signature_text(self) -> str:
        """One line per parameter, for prompts: name, default, range and meaning."""
        lines = []
        for name, info in self.model.model_fields.items():
            bounds = [str(m) for m in info.metadata]
            lines.append(f"    {name}={info.default!r}  # {info.description or ''} {' '.join(bounds)}")
        return f"{self.name}(\n" + "\n".join(lines) + "\n)"


FAMILIES: dict[str, Family] = {}


def family(
    summary: str, keywords: tuple[str, ...] = (),
    examples: tuple[tuple[str, dict[str, Any]], ...] = (),
) -> Callable[[F], F]:
    """Register a part family. Its keyword parameters must all have defaults."""

    def register(function: F) -> F:
        fields: dict[str, Any] = {}
        for name, param in inspect.signature(function, eval_str=True).parameters.items():
            if param.default is inspect.Parameter.empty:
                raise TypeError(f"{function.__name__}.{name} needs a default")
            fields[name] = (param.annotation, param.default)
        model = create_model(
            f"{function.__name__}_params", __config__=ConfigDict(extra="forbid"), **fields
        )
        entry = Family(function.__name__, function, summary, keywords, model, examples)

        def checked(**kwargs: Any) -> Any:
            return function(**entry.validate(kwargs))

        checked.__name__ = function.__name__
        checked.__doc__ = function.__doc__
        checked.__wrapped__ = function  # type: ignore[attr-defined]
        FAMILIES[entry.name] = entry
        return checked  # type: ignore[return-value]

    return register
