"""Every body on the real kernel: its size, its volume and where it sits."""

from __future__ import annotations

import math
from typing import Any

import pytest

from partsmith.kit import FAMILIES
from partsmith.program.schema import kit_type
from tests.program.build import build

PI = math.pi


@pytest.mark.parametrize(("body", "size", "volume"), [
    ({"type": "box", "l": 40, "w": 30, "h": 5}, (40, 30, 5), 6000),
    ({"type": "cylinder", "d": 20, "h": 10}, (20, 20, 10), PI * 100 * 10),
    ({"type": "sphere", "d": 30}, (30, 30, 30), 4 / 3 * PI * 15**3),
    ({"type": "cone", "d1": 20, "d2": 10, "h": 30}, (20, 20, 30), PI * 30 / 3 * (100 + 50 + 25)),
    ({"type": "cone", "d1": 20, "d2": 0, "h": 30}, (20, 20, 30), PI * 30 / 3 * 100),
    ({"type": "tube", "od": 20, "id": 10, "h": 50}, (20, 20, 50), PI * (100 - 25) * 50),
    ({"type": "torus", "od": 50, "id": 30}, (50, 50, 10), 2 * PI**2 * 20 * 25),
    ({"type": "torus", "od": 60, "id": 40, "wall": 2}, (60, 60, 10), 2 * PI**2 * 25 * (25 - 9)),
    ({"type": "wedge", "l": 60, "w": 30, "h": 20}, (60, 30, 20), 60 * 20 / 2 * 30),
    ({"type": "wedge", "l": 60, "w": 30, "h": 20, "top": 20}, (60, 30, 20), (60 + 20) / 2 * 20 * 30),
    ({"type": "prism", "n": 6, "d": 10, "h": 5}, (10 / math.sqrt(3) * 2, 10, 5), 6 * 25 / math.sqrt(3) * 5),
    ({"type": "extrude", "shape": {"type": "slot", "l": 100, "w": 20}, "h": 20}, (120, 20, 20),
     (100 * 20 + PI * 100) * 20),
    ({"type": "extrude", "shape": {"type": "rect", "w": 40, "l": 20, "r": 5}, "h": 2}, (40, 20, 2),
     (800 - (4 - PI) * 25) * 2),
    ({"type": "extrude", "shape": {"type": "path", "x": 0, "y": 0, "segs": [
        {"type": "line", "x": 30, "y": 0}, {"type": "line", "x": 0, "y": 40}]}, "h": 10}, (30, 40, 10), 6000),
    ({"type": "extrude", "shape": {"type": "path", "x": -10, "y": 0, "segs": [
        {"type": "line", "x": 10, "y": 0}, {"type": "arc", "x": -10, "y": 0, "r": -10}]}, "h": 10},
     (20, 10, 10), PI * 100 / 2 * 10),
    ({"type": "revolve", "shape": {"type": "path", "x": 10, "y": 0, "segs": [
        {"type": "line", "x": 20, "y": 0}, {"type": "line", "x": 20, "y": 5}, {"type": "line", "x": 10, "y": 5}]}},
     (40, 40, 5), PI * (400 - 100) * 5),
    ({"type": "revolve", "shape": {"type": "path", "x": 10, "y": 0, "segs": [
        {"type": "line", "x": 20, "y": 0}, {"type": "line", "x": 20, "y": 5}, {"type": "line", "x": 10, "y": 5}]},
      "a": 180}, (40, 20, 5), PI * (400 - 100) * 5 / 2),
    ({"type": "loft", "bottom": {"type": "rect", "w": 20, "l": 20}, "top": {"type": "rect", "w": 10, "l": 10},
      "h": 30}, (20, 20, 30), 30 / 3 * (400 + 100 + 200)),
    # Issue 26: shapes people name that the program once said only in a roundabout way.
    ({"type": "pyramid", "l": 40, "w": 30, "h": 50}, (40, 30, 50), 40 * 30 * 50 / 3),
    ({"type": "pyramid", "l": 40, "w": 40, "h": 30, "tl": 20, "tw": 20}, (40, 40, 30),
     30 / 3 * (1600 + 400 + math.sqrt(1600 * 400))),  # a tapered block: a frustum
    ({"type": "dome", "d": 40}, (40, 40, 20), 2 / 3 * PI * 20**3),  # a hemisphere
    ({"type": "dome", "d": 40, "h": 10}, (40, 40, 10), PI * 10 / 6 * (3 * 400 + 100)),  # a cap
    ({"type": "capsule", "d": 10, "l": 40}, (10, 10, 40), PI * 25 * 30 + 4 / 3 * PI * 125),
    ({"type": "capsule", "d": 10, "l": 10}, (10, 10, 10), 4 / 3 * PI * 125),
    ({"type": "triangle", "lx": 30, "ly": 40, "h": 5}, (30, 40, 5), 30 * 40 / 2 * 5),
])
def test_body_size_and_volume(body: dict[str, Any], size: tuple[float, ...], volume: float) -> None:
    made = build(body)
    assert made.size == pytest.approx(size, abs=0.01)
    assert made.volume == pytest.approx(volume, rel=0.002)
    assert made.solids == 1


@pytest.mark.parametrize(("placement", "low", "high"), [
    ({}, (-20, -5, 0), (20, 5, 4)),
    ({"x": 5, "y": -3, "z": 10}, (-15, -8, 10), (25, 2, 14)),
    ({"axis": "x"}, (0, -5, -20), (4, 5, 20)),
    ({"axis": "-z"}, (-20, -5, -4), (20, 5, 0)),
    ({"axis": "y", "mid": True}, (-20, -2, -5), (20, 2, 5)),
    ({"rot": 90}, (-5, -20, 0), (5, 20, 4)),
])
def test_placement(placement: dict[str, Any], low: tuple[float, ...], high: tuple[float, ...]) -> None:
    made = build({"type": "box", "l": 40, "w": 10, "h": 4, **placement})
    assert made.bbox_min == pytest.approx(low, abs=1e-6)
    assert made.bbox_max == pytest.approx(high, abs=1e-6)


def test_bodies_join_cut_and_intersect() -> None:
    joined = build({"type": "box", "l": 10, "w": 10, "h": 10}, {"type": "box", "l": 10, "w": 10, "h": 10, "z": 10})
    assert joined.size == pytest.approx((10, 10, 20)) and joined.volume == pytest.approx(2000)
    cut = build({"type": "box", "l": 10, "w": 10, "h": 10}, {"type": "cylinder", "d": 4, "h": 10, "op": "cut"})
    assert cut.volume == pytest.approx(1000 - PI * 4 * 10) and cut.holes == (4.0,)
    common = build({"type": "box", "l": 10, "w": 10, "h": 10},
                   {"type": "sphere", "d": 10, "z": 5, "op": "intersect"})
    assert common.volume == pytest.approx(4 / 3 * PI * 125, rel=1e-3)


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_every_kit_family_is_a_body(name: str) -> None:
    text, params = FAMILIES[name].examples[0]
    alone = build({"type": kit_type(name), **params})
    moved = build({"type": kit_type(name), **params, "x": 100, "axis": "x"})
    assert alone.solids == 1 and alone.volume > 0, text
    assert moved.volume == pytest.approx(alone.volume, rel=1e-6)
    assert moved.bbox_min[0] == pytest.approx(100 + alone.bbox_min[2], abs=1e-3)


def test_a_dome_and_a_capsule_stand_on_their_base() -> None:
    """A dome's flat face and a capsule's lower tip sit on the placement's z, as every body's base."""
    assert build({"type": "dome", "d": 40, "z": 5}).bbox_min[2] == pytest.approx(5)
    capsule = build({"type": "capsule", "d": 10, "l": 40, "z": 5})
    assert capsule.bbox_min[2] == pytest.approx(5) and capsule.bbox_max[2] == pytest.approx(45)
    triangle = build({"type": "triangle", "lx": 30, "ly": 40, "h": 5, "x": 2, "y": 3})
    assert triangle.bbox_min == pytest.approx((2, 3, 0)) and triangle.bbox_max == pytest.approx((32, 43, 5))


def test_a_capsule_shorter_than_it_is_wide_says_why() -> None:
    from partsmith.kit.ops import FeatureError

    with pytest.raises(FeatureError, match="overall, ends included"):
        build({"type": "capsule", "d": 20, "l": 10})


def test_fillets_on_the_long_edges() -> None:
    """ "Fillet the long edges" of a bar: the four edges along its length, not the vertical ones."""
    bar = {"type": "box", "l": 100, "w": 20, "h": 10}
    long = build(bar, {"type": "fillet", "r": 2, "edges": "long"})
    vertical = build(bar, {"type": "fillet", "r": 2, "edges": "vertical"})
    rounded = (1 - PI / 4) * 2**2  # the area a 2 mm fillet takes off one edge's section
    assert long.volume == pytest.approx(20000 - 4 * rounded * 100, rel=1e-6)
    assert vertical.volume == pytest.approx(20000 - 4 * rounded * 10, rel=1e-6)
