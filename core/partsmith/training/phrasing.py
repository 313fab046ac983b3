"""How a generated description is framed in its style: where the part sits (the program's
convention said in the lexicon's placement words, or `mid` when the words make the part symmetric
about the origin), a spec written as sentences, and the way a request starts and ends.
"""

from __future__ import annotations

import random
from typing import Any

from partsmith.training import words
from partsmith.training.lexicon import say, style_of

# Bodies whose (x, y, z) is the centre of their base, and the features that move with the body
# when it is made symmetric about the origin (they are placed on its faces, not in space).
BASED = {"box", "cylinder", "cone", "tube", "prism", "extrude", "pyramid", "dome", "capsule", "wedge"}
SYMMETRIC = {"box", "cylinder", "tube", "prism", "extrude", "capsule"}  # its middle is its centre
ON_FACES = {"hole", "pocket", "boss", "rib", "ledge", "fillet", "chamfer", "shell"}
PLACEMENT = ("x", "y", "z", "axis", "rot", "mid", "op")


def _default_placed(features: list[dict[str, Any]]) -> bool:
    first = features[0]
    return first.get("type") in BASED and not any(key in first for key in PLACEMENT)


def frame(rng: random.Random, text: str, features: list[dict[str, Any]]) -> str:
    """`text` with where the part sits, said in the description's style, now and then (always
    said is as wrong as never said: most people leave the convention out). A spec ends each
    statement with a full stop."""
    style = style_of(rng)
    placed = _default_placed(features)
    symmetric = placed and features[0]["type"] in SYMMETRIC
    if symmetric and all(f.get("type") in ON_FACES for f in features[1:]) and rng.random() < 0.12:
        features[0]["mid"] = True
        where = [say(rng, "placement.mid")]
    elif placed and rng.random() < (0.6 if style == "spec" else 0.12):
        where = [say(rng, "placement.on_xy")]
        if rng.random() < 0.6:
            where.append(say(rng, "placement.centred_xy"))
        if rng.random() < 0.4:
            where.append(say(rng, "placement.along_z"))
    else:
        where = []
    if style != "spec":
        return text + "".join(f", {w}" for w in where)
    sentences = [text[0].upper() + text[1:]] + [w[0].upper() + w[1:] for w in where]
    return ". ".join(s.rstrip(".") for s in sentences) + "."


def lead(rng: random.Random, text: str) -> str:
    """The way the request starts and ends, as its style has it."""
    if style_of(rng) == "spec":
        start = rng.choice(["", "", "Create ", "Model ", "Design ", "Part: "])
        return start + (text[0].lower() + text[1:] if start and start != "Part: " else text)
    return words.casing(rng, text)
