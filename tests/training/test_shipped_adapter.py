"""The adapter in models/ is worth shipping: real llama.cpp inference of the embedded model, with
and without it, on a slice of the held-out development set (never trained on)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from partsmith.model import model_catalog
from partsmith.training import dataset, recipe, score
from partsmith.training.export import manifest_path
from partsmith.training.train import embedded_base

pytestmark = pytest.mark.slow
SLICE = 30


def _adapter() -> Path:
    adapter = model_catalog.adapter_path(model_catalog.get(model_catalog.EMBEDDED))
    assert adapter is not None, "models/ holds no trained adapter for the embedded model"
    return adapter


def test_the_manifest_says_what_the_adapter_was_made_from() -> None:
    adapter = _adapter()
    manifest = json.loads(manifest_path(adapter).read_text(encoding="utf-8"))
    assert manifest["base_sha256"] == dataset.sha256(embedded_base())
    assert manifest["adapter_sha256"] == dataset.sha256(adapter), "the manifest is of another adapter file"
    assert manifest["data"]["train_sha256"] and manifest["training"]["rank"] > 0
    assert manifest["dev_score"]["total"] > 0


def test_the_manifest_names_no_machine_path_and_the_recipe_makes_its_mix() -> None:
    """What ships is described as it is (rank, the adapters mixed and their weights) with no
    developer's folder in it, and models/recipe.toml (what `make train` runs) makes the same mix."""
    adapter = _adapter()
    text = manifest_path(adapter).read_text(encoding="utf-8")
    assert "/work/" not in text and "/home/" not in text and "/tmp/" not in text
    manifest = json.loads(text)
    planned = recipe.load(recipe.default_recipe())
    assert planned.target == adapter.name
    assert [(item["steps"], item["weight"]) for item in manifest["mix"]] == list(planned.mix)
    assert manifest["rank"] == planned.run.rank * len(planned.mix) == manifest["training"]["rank"] * len(planned.mix)
    assert manifest["recipe"] == "models/recipe.toml"


def test_the_shipped_adapter_beats_the_bare_base_model(tmp_path: Path) -> None:
    dataset.prepare(tmp_path, count=0, dev_count=SLICE // 2)  # half generated, half hand-written
    dev = dataset.load(tmp_path / "dev.jsonl")[:SLICE]
    adapted = score.open_model(embedded_base(), _adapter())
    try:
        with_adapter = score.score(adapted, dev, adapted=True)
    finally:
        adapted.close()
    bare = score.open_model(embedded_base(), None)
    try:
        without = score.score(bare, dev, adapted=False)
    finally:
        bare.close()
    assert with_adapter.within_1mm > without.within_1mm, (with_adapter.summary(), without.summary())
