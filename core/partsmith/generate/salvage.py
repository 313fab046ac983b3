"""A program less a feature the kernel could not build, and the features that work on it.

A parametric CAD tool keeps a model whose feature fails: FreeCAD marks the feature and the body
stays at the one before, and the user sees the rest and the error. The engine does the same as a
last resort, when no attempt built: the part without the features that failed is better than no
part, and the warning says what is missing and why.
"""

from __future__ import annotations

import json

from pydantic import ValidationError

from partsmith.program.schema import Program, dump, parse


def without(program: Program, index: int) -> tuple[Program, list[int]] | None:
    """`program` less `features[index]` and every feature that works on a removed one (a fillet
    `of` it, a copy of it ...), the others' `of` renumbered; and the indices removed, in the
    program's numbering. None when nothing buildable is left (the first body failed)."""
    features = json.loads(dump(program))["features"]
    if not 0 < index < len(features):
        return None
    removed = {index}
    for number, feature in enumerate(features):
        if feature.get("of", -1) in removed:
            removed.add(number)
    kept = []
    for number, feature in enumerate(features):
        if number in removed:
            continue
        of = feature.get("of", -1)
        if of >= 0:
            feature["of"] = of - sum(1 for r in removed if r < of)
        kept.append(feature)
    try:
        return parse({"features": kept}), sorted(removed)
    except ValidationError:
        return None
