"""Samplers for the kit's part families as program bodies: nuts, bolts, gears, flanges, brackets.

The kit families are bodies of the part program with their own parameters (named as the family
names them); a description that names the part and its sizes maps to one such body. Parameters a
user leaves out keep the family's defaults, and the program leaves them out too.
"""

from __future__ import annotations

import random
from typing import Any

from partsmith.training import words
from partsmith.training.lexicon import say as lex
from partsmith.training.parts import Features
from partsmith.training.sizes import Sayer

ISO = ("M2", "M2.5", "M3", "M4", "M5", "M6", "M8", "M10", "M12", "M16", "M20", "M24")


def nut(rng: random.Random) -> tuple[str, Features]:
    size = rng.choice(ISO)
    named = lex(rng, "body.hex_nut", m=size)
    text = rng.choice([f"{words.article(named)} {named}", named])
    return text.replace("an M2", "a M2") if rng.random() < 0.5 else text, [{"type": "hex_nut", "size": size}]


def bolt(rng: random.Random) -> tuple[str, Features]:
    say = Sayer(rng, "mm")
    size = rng.choice(ISO)
    low = float(size[1:]) * 2
    length = say.size(low, low * 8)
    named = lex(rng, "body.hex_bolt", m=size)
    text = rng.choice(
        [
            f"an {size} x {length.bare} bolt",
            f"{size}x{length.bare} hex bolt",
            f"{words.article(named)} {named}, {length.text} long",
            f"{named}, length {length.text} under the head",
        ]
    )
    return text, [{"type": "hex_bolt", "size": size, "length": length.mm}]


def gear(rng: random.Random) -> tuple[str, Features]:
    say = Sayer(rng, "mm")
    module = rng.choice([0.5, 0.8, 1, 1, 1.5, 2, 2, 2.5, 3, 4])
    teeth = rng.randint(10, 80)
    t = say.size(3, 30)
    pitch = module * teeth
    params: dict[str, Any] = {"type": "spur_gear", "module": module, "teeth": teeth, "thickness": t.mm}
    text = rng.choice(
        [
            f"a {lex(rng, 'body.spur_gear')}, module {words.num(module)}, {teeth} teeth, {t.text} thick",
            f"a {teeth} tooth {lex(rng, 'body.spur_gear')} with module {words.num(module)} and "
            f"{t.text} face width",
            f"gear m{words.num(module)} z{teeth}, {t.text} wide",
        ]
    )
    if rng.random() < 0.7:
        bore = say.size(2, max(2.1, pitch * 0.4))
        params["bore_diameter"] = bore.mm
        text += rng.choice([f", {bore.text} bore", f" with a {bore.text} hole", f", bore Ø{bore.bare}"])
    else:
        params["bore_diameter"] = 0
        text += rng.choice([", no bore", ", solid (no hole)"])
    return text, [params]


def flange(rng: random.Random) -> tuple[str, Features]:
    say = Sayer(rng)
    od = say.size(50, 250)
    t = say.size(5, 30)
    bore = say.size(10, od.mm * 0.4)
    n = rng.choice([4, 4, 6, 8])
    pcd = say.exact(round((bore.mm + od.mm) / 2))
    hole = say.size(4, max(4.1, min((od.mm - pcd.mm) * 0.6, (pcd.mm - bore.mm) * 0.4)))
    text = rng.choice(
        [
            f"a {lex(rng, 'body.flange')} {say.round_size(od)}, {t.text} thick, {bore.text} bore, "
            f"{words.count(rng, n)} {hole.text} bolt holes on a {pcd.text} circle",
            f"a pipe flange: OD {od.text}, thickness {t.text}, center bore {bore.text}, {n}x "
            f"Ø{hole.bare} holes on a {pcd.bare} PCD",
        ]
    )
    return text, [
        {
            "type": "flange",
            "outer_diameter": od.mm,
            "thickness": t.mm,
            "bore_diameter": bore.mm,
            "bolt_holes": n,
            "bolt_hole_diameter": hole.mm,
            "bolt_circle_diameter": pcd.mm,
        }
    ]


def bracket(rng: random.Random) -> tuple[str, Features]:
    say = Sayer(rng)
    w, a, b = say.size(15, 100), say.size(20, 120), say.size(20, 120)
    t = say.size(2, min(10, a.mm / 4, b.mm / 4))
    params: dict[str, Any] = {
        "type": "l_bracket",
        "width": w.mm,
        "base_length": a.mm,
        "height": b.mm,
        "thickness": t.mm,
    }
    noun = lex(rng, "body.l_bracket")
    text = rng.choice(
        [
            f"{words.article(noun)} {noun} {w.text} wide with legs {a.text} and {b.text}, {t.text} thick",
            f"an angle bracket, base {a.text}, upright {b.text}, width {w.text}, thickness {t.text}",
        ]
    )
    if rng.random() < 0.5:
        params["holes_per_leg"] = 0
        text += rng.choice([", no holes", " without holes"])
    return text, [params]


def standoff(rng: random.Random) -> tuple[str, Features]:
    say = Sayer(rng, "mm")
    shape = rng.choice(["round", "hex"])
    m = rng.choice([("M2.5", 2.5, 5), ("M3", 3, 5.5), ("M4", 4, 7), ("M5", 5, 8)])
    h = say.size(4, 40)
    params: dict[str, Any] = {"type": "standoff", "height": h.mm, "hole_diameter": m[1], "width": m[2]}
    if shape == "hex":
        params["shape"] = "hex"
    text = rng.choice(
        [
            f"a {h.text} {shape} {lex(rng, 'body.standoff')} for {m[0]}, {words.num(m[2])} mm "
            f"{'across flats' if shape == 'hex' else 'diameter'}",
            f"{shape} spacer {h.text} tall, {words.num(m[2])} mm wide, {words.num(m[1])} mm hole",
        ]
    )
    return text, [params]


def pulley(rng: random.Random) -> tuple[str, Features]:
    say = Sayer(rng, "mm")
    d, w = say.size(15, 150), say.size(4, 30)
    bore = say.size(2, d.mm * 0.3)
    text = rng.choice(
        [
            f"a {lex(rng, 'body.pulley')} {d.text} diameter, {w.text} wide, {bore.text} bore",
            f"a belt pulley Ø{d.bare} x {w.bare} mm with a {bore.text} hole",
        ]
    )
    return text, [{"type": "pulley", "diameter": d.mm, "width": w.mm, "bore_diameter": bore.mm}]


def knob(rng: random.Random) -> tuple[str, Features]:
    say = Sayer(rng, "mm")
    d, h = say.size(12, 60), say.size(8, 40)
    shaft = say.size(3, d.mm * 0.3)
    text = rng.choice(
        [
            f"a {lex(rng, 'body.knob')} {d.text} across and {h.text} tall for a {shaft.text} shaft",
            f"a knurled control knob, {say.round_size(d)}, {h.text} high, {shaft.text} shaft hole",
        ]
    )
    return text, [{"type": "knob", "diameter": d.mm, "height": h.mm, "shaft_diameter": shaft.mm}]


def enclosure(rng: random.Random) -> tuple[str, Features]:
    say = Sayer(rng)
    l_, w, h = say.size(40, 250), say.size(30, 200), say.size(15, 100)
    wall = say.exact(rng.choice([1.5, 2, 2, 2.5, 3]))
    params: dict[str, Any] = {
        "type": "enclosure",
        "length": l_.mm,
        "width": w.mm,
        "height": h.mm,
        "wall": wall.mm,
    }
    box = lex(rng, "body.enclosure")
    text = rng.choice(
        [
            f"{words.article(box)} {box} {say.dims(l_, w, h)} with {wall.text} walls",
            f"a project box {l_.text} x {w.text} x {h.text}, wall {wall.text}",
        ]
    )
    if rng.random() < 0.4:
        params["lid"] = True
        text += rng.choice([" and a lid", ", with lid"])
    return text, [params]


SAMPLERS = {
    "nut": (nut, 0.5),
    "bolt": (bolt, 0.5),
    "gear": (gear, 0.6),
    "flange": (flange, 0.4),
    "bracket": (bracket, 0.4),
    "standoff": (standoff, 0.3),
    "pulley": (pulley, 0.3),
    "knob": (knob, 0.2),
    "enclosure": (enclosure, 0.4),
}
