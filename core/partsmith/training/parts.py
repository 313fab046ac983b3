"""Samplers of part programs with English descriptions: one function per kind of part.

Each sampler draws realistic sizes, writes the program's features (plain dicts in the program's
schema: `partsmith.program.schema`) and one description of them, varied in word order, units,
radius or diameter, counts and positions. Sizes the program's defaults cover (a through hole, the
top face, a clearance fit) are often left unsaid, as users leave them. Sizes are kept inside what
builds: holes inside their face, fillets smaller than their edges, walls thinner than the part.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from partsmith.kit.screws import SCREWS
from partsmith.training import words
from partsmith.training.lexicon import lexicon
from partsmith.training.lexicon import noun as lexicon_noun
from partsmith.training.lexicon import say as lex
from partsmith.training.sizes import Sayer, Sized

Features = list[dict[str, Any]]
Sampler = Callable[[random.Random], tuple[str, Features]]

# The screw sizes the generator says (the common ones); their holes come from the kit's one table.
METRIC = ("M2", "M2.5", "M3", "M4", "M5", "M6", "M8", "M10", "M12")
CLEARANCE = {size: screw.clearance for size, screw in SCREWS.items()}


def _pts(*points: tuple[float, float]) -> dict[str, Any]:
    return {"type": "points", "pts": [{"x": x, "y": y} for x, y in points]}


def _p(value: float) -> float:
    return round(value, 2)


# --- pieces of descriptions ----------------------------------------------------------------------


def box_words(rng: random.Random) -> str:
    return lex(rng, "body.box")


def plate_words(rng: random.Random) -> str:
    return lex(rng, "body.plate")


def box_sizes(say: Sayer, l_: Sized, w: Sized, h: Sized, noun: str) -> str:
    """A box's three sizes said one of several ways."""
    rng = say.rng
    style = rng.randrange(6)
    if style == 0:
        return f"{words.article(l_.bare)} {say.dims(l_, w, h)} {noun}"
    if style == 1:
        return f"{words.article(noun)} {noun} {say.dims(l_, w, h)}"
    if style == 2:
        return (
            f"{words.article(noun)} {noun} {l_.text} long, {w.text} wide and {h.text} "
            f"{rng.choice(['tall', 'high', 'thick'])}"
        )
    if style == 3:
        return f"{noun}: length {l_.text}, width {w.text}, height {h.text}"
    if style == 4:
        return f"{words.article(noun)} {noun}, {say.dims(l_, w, h)}"
    return f"{words.article(noun)} {noun} of {say.dims(l_, w, h)}"


def hole_words(rng: random.Random, n: int) -> str:
    word = lex(rng, "feature.hole")
    return word if n == 1 else word + "s"


def _hole_size(say: Sayer, max_d: float) -> tuple[str, dict[str, Any], float]:
    """A hole's size: a diameter, or a metric screw size (clearance or tapped). Returns its
    words, its program keys and its diameter in mm (for keeping it inside its face)."""
    rng = say.rng
    fits = [m for m in METRIC if CLEARANCE[m] <= max_d]
    if fits and rng.random() < 0.35:
        m = rng.choice(fits)
        if rng.random() < 0.25:
            return lex(rng, "feature.tapped", m=m), {"m": m, "fit": "tap"}, CLEARANCE[m]
        named = lex(rng, "screw.metric", m=m)
        return lex(rng, "feature.clearance", m=named), {"m": m}, CLEARANCE[m]
    unc = [(size, hole) for size, hole in lexicon().unc.items() if hole[0] <= max_d]
    if unc and say.unit == "inch" and rng.random() < 0.4:
        size, (clearance, tap) = rng.choice(unc)
        if rng.random() < 0.3:
            return lex(rng, "feature.tapped", m=size), {"d": tap}, tap
        named = lex(rng, "screw.unc", m=size)
        return lex(rng, "feature.clearance", m=named), {"d": clearance}, clearance
    d = say.size(1.5, max(1.6, max_d))
    return say.round_size(d) if rng.random() < 0.5 else d.text, {"d": d.mm}, d.mm


def _depth(say: Sayer, thickness: float) -> tuple[str, dict[str, Any]]:
    """Through (said or not), or blind to a depth less than `thickness`."""
    rng = say.rng
    if thickness > 4 and rng.random() < 0.3:
        depth = say.size(1, thickness * 0.7)
        return lex(rng, "feature.blind", v=depth.text), {"depth": depth.mm}
    return lex(rng, "feature.through"), {}


# --- samplers -------------------------------------------------------------------------------------


def box(rng: random.Random) -> tuple[str, Features]:
    say = Sayer(rng)
    if rng.random() < 0.25:
        side = say.size(5, 150)
        cube = lex(rng, "body.cube")
        text = rng.choice(
            [
                f"a {side.text} {cube}",
                f"a {cube} {side.text} on each side",
                f"{cube}, {side.text}",
                f"a {cube} with {side.text} sides",
            ]
        )
        return text, [{"type": "box", "l": side.mm, "w": side.mm, "h": side.mm}]
    l_, w, h = say.size(10, 300), say.size(5, 200), say.size(2, 150)
    return box_sizes(say, l_, w, h, box_words(rng)), [{"type": "box", "l": l_.mm, "w": w.mm, "h": h.mm}]


def plate_with_holes(rng: random.Random) -> tuple[str, Features]:
    say = Sayer(rng)
    l_, w, t = say.size(30, 250), say.size(20, 150), say.size(2, 15)
    text = box_sizes(say, l_, w, t, plate_words(rng))
    features: Features = [{"type": "box", "l": l_.mm, "w": w.mm, "h": t.mm}]
    smaller = min(l_.mm, w.mm)
    layout = rng.choice(["corners", "corners", "center", "grid", "line", "points"])
    one_hole, holes = hole_words(rng, 1), hole_words(rng, 2)
    hole: dict[str, Any] = {"type": "hole"}
    if layout == "corners":
        edge = say.size(3, max(3.1, smaller / 5))
        size_text, size, d = _hole_size(say, min(edge.mm * 1.4, smaller / 4))
        hole["at"] = {
            "type": "grid",
            "nx": 2,
            "ny": 2,
            "dx": _p(l_.mm - 2 * edge.mm),
            "dy": _p(w.mm - 2 * edge.mm),
        }
        four = rng.choice(["four", "4", "4x"])
        text += rng.choice(
            [
                f" with {four} {size_text} {holes} {edge.text} from the edges",
                f", {size_text} {lex(rng, 'feature.corners')} {edge.text} in from the edges",
                f" with {words.article(size_text)} {size_text} {one_hole} in each corner, "
                f"{edge.text} in from the edges",
                f", {four} {size_text} corner holes inset {edge.text}",
                f" and {four} {size_text} mounting holes at the corners, {edge.text} from each edge",
            ]
        )
    elif layout == "center":
        size_text, size, d = _hole_size(say, smaller * 0.5)
        hole["at"] = _pts((0, 0))
        text += rng.choice(
            [
                f" with {words.article(size_text)} {size_text} {one_hole} in the middle",
                f" with {words.article(size_text)} {size_text} {one_hole} in the center",
                f", {size_text} {one_hole} in the centre",
                f" and a centered {size_text} {one_hole}",
            ]
        )
    elif layout == "grid":
        nx, ny = rng.randint(2, 5), rng.randint(2, 4)
        dx = say.size(5, max(5.1, (l_.mm * 0.8) / (nx - 1)))
        dy = say.size(5, max(5.1, (w.mm * 0.8) / (ny - 1)))
        size_text, size, d = _hole_size(say, min(dx.mm, dy.mm) * 0.6)
        hole["at"] = {"type": "grid", "nx": nx, "ny": ny, "dx": dx.mm, "dy": dy.mm}
        text += rng.choice(
            [
                f" with a {nx} x {ny} grid of {size_text} {holes} spaced {dx.text} by {dy.text}",
                f", {nx * ny} {size_text} {holes} in {ny} rows of {nx}, {dx.text} apart along the "
                f"length and {dy.text} across",
                f" with {nx}x{ny} {size_text} {holes} at {dx.bare} x {dy.bare}{say.suffix} pitch",
            ]
        )
    elif layout == "line":
        n = rng.randint(2, 6)
        pitch = say.size(5, max(5.1, l_.mm * 0.8 / (n - 1)))
        size_text, size, d = _hole_size(say, min(pitch.mm * 0.6, w.mm * 0.5))
        hole["at"] = {"type": "grid", "nx": n, "ny": 1, "dx": pitch.mm, "dy": 0}
        text += rng.choice(
            [
                f" with {words.count(rng, n)} {size_text} {holes} in a row, {pitch.text} apart",
                f", a row of {n} {size_text} {holes} along its length at {pitch.text} spacing",
                f" and {n}x {size_text} {holes} on the center line, pitch {pitch.text}",
            ]
        )
    else:
        x = _p(rng.choice([-1, 1]) * say.size(2, l_.mm * 0.3).mm)
        y = _p(rng.choice([-1, 1, 0]) * say.size(2, w.mm * 0.3).mm)
        size_text, size, d = _hole_size(say, min(l_.mm / 2 - abs(x), w.mm / 2 - abs(y)) * 1.2)
        hole["at"] = _pts((x, y), (-x, -y)) if rng.random() < 0.5 else _pts((x, y))
        where = rng.choice(
            [
                f"at ({words.num(x)}, {words.num(y)})",
                f"at x={words.num(x)} y={words.num(y)}",
                f"at X{words.num(x)} Y{words.num(y)}",
            ]
        )
        if len(hole["at"]["pts"]) == 2:
            text += f" with two {size_text} {holes}, {where} and at ({words.num(-x)}, {words.num(-y)})"
        else:
            text += f" with {words.article(size_text)} {size_text} {one_hole} {where}"
        text += rng.choice(["", " (mm from the center)", ", measured from the middle"])
    hole.update(size)
    depth_text, depth = _depth(say, t.mm)
    hole.update(depth)
    text += depth_text
    if "depth" not in depth and rng.random() < 0.25 and d < smaller / 6:
        cb = say.exact(_p(round(d * 1.8)))
        cb_h = say.size(1, t.mm * 0.6)
        if rng.random() < 0.5:
            hole.update({"cb_d": cb.mm, "cb_h": cb_h.mm})
            word = lex(rng, "feature.counterbore")
            text += rng.choice(
                [
                    f", {word} {cb.text} x {cb_h.text} deep",
                    f", {word} Ø{cb.bare} x {cb_h.bare}{say.suffix}",
                    f", {word} {cb.text} dia {cb_h.text} deep",
                ]
            )
        else:
            hole.update({"cs_d": cb.mm})
            word = lex(rng, "feature.countersink")
            text += rng.choice(
                [f", {word} to {cb.text}", f", {word} {cb.text}", f", {word} Ø{cb.bare}{say.suffix}"]
            )
    if rng.random() < 0.2:
        r = say.size(1, smaller / 6)
        features.append({"type": "fillet", "r": r.mm, "edges": "vertical"})
        text += rng.choice(
            [
                f", corners rounded {r.text}",
                f" and {r.text} radius corners",
                f", vertical edges filleted {r.text}",
            ]
        )
    features.append(hole)
    return text, features


def cylinder(rng: random.Random) -> tuple[str, Features]:
    say = Sayer(rng)
    d, h = say.size(4, 200), say.size(2, 250)
    kind = (
        "body.disc" if h.mm < d.mm / 2 else "body.pin" if h.mm > 3 * d.mm and d.mm <= 20 else "body.cylinder"
    )
    noun = lex(rng, kind)
    text = rng.choice(
        [
            f"a {noun} {say.round_size(d)} and {h.text} {rng.choice(['tall', 'long', 'high'])}",
            f"{words.article(noun)} {noun}, {say.round_size(d)}, {h.text} "
            f"{rng.choice(['tall', 'long', 'high', 'thick'])}",
            f"{words.article(noun)} {noun} of diameter {d.text} and height {h.text}",
            f"{words.article(d.bare)} {d.text} {noun}, {h.text} long",
            f"{noun} d{d.bare} h{h.bare}{say.suffix}",
        ]
    )
    body: dict[str, Any] = {"type": "cylinder", "d": d.mm, "h": h.mm}
    features: Features = [body]
    if rng.random() < 0.15:
        axis = rng.choice(["x", "y"])
        body.update({"axis": axis, "mid": True})
        text += rng.choice(
            [
                f", lying along the {axis.upper()} axis",
                f", its axis along {axis}",
                f" pointing along {axis.upper()}",
                f", horizontal along {axis.upper()}, centred on the origin",
            ]
        )
        return text, features
    choice = rng.random()
    if choice < 0.3 and d.mm >= 6:
        bore = say.size(1, d.mm * 0.6)
        depth_text, depth = _depth(say, h.mm)
        features.append({"type": "hole", "at": _pts((0, 0)), "d": bore.mm, **depth})
        text += rng.choice(
            [
                f" with a {say.round_size(bore)} hole down the middle{depth_text}",
                f", {bore.text} bore{depth_text}",
                f" and {words.article(bore.text)} {bore.text} center hole{depth_text}",
            ]
        )
    if rng.random() < 0.3:
        small = min(d.mm / 5, h.mm / 3)
        if small >= 0.5:
            edge = rng.choice(["top", "top", "bottom", "all"])
            said = {"top": "top edge", "bottom": "bottom edge", "all": "both ends"}[edge]
            if rng.random() < 0.5:
                c = say.exact(realistic_small(rng, small))
                features.insert(
                    1, {"type": "chamfer", "l": c.mm, **({} if edge == "all" else {"edges": edge})}
                )
                text += rng.choice([f", {c.text} chamfer on the {said}", f", chamfer the {said} {c.text}"])
            else:
                r = say.exact(realistic_small(rng, small))
                features.insert(
                    1, {"type": "fillet", "r": r.mm, **({} if edge == "all" else {"edges": edge})}
                )
                text += rng.choice([f", {said} rounded {r.text}", f" with a {r.text} fillet on the {said}"])
    return text, features


def realistic_small(rng: random.Random, limit: float) -> float:
    options = [v for v in (0.5, 1, 1.5, 2, 3, 4, 5, 6, 8, 10) if v <= limit]
    return float(rng.choice(options or [0.5]))


def disc_bolt_circle(rng: random.Random) -> tuple[str, Features]:
    say = Sayer(rng)
    d, t = say.size(40, 250), say.size(3, 25)
    n = rng.choice([3, 4, 5, 6, 6, 8, 8, 10, 12])
    bore = say.size(5, d.mm * 0.35)
    pcd = (
        say.size(bore.mm + 12, d.mm - 10) if d.mm - 10 > bore.mm + 12 else say.exact(_p((bore.mm + d.mm) / 2))
    )
    gap = min(pcd.mm - bore.mm, d.mm - pcd.mm) / 2
    size_text, size, _ = _hole_size(say, min(gap * 0.8, 3.14 * pcd.mm / n * 0.5))
    noun = lex(rng, "body.disc")
    features: Features = [{"type": "cylinder", "d": d.mm, "h": t.mm}]
    text = rng.choice(
        [
            f"a {noun} {say.round_size(d)}, {t.text} thick",
            f"{words.article(d.bare)} {d.text} {noun} {t.text} thick",
            f"{words.article(noun)} {noun} of {d.text} diameter and {t.text} thickness",
        ]
    )
    if rng.random() < 0.7:
        features.append({"type": "hole", "at": _pts((0, 0)), "d": bore.mm})
        text += rng.choice(
            [
                f" with {words.article(bore.text)} {bore.text} center bore",
                f", {say.round_size(bore)} hole in the middle",
                f" and {words.article(bore.text)} {bore.text} central hole",
            ]
        )
    circle: dict[str, Any] = {"type": "circle", "n": n, "d": pcd.mm}
    angle = ""
    if rng.random() < 0.15:
        a = rng.choice([15, 30, 45, 22.5, 90])
        circle["a"] = a
        angle = f", the first at {words.num(a)} degrees"
    features.append({"type": "hole", "at": circle, **size})
    text += rng.choice(
        [
            f" and {words.count(rng, n)} {size_text} holes "
            f"{lex(rng, 'feature.bolt_circle', v=pcd.text)}{angle}",
            f", {n}x {size_text} holes equally spaced on a {pcd.text} PCD{angle}",
            f", plus {words.count(rng, n)} {size_text} bolt holes on a circle of "
            f"{say.round_size(pcd)}{angle}",
        ]
    )
    return text, features


def sphere(rng: random.Random) -> tuple[str, Features]:
    say = Sayer(rng)
    d = say.size(3, 200)
    noun = lex(rng, "body.sphere")
    text = rng.choice(
        [
            f"a {noun} {say.round_size(d)}",
            f"{words.article(d.bare)} {d.text} {noun}",
            f"{words.article(noun)} {noun} with a diameter of {d.text}",
        ]
    )
    body: dict[str, Any] = {"type": "sphere", "d": d.mm, "z": _p(d.mm / 2)}
    if rng.random() < 0.3:
        body.pop("z")
        text += rng.choice([" centred at the origin", ", center at 0,0,0", f", {lex(rng, 'placement.mid')}"])
    return text, [body]


def cone(rng: random.Random) -> tuple[str, Features]:
    say = Sayer(rng)
    d1, h = say.size(5, 200), say.size(5, 200)
    if rng.random() < 0.4:
        cone = lex(rng, "body.cone")
        text = rng.choice(
            [
                f"a {cone} {say.round_size(d1)} at the base and {h.text} tall",
                f"a {cone}, base {d1.text}, height {h.text}",
                f"a {cone} {d1.text} wide, {lex(rng, 'param.apex', v=h.text)}",
            ]
        )
        return text, [{"type": "cone", "d1": d1.mm, "d2": 0, "h": h.mm}]
    d2 = say.size(2, max(2.1, d1.mm * 0.8))
    if rng.random() < 0.2:
        d1, d2 = d2, d1
    noun = lex(rng, "body.frustum")
    text = rng.choice(
        [
            f"a {noun} {d1.text} across at the bottom, {d2.text} at the top, {h.text} tall",
            f"{words.article(noun)} {noun}: bottom diameter {d1.text}, top diameter {d2.text}, "
            f"height {h.text}",
            f"a {noun} tapering from {say.round_size(d1)} to {d2.text} over {h.text}",
        ]
    )
    return text, [{"type": "cone", "d1": d1.mm, "d2": d2.mm, "h": h.mm}]


def tube(rng: random.Random) -> tuple[str, Features]:
    say = Sayer(rng)
    od = say.size(5, 200)
    inner = say.size(max(1, od.mm * 0.3), od.mm * 0.92)
    if inner.mm >= od.mm - 0.4:
        inner = say.exact(_p(od.mm * 0.6))
    h = say.size(1, 300)
    thin = h.mm < od.mm / 4
    lying = rng.choice(["x", "y"]) if rng.random() < 0.12 else None
    noun = lex(rng, "body.washer" if thin else "body.tube")
    upright = rng.choice(["param.length", "param.height"]) if lying is None else "param.length"
    tall = lex(rng, "param.thickness" if thin else upright, v=h.text)
    outside = lex(rng, "param.od", v=od.text)
    style = rng.randrange(4)
    if style == 2:  # said by its wall (a wall of whole or half millimetres)
        wall = realistic_small(rng, max(0.5, (od.mm - 1) / 2 * 0.8))
        inner = say.exact(_p(od.mm - 2 * wall))
        said = lex(rng, "param.wall", v=say.exact(wall).text)
        text = f"{words.article(noun)} {noun}, {outside}, {said}, {tall}"
    elif style == 3:
        text = f"{words.article(noun)} {noun}: {od.bare}/{inner.bare}{say.suffix} diameters, {tall}"
    else:
        hole = lex(rng, "param.id", v=inner.text)
        parts = [outside, hole, tall] if style == 0 else [tall, outside, hole]
        text = f"{words.article(noun)} {noun} " + ", ".join(parts)
    body: dict[str, Any] = {"type": "tube", "od": od.mm, "id": inner.mm, "h": h.mm}
    if lying is not None:
        body.update({"axis": lying, "mid": True})
        text += f", {lex(rng, f'placement.along_{lying}')}"
    return text, [body]


def torus(rng: random.Random) -> tuple[str, Features]:
    say = Sayer(rng)
    od = say.size(10, 250)
    inner = say.size(max(1, od.mm * 0.3), od.mm * 0.85)
    if inner.mm >= od.mm - 0.4:
        inner = say.exact(_p(od.mm * 0.6))
    noun = lex(rng, "body.torus")
    if rng.random() < 0.3:
        cross = _p((od.mm - inner.mm) / 2)
        mean = _p((od.mm + inner.mm) / 2)
        text = (
            f"{words.article(noun)} {noun} with a mean diameter of {say.exact(mean).text} and a "
            f"{say.exact(cross).text} cross section"
        )
    else:
        text = rng.choice(
            [
                f"{words.article(noun)} {noun} {od.text} outside and {inner.text} inside diameter",
                f"{words.article(noun)} {noun}, {lex(rng, 'param.od', v=od.text)}, "
                f"{lex(rng, 'param.id', v=inner.text)}",
            ]
        )
    body: dict[str, Any] = {"type": "torus", "od": od.mm, "id": inner.mm}
    tube_d = (od.mm - inner.mm) / 2
    if rng.random() < 0.15 and tube_d > 4:
        wall = say.size(0.5, tube_d / 4)
        body["wall"] = wall.mm
        text += f", hollow with a {wall.text} wall"
    return text, [body]


def wedge(rng: random.Random) -> tuple[str, Features]:
    say = Sayer(rng)
    l_, w, h = say.size(10, 200), say.size(5, 150), say.size(5, 150)
    noun = lex(rng, "body.wedge")
    body: dict[str, Any] = {"type": "wedge", "l": l_.mm, "w": w.mm, "h": h.mm}
    text = rng.choice(
        [
            f"{words.article(noun)} {noun} {l_.text} long, {w.text} wide, {h.text} high",
            f"{words.article(noun)} {noun} {say.dims(l_, w, h)}",
            f"{words.article(noun)} {noun} with a {l_.text} base, {w.text} wide, rising to {h.text}",
        ]
    )
    if rng.random() < 0.3 and l_.mm > 10:
        top = say.size(2, l_.mm * 0.6)
        body["top"] = top.mm
        text += rng.choice([f", {top.text} long at the top", f" with a {top.text} flat on top"])
    return text, [body]


def prism(rng: random.Random) -> tuple[str, Features]:
    say = Sayer(rng)
    n = rng.choice([3, 5, 6, 6, 6, 8, 8, 10, 12])
    name = {
        3: "triangular",
        5: "pentagonal",
        6: "hexagonal",
        8: "octagonal",
        10: "decagonal",
        12: "12-sided",
    }[n]
    d, h = say.size(5, 150), say.size(2, 200)
    body: dict[str, Any] = {"type": "prism", "n": n, "d": d.mm, "h": h.mm}
    corners = rng.random() < 0.3
    if corners:
        body["across"] = "corners"
    if n % 2:  # an odd polygon has no flat opposite a flat: its circles say its size
        circle = "a circumscribed" if corners else "an inscribed"
        across = f"{circle} circle diameter of {d.text}"
    else:
        across = lex(rng, "param.across_corners" if corners else "param.across_flats", v=d.text)
    if n == 6 and rng.random() < 0.3:
        name = "hex"
    noun = lex(rng, "body.prism", n=str(n), poly=name)
    tall = lex(rng, rng.choice(["param.height", "param.length", "param.thickness"]), v=h.text)
    text = rng.choice(
        [
            f"{words.article(noun)} {noun} {across}, {tall}",
            f"{words.article(noun)} {noun}, {tall}, {across}",
            f"{words.article(noun)} {noun} with {across} and {tall}",
        ]
    )
    return text, [body]


def extrusion(rng: random.Random) -> tuple[str, Features]:
    say = Sayer(rng)
    kind = rng.choice(["slot", "rect", "l", "t", "u", "arc"])
    h = say.size(2, 100)
    if kind == "slot":
        l_, w = say.size(10, 150), say.size(4, 60)
        noun = lex(rng, "body.stadium")
        text = rng.choice(
            [
                f"{words.article(noun)} {noun} {l_.text} between the centres and {w.text} wide, "
                f"{lex(rng, 'param.thickness', v=h.text)}",
                f"{words.article(noun)} {noun} {w.text} wide, {l_.text} centre to centre, extruded {h.text}",
                f"{words.article(noun)} {noun} {l_.text} c-c, {w.text} wide, "
                f"{lex(rng, 'param.height', v=h.text)}",
                f"{words.article(noun)} {noun} {say.exact(_p(l_.mm + w.mm)).text} long overall and "
                f"{w.text} wide, {lex(rng, 'param.thickness', v=h.text)}",
            ]
        )
        return text, [{"type": "extrude", "shape": {"type": "slot", "l": l_.mm, "w": w.mm}, "h": h.mm}]
    if kind == "rect":
        w, l_ = say.size(10, 200), say.size(10, 150)
        r = say.exact(realistic_small(rng, min(w.mm, l_.mm) / 2.5))
        text = rng.choice(
            [
                f"a {w.bare} x {l_.bare}{say.suffix} rounded rectangle {h.text} thick with {r.text} "
                f"corner radius",
                f"a rounded rectangular plate {w.text} by {l_.text}, R{r.bare} corners, extruded {h.text}",
            ]
        )
        return text, [
            {"type": "extrude", "shape": {"type": "rect", "w": w.mm, "l": l_.mm, "r": r.mm}, "h": h.mm}
        ]
    a, b = say.size(20, 120), say.size(20, 120)
    t = say.size(2, min(a.mm, b.mm) / 3)
    if kind == "l":
        segs = [(a.mm, 0), (a.mm, t.mm), (t.mm, t.mm), (t.mm, b.mm), (0, b.mm)]
        angle = lexicon_noun(rng, "body.l_profile")
        text = rng.choice(
            [
                f"{angle}, legs {a.text} and {b.text}, {t.text} thick, extruded {h.text}",
                f"{angle} {a.bare} x {b.bare} x {t.bare}{say.suffix}, {h.text} long",
            ]
        )
    elif kind == "t":
        half = _p(a.mm / 2)
        half_t = _p(t.mm / 2)
        segs = [
            (half, 0),
            (half, t.mm),
            (half_t, t.mm),
            (half_t, b.mm),
            (-half_t, b.mm),
            (-half_t, t.mm),
            (-half, t.mm),
            (-half, 0),
        ]
        segs = [(x, y) for x, y in segs]
        text = rng.choice(
            [
                f"a T profile {a.text} wide and {b.text} tall with {t.text} thick flange and web, "
                f"extruded {h.text}",
                f"a T-section, flange {a.text}, height {b.text}, thickness {t.text}, {h.text} long",
            ]
        )
        path = {
            "type": "path",
            "x": -half,
            "y": 0,
            "segs": [{"type": "line", "x": x, "y": y} for x, y in segs],
        }
        return text, [{"type": "extrude", "shape": path, "h": h.mm}]
    elif kind == "u":
        segs = [
            (a.mm, 0),
            (a.mm, b.mm),
            (_p(a.mm - t.mm), b.mm),
            (_p(a.mm - t.mm), t.mm),
            (t.mm, t.mm),
            (t.mm, b.mm),
            (0, b.mm),
        ]
        text = rng.choice(
            [
                f"a U-shaped profile {a.text} wide, {b.text} tall, walls {t.text}, extruded {h.text}",
                f"a U channel section {a.bare} x {b.bare}{say.suffix} with {t.text} walls, {h.text} long",
            ]
        )
    else:
        half = _p(a.mm / 2)
        segs_path = {
            "type": "path",
            "x": -half,
            "y": 0,
            "segs": [{"type": "line", "x": half, "y": 0}, {"type": "arc", "x": -half, "y": 0, "r": half}],
        }
        text = rng.choice(
            [
                f"a half disc {a.text} in diameter, {h.text} thick",
                f"a semicircle of radius {say.exact(half).text} extruded {h.text}",
            ]
        )
        return text, [{"type": "extrude", "shape": segs_path, "h": h.mm}]
    path = {"type": "path", "x": 0, "y": 0, "segs": [{"type": "line", "x": x, "y": y} for x, y in segs]}
    return text, [{"type": "extrude", "shape": path, "h": h.mm}]


def revolve(rng: random.Random) -> tuple[str, Features]:
    say = Sayer(rng, "mm")
    r1, h1 = say.size(8, 60), say.size(3, 20)
    r2 = say.size(3, max(3.1, r1.mm * 0.7))
    h2 = say.size(5, 80)
    top = _p(h1.mm + h2.mm)
    pts = [(r1.mm, 0), (r1.mm, h1.mm), (r2.mm, h1.mm), (r2.mm, top), (0, top)]
    text = rng.choice(
        [
            f"{lexicon_noun(rng, 'body.revolve')}: the profile (0,0) "
            f"{' '.join(f'({words.num(x)},{words.num(y)})' for x, y in pts)} around the Z axis",
            f"a turned part from the outline 0,0 -> "
            f"{' -> '.join(f'{words.num(x)},{words.num(y)}' for x, y in pts)} (radius, height), "
            "revolved 360 degrees",
        ]
    )
    shape = {"type": "path", "x": 0, "y": 0, "segs": [{"type": "line", "x": x, "y": y} for x, y in pts]}
    body: dict[str, Any] = {"type": "revolve", "shape": shape}
    if rng.random() < 0.2:
        body["a"] = rng.choice([90, 180, 270])
        text = (
            text.replace("360 degrees", f"{body['a']} degrees")
            if "360" in text
            else text + f", {body['a']} degrees only"
        )
    return text, [body]


def loft(rng: random.Random) -> tuple[str, Features]:
    say = Sayer(rng)
    s1 = say.size(10, 120)
    s2 = say.size(5, 100)
    h = say.size(5, 150)
    bottom_kind, top_kind = rng.choice(
        [("rect", "circle"), ("circle", "rect"), ("rect", "rect"), ("polygon", "circle")]
    )

    def shape(kind: str, size: Sized) -> tuple[dict[str, Any], str]:
        if kind == "rect":
            return {"type": "rect", "w": size.mm, "l": size.mm}, f"a {size.text} square"
        if kind == "circle":
            return {"type": "circle", "d": size.mm}, f"a {say.round_size(size)} circle"
        return {"type": "polygon", "n": 6, "d": size.mm}, f"a {size.text} hexagon (across flats)"

    bottom, bottom_text = shape(bottom_kind, s1)
    top, top_text = shape(top_kind, s2)
    text = rng.choice(
        [
            f"{lexicon_noun(rng, 'body.loft')} from {bottom_text} at the bottom to {top_text} {h.text} above",
            f"a transition piece blending {bottom_text} into {top_text} over a height of {h.text}",
        ]
    )
    return text, [{"type": "loft", "bottom": bottom, "top": top, "h": h.mm}]


def block_with_pocket(rng: random.Random) -> tuple[str, Features]:
    say = Sayer(rng)
    l_, w, h = say.size(30, 250), say.size(25, 200), say.size(5, 60)
    text = box_sizes(say, l_, w, h, box_words(rng))
    features: Features = [{"type": "box", "l": l_.mm, "w": w.mm, "h": h.mm}]
    kind = rng.choice(["rect", "rect", "circle", "slot"])
    pocket: dict[str, Any] = {"type": "pocket"}
    noun = lex(rng, "feature.pocket")
    if kind == "rect":
        pw, pl = say.size(5, l_.mm * 0.7), say.size(5, w.mm * 0.7)
        pocket["shape"] = {"type": "rect", "w": pw.mm, "l": pl.mm}
        shape_text = f"{rng.choice(['rectangular ', ''])}{noun} {say.dims(pw, pl)}"
        if rng.random() < 0.35:
            r = say.exact(realistic_small(rng, min(pw.mm, pl.mm) / 3))
            pocket["shape"]["r"] = r.mm
            shape_text += rng.choice([f" with {r.text} corner radius", f", R{r.bare} corners"])
        limit = min(l_.mm - pw.mm, w.mm - pl.mm) / 2
    elif kind == "circle":
        pd = say.size(5, min(l_.mm, w.mm) * 0.7)
        pocket["shape"] = {"type": "circle", "d": pd.mm}
        shape_text = f"round {noun} {say.round_size(pd)}"
        limit = (min(l_.mm, w.mm) - pd.mm) / 2
    else:
        sw = say.size(3, w.mm * 0.4)
        sl = say.size(5, max(5.1, l_.mm * 0.7 - sw.mm))
        pocket["shape"] = {"type": "slot", "l": sl.mm, "w": sw.mm}
        slot = lex(rng, "feature.slot")
        shape_text = rng.choice(
            [
                f"{slot} {sl.text} long (center to center) and {sw.text} wide",
                f"{sw.text} wide {slot}, {sl.text} between centers",
            ]
        )
        limit = min(l_.mm - sl.mm - sw.mm, w.mm - sw.mm) / 2
    if rng.random() < 0.6 or h.mm < 4:
        pocket["depth"] = say.size(1, h.mm * 0.8).mm
        depth_text = ", " + lex(rng, "param.depth", v=say.exact(pocket["depth"]).text)
    else:
        depth_text = rng.choice([" cut through", lex(rng, "feature.through") or " through"])
    where = ""
    if limit > 4 and rng.random() < 0.3:
        x = _p(rng.choice([-1, 1]) * realistic_small(rng, limit * 0.8))
        pocket["x"] = x
        where = rng.choice(
            [
                f", {words.num(abs(x))} mm {'right' if x > 0 else 'left'} of center",
                f" at x = {words.num(x)}",
                f", offset {words.num(x)} mm in X",
            ]
        )
    elif rng.random() < 0.5:
        where = rng.choice([" in the middle of the top", " centered on top", " in the top face"])
    text += rng.choice([" with a ", ", ", " and a "]) + shape_text + depth_text + where
    features.append(pocket)
    return text, features


def boss_on_plate(rng: random.Random) -> tuple[str, Features]:
    say = Sayer(rng)
    l_, w, t = say.size(30, 200), say.size(30, 200), say.size(3, 20)
    text = box_sizes(say, l_, w, t, plate_words(rng))
    features: Features = [{"type": "box", "l": l_.mm, "w": w.mm, "h": t.mm}]
    bd = say.size(5, min(l_.mm, w.mm) * 0.6)
    bh = say.size(2, 60)
    boss: dict[str, Any] = {"type": "boss", "shape": {"type": "circle", "d": bd.mm}, "h": bh.mm}
    noun = lex(rng, "feature.boss")
    text += rng.choice(
        [
            f" with a {noun} {say.round_size(bd)}, {bh.text} high in the middle of the top",
            f" and {words.article(bd.text)} {bd.text} {noun} standing {bh.text} tall at the center",
            f", plus a {noun} ({bd.text} dia, {bh.text} tall) on top",
        ]
    )
    features.append(boss)
    if rng.random() < 0.4 and bd.mm > 6:
        hd = say.size(1.5, bd.mm * 0.6)
        features.append({"type": "hole", "at": _pts((0, 0)), "d": hd.mm})
        text += rng.choice(
            [
                f", with {words.article(hd.text)} {hd.text} hole through the boss and plate",
                f" and a {say.round_size(hd)} hole through the middle of it all",
            ]
        )
    return text, features


def cylinder_on_block(rng: random.Random) -> tuple[str, Features]:
    say = Sayer(rng)
    l_, w, h = say.size(20, 150), say.size(20, 150), say.size(3, 50)
    d = say.size(4, min(l_.mm, w.mm) * 0.9)
    ch = say.size(3, 100)
    noun = rng.choice(["cylinder", "post", "pillar", "round peg", "shaft"])
    op = "add"
    if rng.random() < 0.25:
        op = "cut"
        ch = say.exact(_p(h.mm))
        text = box_sizes(say, l_, w, h, box_words(rng)) + rng.choice(
            [
                f" with a {say.round_size(d)} cylinder cut out of its middle",
                f", minus a {d.text} cylinder through its center",
            ]
        )
        return text, [
            {"type": "box", "l": l_.mm, "w": w.mm, "h": h.mm},
            {"type": "cylinder", "d": d.mm, "h": h.mm, "op": "cut"},
        ]
    text = rng.choice(
        [
            box_sizes(say, l_, w, h, box_words(rng))
            + f" with a {noun} {say.round_size(d)} and {ch.text} tall on top",
            f"a {noun} {d.text} in diameter and {ch.text} high standing on a {say.dims(l_, w, h)} base",
            f"a base {say.dims(l_, w, h)}, topped by a {d.text} {noun} {ch.text} tall in the centre",
        ]
    )
    return text, [
        {"type": "box", "l": l_.mm, "w": w.mm, "h": h.mm},
        {"type": "cylinder", "d": d.mm, "h": ch.mm, "z": h.mm, **({} if op == "add" else {"op": op})},
    ]


def stepped_shaft(rng: random.Random) -> tuple[str, Features]:
    say = Sayer(rng)
    d1, l1 = say.size(8, 80), say.size(5, 80)
    d2 = say.size(3, max(3.1, d1.mm * 0.8))
    l2 = say.size(5, 150)
    features: Features = [
        {"type": "cylinder", "d": d1.mm, "h": l1.mm},
        {"type": "cylinder", "d": d2.mm, "h": l2.mm, "z": l1.mm},
    ]
    text = rng.choice(
        [
            f"a stepped shaft: {say.round_size(d1)} for {l1.text}, then {d2.text} diameter for {l2.text}",
            f"a {d1.text} cylinder {l1.text} long with a {d2.text} diameter, {l2.text} long spigot on top",
            f"two stacked cylinders, Ø{d1.bare} x {l1.bare} and Ø{d2.bare} x {l2.bare}{say.suffix}",
        ]
    )
    if rng.random() < 0.3:
        r = say.exact(realistic_small(rng, min((d1.mm - d2.mm) / 2.5, l2.mm / 3)))
        features.append({"type": "fillet", "r": r.mm, "edges": "joint", "of": 1})
        text += f", {r.text} {lex(rng, 'feature.fillet')} {lex(rng, 'edges.joint')}"
    return text, features


def shelled_box(rng: random.Random) -> tuple[str, Features]:
    say = Sayer(rng)
    l_, w, h = say.size(20, 200), say.size(20, 150), say.size(10, 100)
    t = say.exact(realistic_small(rng, min(l_.mm, w.mm, h.mm) / 5))
    open_face = rng.choice(["top", "top", "top", "bottom", "none"])
    if rng.random() < 0.3:
        d = say.size(20, 150)
        features: Features = [{"type": "cylinder", "d": d.mm, "h": h.mm}]
        t = say.exact(realistic_small(rng, min(d.mm, h.mm) / 5))
        text = rng.choice(
            [
                f"a cup {say.round_size(d)} and {h.text} tall with {t.text} walls",
                f"a hollow cylinder {d.text} dia, {h.text} high, shelled to {t.text}, open at the top",
            ]
        )
        open_face = "top"
    else:
        features = [{"type": "box", "l": l_.mm, "w": w.mm, "h": h.mm}]
        said = {
            "top": rng.choice(["open at the top", "open top", "with no lid"]),
            "bottom": "open at the bottom",
            "none": rng.choice(["closed on all sides", "fully closed, hollow inside"]),
        }[open_face]
        text = box_sizes(say, l_, w, h, rng.choice(["box", "enclosure", "container", "tray", "case"]))
        shell_word, wall = lex(rng, "feature.shell"), lex(rng, "param.wall", v=t.text)
        text += rng.choice([f", {shell_word} with {wall}, {said}", f", {shell_word}, {said}, {wall}"])
    shell: dict[str, Any] = {"type": "shell", "t": t.mm}
    if open_face != "top":
        shell["open"] = open_face
    features.append(shell)
    return text, features


def edges_treated(rng: random.Random) -> tuple[str, Features]:
    say = Sayer(rng)
    l_, w, h = say.size(10, 200), say.size(10, 150), say.size(5, 100)
    group = rng.choice(["all", "all", "vertical", "top", "bottom", "long", "horizontal", "side"])
    face = rng.choice(["front", "back", "left", "right"])
    if group == "long":  # a bar: one size well past the others, so its long edges are plain
        l_ = say.size(max(40.0, 2.5 * max(w.mm, h.mm)), max(41.0, 6 * max(w.mm, h.mm)))
    limit = min(l_.mm, w.mm, h.mm) / (4 if group in ("all", "long", "horizontal") else 3)
    size = say.exact(realistic_small(rng, limit))
    said = lex(rng, f"edges.{group}", face=face) if group == "side" else lex(rng, f"edges.{group}")
    group = face if group == "side" else group
    text = box_sizes(say, l_, w, h, box_words(rng))
    if rng.random() < 0.5:
        feature: dict[str, Any] = {"type": "fillet", "r": size.mm}
        word = lex(rng, "feature.fillet")
        text += rng.choice(
            [
                f", {said} {word} {size.text}",
                f", {word} {said} R{size.bare}{say.suffix}",
                f", {size.text} {word} on {said}",
            ]
        )
    else:
        feature = {"type": "chamfer", "l": size.mm}
        word = lex(rng, "feature.chamfer")
        text += rng.choice(
            [
                f", {said} {word} {size.text}",
                f", {size.text} {word} on {said}",
                f", {word} {said} {size.bare}{say.suffix}",
            ]
        )
    if group != "all":
        feature["edges"] = group
    return text, [{"type": "box", "l": l_.mm, "w": w.mm, "h": h.mm}, feature]


def ribbed_plate(rng: random.Random) -> tuple[str, Features]:
    say = Sayer(rng)
    l_, w, t = say.size(40, 200), say.size(30, 150), say.size(3, 12)
    rt, rh = say.size(1.5, 8), say.size(5, 40)
    half = _p(l_.mm / 2)
    rib = lex(rng, "feature.rib")
    text = box_sizes(say, l_, w, t, plate_words(rng)) + rng.choice(
        [
            f" with a {rt.text} thick {rib} {rh.text} high along its length on the center line",
            f" and a {rib} down the middle lengthwise, {rt.text} thick and {rh.text} tall",
        ]
    )
    return text, [
        {"type": "box", "l": l_.mm, "w": w.mm, "h": t.mm},
        {"type": "rib", "x1": -half, "y1": 0, "x2": half, "y2": 0, "t": rt.mm, "h": rh.mm},
    ]


def ledged_block(rng: random.Random) -> tuple[str, Features]:
    say = Sayer(rng)
    l_, w, h = say.size(20, 150), say.size(20, 150), say.size(10, 60)
    sw = say.exact(realistic_small(rng, min(l_.mm, w.mm) / 5))
    sd = say.exact(realistic_small(rng, h.mm / 2))
    text = box_sizes(say, l_, w, h, box_words(rng)) + rng.choice(
        [
            f" with a {lex(rng, 'feature.ledge')} {sw.text} wide and {sd.text} deep around the top edge",
            f", rebated {sw.text} x {sd.text} all round the top",
            f" and a {sw.text} by {sd.text} ledge cut around the top",
        ]
    )
    return text, [
        {"type": "box", "l": l_.mm, "w": w.mm, "h": h.mm},
        {"type": "ledge", "w": sw.mm, "depth": sd.mm},
    ]


def copies(rng: random.Random) -> tuple[str, Features]:
    say = Sayer(rng)
    kind = rng.choice(["linear", "polar", "mirror"])
    if kind == "linear":
        d, h = say.size(3, 30), say.size(3, 60)
        n = rng.randint(2, 8)
        pitch = say.size(d.mm + 2, d.mm * 4 + 10)
        axis = rng.choice(["x", "y"])
        text = rng.choice(
            [
                f"{words.count(rng, n)} pins {say.round_size(d)} and {h.text} tall "
                f"{lex(rng, 'feature.linear', n=str(n))} along {axis.upper()}, {pitch.text} apart",
                f"a row of {n} cylinders ({d.text} dia, {h.text} high) spaced {pitch.text} in {axis.upper()}",
            ]
        )
        return text, [
            {"type": "cylinder", "d": d.mm, "h": h.mm},
            {"type": "linear", "n": n, f"d{axis}": pitch.mm},
        ]
    if kind == "polar":
        hub = say.size(10, 60)
        arm_l, arm_w, t = say.size(hub.mm, hub.mm * 3), say.size(3, max(3.1, hub.mm / 3)), say.size(3, 20)
        n = rng.choice([2, 3, 4, 5, 6, 8])
        x = _p(arm_l.mm / 2)
        text = rng.choice(
            [
                f"a hub {say.round_size(hub)} and {t.text} thick with {words.count(rng, n)} spokes "
                f"{arm_l.text} long and {arm_w.text} wide, {lex(rng, 'feature.polar')}",
                f"{words.count(rng, n)} arms ({arm_l.text} x {arm_w.text}) radiating from a "
                f"{hub.text} disc, all {t.text} thick",
            ]
        )
        return text, [
            {"type": "cylinder", "d": hub.mm, "h": t.mm},
            {"type": "box", "l": arm_l.mm, "w": arm_w.mm, "h": t.mm, "x": x},
            {"type": "polar", "n": n, "of": 1},
        ]
    l_, w, t = say.size(40, 200), say.size(20, 100), say.size(3, 15)
    bd = say.size(4, min(w.mm * 0.6, l_.mm / 4))
    bh = say.size(3, 40)
    room = l_.mm / 2 - bd.mm / 2 - 1
    x = (
        _p(say.size(max(bd.mm / 2 + 1, room * 0.4), max(bd.mm / 2 + 1.1, room)).mm)
        if room > bd.mm / 2 + 1
        else _p(l_.mm / 4)
    )
    text = box_sizes(say, l_, w, t, plate_words(rng)) + rng.choice(
        [
            f" with two {bd.text} bosses {bh.text} tall, {words.num(x)} mm either side of the "
            f"center, {lex(rng, 'feature.mirror')}",
            f" and a {say.round_size(bd)}, {bh.text} high boss at x={words.num(x)} mirrored to the "
            f"other side",
        ]
    )
    return text, [
        {"type": "box", "l": l_.mm, "w": w.mm, "h": t.mm},
        {"type": "boss", "shape": {"type": "circle", "d": bd.mm}, "x": x, "h": bh.mm},
        {"type": "mirror", "of": 1},
    ]


def side_hole(rng: random.Random) -> tuple[str, Features]:
    say = Sayer(rng)
    l_, w, h = say.size(20, 150), say.size(20, 150), say.size(15, 100)
    face = rng.choice(["front", "back", "left", "right"])
    span = l_.mm if face in ("front", "back") else w.mm
    size_text, size, _ = _hole_size(say, min(span, h.mm) * 0.5)
    depth_text, depth = _depth(say, w.mm if face in ("front", "back") else l_.mm)
    text = box_sizes(say, l_, w, h, box_words(rng)) + rng.choice(
        [
            f" with {words.article(size_text)} {size_text} hole in the {face} face, centered{depth_text}",
            f", {size_text} hole through the {face} side at mid height{depth_text}",
            f" and a horizontal {size_text} hole in the middle of the {face} face{depth_text}",
        ]
    )
    return text, [
        {"type": "box", "l": l_.mm, "w": w.mm, "h": h.mm},
        {"type": "hole", "face": face, "at": _pts((0, _p(h.mm / 2))), **size, **depth},
    ]


SAMPLERS: dict[str, tuple[Sampler, float]] = {
    "box": (box, 1.0),
    "plate_with_holes": (plate_with_holes, 3.0),
    "cylinder": (cylinder, 1.5),
    "disc_bolt_circle": (disc_bolt_circle, 1.0),
    "sphere": (sphere, 0.4),
    "cone": (cone, 0.6),
    "tube": (tube, 0.8),
    "torus": (torus, 0.5),
    "wedge": (wedge, 0.5),
    "prism": (prism, 0.6),
    "extrusion": (extrusion, 0.8),
    "revolve": (revolve, 0.3),
    "loft": (loft, 0.3),
    "block_with_pocket": (block_with_pocket, 1.5),
    "boss_on_plate": (boss_on_plate, 0.8),
    "cylinder_on_block": (cylinder_on_block, 0.8),
    "stepped_shaft": (stepped_shaft, 0.6),
    "shelled_box": (shelled_box, 0.8),
    "edges_treated": (edges_treated, 1.0),
    "ribbed_plate": (ribbed_plate, 0.4),
    "ledged_block": (ledged_block, 0.3),
    "copies": (copies, 0.8),
    "side_hole": (side_hole, 0.6),
}
