"""The part's picture: drawn from the checked binary STL, capped in what it reads and draws."""

from __future__ import annotations

from pathlib import Path

import build123d as bd
import pytest

from partsmith.build import thumbnail


def test_a_mesh_over_the_cap_draws_its_largest_triangles(tmp_path: Path) -> None:
    stl = tmp_path / "model.stl"
    bd.export_stl(bd.Cylinder(10, 5) - bd.Cylinder(3, 5), stl, tolerance=0.01)
    assert len(thumbnail.read_stl(stl)) > 200
    full, capped = tmp_path / "full.png", tmp_path / "capped.png"
    thumbnail.render(stl, full)
    thumbnail.render(stl, capped, max_triangles=50)
    for png in (full, capped):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert capped.read_bytes() != full.read_bytes()


def test_what_is_not_a_binary_stl_is_refused(tmp_path: Path) -> None:
    ascii_stl = tmp_path / "ascii.stl"
    ascii_stl.write_text("solid nothing\nendsolid nothing\n")
    with pytest.raises(ValueError, match="STL"):
        thumbnail.render(ascii_stl, tmp_path / "x.png")
    lying = tmp_path / "lying.stl"
    lying.write_bytes(b"\0" * 80 + (10**9).to_bytes(4, "little") + b"\0" * 50)  # claims 10^9 triangles
    with pytest.raises(ValueError, match="not a binary STL"):
        thumbnail.render(lying, tmp_path / "y.png")
