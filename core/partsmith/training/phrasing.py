"""How a generated description is framed in its style: where the part sits (the program's
convention said in the lexicon's placement words, or `mid` when the words make the part symmetric
about the origin), a spec written as sentences, and the way a request starts and ends.
"""

from __future__ import annotations

import random
import re
from typing import Any

from partsmith.training import words
from partsmith.training.lexicon import say, style_of

# Bodies whose (x, y, z) is the centre of their base, and the features that move with the body
# when it is made symmetric about the origin (they are placed on its faces, not in space).
BASED = {"box", "cylinder", "cone", "tube", "prism", "extrude", "pyramid", "dome", "capsule", "wedge"}
# Centred on the Z axis (an extruded profile is drawn where its points are; a wedge's slope runs in X)
CENTRED = BASED - {"extrude", "wedge"}
ALONG_Z = CENTRED  # its height along +Z (a wedge is a profile in XZ run along Y)
SYMMETRIC = {"box", "cylinder", "tube", "prism", "capsule"}  # symmetric about its middle
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
    first = features[0].get("type")
    alone = len(features) == 1  # a bare body: symmetric about its middle when its shape is
    odd = first == "prism" and int(features[0].get("n", 0)) % 2 == 1
    on_faces = all(f.get("type") in ON_FACES for f in features[1:])  # nothing placed in space
    if placed and alone and first in SYMMETRIC and not odd and rng.random() < 0.12:
        features[0]["mid"] = True
        where = [say(rng, "placement.mid")]
    elif placed and on_faces and rng.random() < (0.6 if style == "spec" else 0.12):
        where = [say(rng, "placement.on_xy")]
        if first in CENTRED and rng.random() < 0.6:
            where.append(say(rng, "placement.centred_xy"))
        if first in ALONG_Z and rng.random() < 0.4:
            where.append(say(rng, "placement.along_z"))
    else:
        where = []
    if style != "spec":
        return text + "".join(f", {w}" for w in where)
    sentences = [text[0].upper() + text[1:]] + [w[0].upper() + w[1:] for w in where]
    return ". ".join(s.rstrip(".") for s in sentences) + "."


_TWO_ARTICLES = re.compile(r"\b(?:a|an) (a|an) ", re.IGNORECASE)


def lead(rng: random.Random, text: str) -> str:
    """The way the request starts and ends, as its style has it (and one article where a size
    said with its own, "an inch and a half", took the place of a number: "on an inch and a half
    PCD")."""
    text = _TWO_ARTICLES.sub(r"\1 ", text)
    if style_of(rng) == "spec":
        start = rng.choice(["", "", "Create ", "Model ", "Design ", "Part: "])
        article = text.startswith(("A ", "An ")) and start not in ("", "Part: ")
        return start + (text[0].lower() + text[1:] if article else text)
    return words.casing(rng, text)
