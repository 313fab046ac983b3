"""The catalog, and choosing a model against huggingface_hub's real cache layout."""

from __future__ import annotations

from pathlib import Path

import huggingface_hub.constants
import pytest

from partsmith.errors import ModelError
from partsmith.model import model_catalog


@pytest.fixture
def hub_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "hub"
    cache.mkdir()
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(cache))
    return cache


def fake_download(cache: Path, repo: str, filename: str) -> Path:
    """Lay a file out the way hf_hub_download does: snapshots/<revision>/<file> plus refs/main."""
    folder = cache / f"models--{repo.replace('/', '--')}"
    revision = "0" * 40
    (folder / "refs").mkdir(parents=True)
    (folder / "refs" / "main").write_text(revision)
    path = folder / "snapshots" / revision / filename
    path.parent.mkdir(parents=True)
    path.write_bytes(b"GGUF")
    return path


def test_catalog_lists_the_required_models() -> None:
    models = model_catalog.catalog()
    for size in ("1_5b", "3b", "7b", "14b", "32b"):
        info = models[f"qwen2_5-coder-{size}"]
        assert info.repo and info.files[0].endswith("Q4_K_M.gguf") and info.writes_code
    embedded = models[model_catalog.EMBEDDED]
    assert embedded.embedded and not embedded.writes_code and embedded.chat_format == "gemma"


def test_nothing_downloaded_falls_back_to_the_embedded_model_with_a_note(hub_cache: Path) -> None:
    selection = model_catalog.choose("auto")
    assert selection.info.id == model_catalog.EMBEDDED
    assert selection.path.exists()
    assert selection.note is not None and "partsmith models pull qwen2_5-coder" in selection.note


def test_a_downloaded_model_that_fits_is_preferred(hub_cache: Path) -> None:
    info = model_catalog.get("qwen2_5-coder-1_5b")
    path = fake_download(hub_cache, info.repo or "", info.files[0])
    selection = model_catalog.choose("auto")
    assert selection.info.id == "qwen2_5-coder-1_5b"
    assert selection.path == path and selection.note is None


def test_asking_for_a_model_that_is_not_downloaded(hub_cache: Path) -> None:
    with pytest.raises(ModelError, match="partsmith models pull qwen2_5-coder-7b"):
        model_catalog.choose("qwen2_5-coder-7b")
    with pytest.raises(ModelError, match="no model 'nope'"):
        model_catalog.choose("nope")


def test_checksum_mismatch_removes_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "model.gguf"
    bad.write_bytes(b"not the model")
    with pytest.raises(ModelError, match="corrupt"):
        model_catalog.verify(bad, "0" * 64)
    assert not bad.exists()


def test_pull_without_network_is_a_clear_error(hub_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(ModelError, match=r"downloading bartowski/Qwen2\.5-Coder-1\.5B"):
        model_catalog.pull(model_catalog.get("qwen2_5-coder-1_5b"))
