"""Samplers of the bodies a small model fills in one step where other words would need a path or
a revolve: pyramids and tapered blocks, domes and hemispheres, capsules, right-triangle plates.
Their words come from the lexicon (`partsmith.training.lexicon`), in the description's style.
"""

from __future__ import annotations

import random
from typing import Any

from partsmith.training import words
from partsmith.training.lexicon import noun
from partsmith.training.lexicon import say as lex
from partsmith.training.parts import Features, realistic_small
from partsmith.training.sizes import Sayer


def pyramid(rng: random.Random) -> tuple[str, Features]:
    say = Sayer(rng)
    l_ = say.size(10, 200)
    w = l_ if rng.random() < 0.5 else say.size(10, 200)
    h = say.size(5, 200)
    body: dict[str, Any] = {"type": "pyramid", "l": l_.mm, "w": w.mm, "h": h.mm}
    base = f"{l_.text} square" if w is l_ else say.dims(l_, w)
    if rng.random() < 0.45:  # a frustum: a flat top, smaller than the base
        tl = say.size(2, max(2.1, l_.mm * 0.8))
        tw = tl if w is l_ else say.size(2, max(2.1, w.mm * 0.8))
        body.update({"tl": tl.mm, "tw": tw.mm})
        top = f"{tl.text} square" if tw is tl else say.dims(tl, tw)
        text = rng.choice(
            [
                f"{noun(rng, 'body.frustum_pyramid')}, {base} at the base, {top} at the top, "
                f"{lex(rng, 'param.height', v=h.text)}",
                f"{noun(rng, 'body.frustum_pyramid')} tapering from {base} to {top} over {h.text}",
            ]
        )
        return text, [body]
    kind = "body.square_pyramid" if w is l_ else "body.pyramid"
    apex = lex(rng, "param.apex", v=h.text)
    text = rng.choice(
        [
            f"{noun(rng, kind)} with a {base} base, {apex}",
            f"{noun(rng, kind)}, base {base}, {apex}",
        ]
    )
    return text, [body]


def dome(rng: random.Random) -> tuple[str, Features]:
    say = Sayer(rng)
    d = say.size(6, 200)
    if rng.random() < 0.5:
        text = rng.choice(
            [
                f"{noun(rng, 'body.hemisphere')}, {say.round_size(d)}",
                f"{words.article(d.bare)} {d.text} {lex(rng, 'body.hemisphere')}, flat side down",
                f"{noun(rng, 'body.hemisphere')} of {say.round_size(d)}",
            ]
        )
        return text, [{"type": "dome", "d": d.mm}]
    h = say.size(1, max(1.1, d.mm * 0.45))
    text = rng.choice(
        [
            f"{noun(rng, 'body.dome')} {say.round_size(d)} at the base, {lex(rng, 'param.height', v=h.text)}",
            f"{noun(rng, 'body.dome')}, base {say.round_size(d)}, {h.text} high in the middle",
        ]
    )
    return text, [{"type": "dome", "d": d.mm, "h": h.mm}]


def capsule(rng: random.Random) -> tuple[str, Features]:
    say = Sayer(rng)
    d = say.size(3, 80)
    length = say.size(d.mm * 1.3, max(d.mm * 1.4, d.mm * 8))
    body: dict[str, Any] = {"type": "capsule", "d": d.mm, "l": length.mm}
    overall = lex(rng, "param.overall_length", v=length.text)
    text = rng.choice(
        [
            f"{noun(rng, 'body.capsule')} {say.round_size(d)}, {overall}",
            f"{noun(rng, 'body.capsule')}, {overall}, {d.text} across",
        ]
    )
    if rng.random() < 0.3:
        axis = rng.choice(["x", "y"])
        body.update({"axis": axis, "mid": True})
        text += f", {lex(rng, f'placement.along_{axis}')}"
    return text, [body]


def triangle(rng: random.Random) -> tuple[str, Features]:
    say = Sayer(rng)
    lx, ly = say.size(10, 200), say.size(10, 200)
    t = say.exact(max(2.0, realistic_small(rng, 10))) if rng.random() < 0.7 else say.size(2, 40)
    legs = lex(rng, "param.legs", v=f"{lx.text} along X and {ly.text} along Y")
    text = rng.choice(
        [
            f"{noun(rng, 'body.triangle')}, {legs}, {lex(rng, 'param.thickness', v=t.text)}",
            f"{noun(rng, 'body.triangle')} {lex(rng, 'param.thickness', v=t.text)} with {legs}, "
            "the right angle at the origin",
        ]
    )
    return text, [{"type": "triangle", "lx": lx.mm, "ly": ly.mm, "h": t.mm}]


SAMPLERS = {
    "pyramid": (pyramid, 0.5),
    "dome": (dome, 0.5),
    "capsule": (capsule, 0.4),
    "triangle": (triangle, 0.4),
}
