"""Every feature on the real kernel: hole counts and diameters, depths, volumes, faces."""

from __future__ import annotations

import math
from typing import Any

import pytest

from partsmith.kit.ops import FeatureError
from partsmith.kit.screws import SCREWS
from tests.program.build import build, points

PI = math.pi
PLATE = {"type": "box", "l": 60, "w": 40, "h": 10}


def hole_volume(d: float, depth: float) -> float:
    return PI * d * d / 4 * depth


@pytest.mark.parametrize(("at", "count"), [
    (points((0, 0)), 1),
    (points((-20, -10), (20, 10), (0, 0)), 3),
    ({"type": "grid", "nx": 3, "ny": 2, "dx": 20, "dy": 20}, 6),
    ({"type": "circle", "n": 5, "d": 30}, 5),
    ({"type": "row", "x": -25, "y": 0, "n": 6, "dx": 10}, 6),
])
def test_hole_patterns(at: dict[str, Any], count: int) -> None:
    made = build(PLATE, {"type": "hole", "at": at, "d": 4})
    assert made.holes == (4.0,) * count
    assert made.volume == pytest.approx(24000 - count * hole_volume(4, 10), rel=1e-6)


def test_blind_hole_depth() -> None:
    made = build(PLATE, {"type": "hole", "at": points((0, 0)), "d": 6, "depth": 4})
    assert made.holes == (6.0,) and made.volume == pytest.approx(24000 - hole_volume(6, 4))


def test_counterbore_and_countersink() -> None:
    cb = build(PLATE, {"type": "hole", "at": points((0, 0)), "d": 4, "cb_d": 8, "cb_h": 3})
    assert cb.bores == ((4.0, 8.0),) and cb.holes == (4.0,)
    assert cb.volume == pytest.approx(24000 - hole_volume(4, 7) - hole_volume(8, 3))
    cs = build(PLATE, {"type": "hole", "at": points((0, 0)), "d": 4, "cs_d": 8})
    sink = 2.0  # (8 - 4) / 2 / tan(45 deg)
    cone = PI * sink / 3 * (4 + 8 + 16)
    assert cs.holes == (4.0,)
    assert cs.volume == pytest.approx(24000 - hole_volume(4, 10 - sink) - cone, rel=1e-6)


@pytest.mark.parametrize(("m", "fit"), [("M3", "clearance"), ("M6", "tap"), ("M10", "clearance")])
def test_metric_holes(m: str, fit: str) -> None:
    made = build(PLATE, {"type": "hole", "at": points((0, 0)), "m": m, "fit": fit})
    screw = SCREWS[m]
    assert made.holes == (screw.tap if fit == "tap" else screw.clearance,)


@pytest.mark.parametrize(("face", "axis"), [("front", 1), ("back", 1), ("left", 0), ("right", 0), ("bottom", 2)])
def test_holes_on_every_face(face: str, axis: int) -> None:
    block = {"type": "box", "l": 30, "w": 30, "h": 30}
    made = build(block, {"type": "hole", "face": face, "at": points((5, 10)), "d": 6, "depth": 10})
    assert made.holes == (6.0,) and made.volume == pytest.approx(27000 - hole_volume(6, 10))
    through = build(block, {"type": "hole", "face": face, "at": points((0, 8)), "d": 6})
    assert through.volume == pytest.approx(27000 - hole_volume(6, 30))


def test_hole_starts_at_the_surface_under_it() -> None:
    # A step: the hole at x = 20 starts on the lower top face, 5 mm down, not at the part's top.
    made = build({"type": "box", "l": 60, "w": 20, "h": 5},
                 {"type": "box", "l": 20, "w": 20, "h": 10, "x": -20, "z": 5},
                 {"type": "hole", "at": points((20, 0)), "d": 4, "depth": 3})
    assert made.volume == pytest.approx(6000 + 4000 - hole_volume(4, 3))


@pytest.mark.parametrize(("shape", "area"), [
    ({"type": "rect", "w": 20, "l": 10}, 200),
    ({"type": "rect", "w": 20, "l": 10, "r": 2}, 200 - (4 - PI) * 4),
    ({"type": "circle", "d": 10}, PI * 25),
    ({"type": "slot", "l": 20, "w": 6}, 120 + PI * 9),
    ({"type": "polygon", "n": 6, "d": 10}, 6 * 25 / math.sqrt(3)),
])
def test_pockets_and_bosses(shape: dict[str, Any], area: float) -> None:
    blind = build(PLATE, {"type": "pocket", "shape": shape, "depth": 4})
    assert blind.volume == pytest.approx(24000 - area * 4, rel=1e-6) and blind.size == pytest.approx((60, 40, 10))
    through = build(PLATE, {"type": "pocket", "shape": shape, "x": 5, "y": 3, "a": 30})
    assert through.volume == pytest.approx(24000 - area * 10, rel=1e-6)
    boss = build(PLATE, {"type": "boss", "shape": shape, "h": 6})
    assert boss.volume == pytest.approx(24000 + area * 6, rel=1e-6) and boss.size[2] == pytest.approx(16)


def test_rib_and_ledge() -> None:
    rib = build(PLATE, {"type": "rib", "x1": -20, "y1": 0, "x2": 20, "y2": 0, "t": 3, "h": 8})
    assert rib.volume == pytest.approx(24000 + 40 * 3 * 8, rel=1e-6) and rib.size[2] == pytest.approx(18)
    # A rib said longer than the part ends at its outline (the model's usual slip: the plate's
    # length as the rib's half-length); one wholly off the part is an error that says so.
    long = build(PLATE, {"type": "rib", "x1": -80, "y1": 0, "x2": 80, "y2": 0, "t": 3, "h": 8})
    assert long.volume == pytest.approx(24000 + 60 * 3 * 8, rel=1e-6)
    assert long.size == pytest.approx((60, 40, 18))
    with pytest.raises(FeatureError, match="outside the part"):
        build(PLATE, {"type": "rib", "x1": 40, "y1": 0, "x2": 90, "y2": 0, "t": 3, "h": 8})
    ledge = build(PLATE, {"type": "ledge", "w": 5, "depth": 4})
    assert ledge.volume == pytest.approx(24000 - (2400 - 50 * 30) * 4) and ledge.size == pytest.approx((60, 40, 10))


@pytest.mark.parametrize(("edges", "count"), [
    ("all", 12), ("vertical", 4), ("horizontal", 8), ("top", 4), ("bottom", 4), ("front", 4), ("right", 4)])
def test_chamfer_edge_groups(edges: str, count: int) -> None:
    made = build(PLATE, {"type": "chamfer", "l": 1, "edges": edges})
    # A 1 mm chamfer takes 0.5 mm2 times the edge's length (less at corners where three meet).
    lengths = {"all": 4 * (60 + 40 + 10), "vertical": 40, "horizontal": 2 * (120 + 80),
               "top": 200, "bottom": 200, "front": 2 * (60 + 10), "right": 2 * (40 + 10)}
    removed = 24000 - made.volume
    assert removed == pytest.approx(0.5 * lengths[edges], rel=0.05)
    corners = 8 if edges == "all" else 0  # a triangle where three chamfers meet
    assert made.faces == 6 + count + corners


def test_fillet_vertical_edges() -> None:
    made = build(PLATE, {"type": "fillet", "r": 5, "edges": "vertical"})
    assert made.volume == pytest.approx(24000 - 4 * (25 - PI * 25 / 4) * 10)


def test_edges_of_a_feature_and_the_joint() -> None:
    shaft = [{"type": "cylinder", "d": 30, "h": 10}, {"type": "cylinder", "d": 10, "h": 20, "z": 10}]
    top = build(*shaft, {"type": "chamfer", "l": 1, "edges": "top", "of": 1})
    assert top.volume == pytest.approx(PI * 225 * 10 + PI * 25 * 20 - PI * 0.5 * (2 * 5 - 2 / 3) * 2 / 2 * 1,
                                       rel=1e-3)
    joint = build(*shaft, {"type": "fillet", "r": 2, "edges": "joint", "of": 1})
    assert joint.volume > PI * 225 * 10 + PI * 25 * 20  # material added in the corner
    assert joint.faces == top.faces


def test_shell() -> None:
    made = build({"type": "box", "l": 50, "w": 40, "h": 30}, {"type": "shell", "t": 2, "open": "top"})
    assert made.volume == pytest.approx(50 * 40 * 30 - 46 * 36 * 28)
    closed = build({"type": "box", "l": 50, "w": 40, "h": 30}, {"type": "shell", "t": 2, "open": "none"})
    assert closed.volume == pytest.approx(50 * 40 * 30 - 46 * 36 * 26)


def test_mirror_and_copies() -> None:
    peg = {"type": "cylinder", "d": 4, "h": 5, "x": 20, "y": 10, "z": 10}
    mirrored = build(PLATE, peg, {"type": "mirror", "plane": "yz", "of": 1})
    assert mirrored.volume == pytest.approx(24000 + 2 * PI * 4 * 5)
    row = build(PLATE, {"type": "hole", "at": points((-20, 0)), "d": 4},
                {"type": "linear", "n": 5, "dx": 10, "of": 1})
    assert row.holes == (4.0,) * 5
    ring = build({"type": "cylinder", "d": 60, "h": 5}, {"type": "hole", "at": points((20, 0)), "d": 5},
                 {"type": "polar", "n": 6, "of": 1})
    assert ring.holes == (5.0,) * 6
    whole = build({"type": "box", "l": 10, "w": 10, "h": 10}, {"type": "linear", "n": 3, "dx": 20})
    assert whole.solids == 3 and whole.volume == pytest.approx(3000)
