"""A run's state published into the repository (milestone.py): float16, no machine's paths, and
whole even when a session is killed between the two renames of a publish."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from partsmith.training import milestone


def _adapter(folder: Path, value: float) -> Path:
    import torch
    from safetensors.torch import save_file

    folder.mkdir(parents=True)
    save_file({"base_model.model.layers.0.q_proj.lora_A.weight": torch.full((2, 3), value)},
              str(folder / milestone.WEIGHTS))
    (folder / milestone.CONFIG).write_text(json.dumps({"r": 2, "base_model_name_or_path": "/site/x/base.gguf"}))
    (folder / milestone.META).write_text(json.dumps({"args": {"rank": 2, "out": "/work/x/train-run",
                                                              "publish": "/work/x/models/run"}}))
    return folder


def test_a_published_adapter_is_half_the_size_and_names_no_machine_path(tmp_path: Path) -> None:
    import torch

    made = milestone.publish(_adapter(tmp_path / "run" / "a", 0.1), tmp_path / "pub", "latest",
                             {"resume": {"step": 100, "history": []}})
    found = milestone.read(tmp_path / "pub", "latest")
    assert found is not None and made == tmp_path / "pub" / "latest"
    weights, meta = found
    assert meta["resume"]["step"] == 100 and meta["args"]["out"] == "train-run"
    assert meta["args"]["publish"] == "run"
    assert json.loads((made / milestone.CONFIG).read_text())["base_model_name_or_path"] == "base.gguf"
    tensor = next(iter(weights.values()))
    assert tensor.dtype == torch.float32 and torch.allclose(tensor, torch.full((2, 3), 0.1), atol=1e-4)
    from safetensors.torch import load_file

    assert {t.dtype for t in load_file(str(made / milestone.WEIGHTS)).values()} == {torch.float16}


def test_a_publish_killed_between_its_renames_leaves_the_last_whole_one(tmp_path: Path) -> None:
    import torch

    milestone.publish(_adapter(tmp_path / "run" / "a", 0.1), tmp_path / "pub", "latest")
    # The session ends after the old copy was moved aside and before the new one took its place.
    (tmp_path / "pub" / "latest").rename(tmp_path / "pub" / ".latest.old")
    found = milestone.read(tmp_path / "pub", "latest")
    assert found is not None and torch.allclose(next(iter(found[0].values())), torch.full((2, 3), 0.1), atol=1e-3)
    (tmp_path / "pub" / "latest").rename(tmp_path / "pub" / ".latest.old")
    milestone.publish(_adapter(tmp_path / "run" / "b", 0.2), tmp_path / "pub", "latest")
    found = milestone.read(tmp_path / "pub", "latest")
    assert found is not None and torch.allclose(next(iter(found[0].values())), torch.full((2, 3), 0.2), atol=1e-3)
    assert [p.name for p in (tmp_path / "pub").iterdir()] == ["latest"]


@pytest.mark.parametrize(("change", "why"), [
    ({"lr": 1e-3}, "its lr is"),
    ({"steps": 2000}, "plans 1250 steps, not 2000"),
    ({"targets": ["q_proj"]}, "its targets"),
])
def test_a_state_of_another_schedule_is_not_this_run_s(change: dict[str, object], why: str) -> None:
    settings = {"rank": 16, "alpha": 32, "dropout": 0.0, "lr": 3e-4, "warmup": 30, "batch": 8, "max_tokens": 320,
                "seed": 17, "targets": ["q_proj", "v_proj"], "steps": 1250}
    meta = {"data": {"train_sha256": "abc"}, "args": {**settings, "steps": 700, "planned_steps": 1250}}
    assert milestone.mismatch(meta, settings, "abc") is None
    assert milestone.mismatch(meta, settings, "def") == "it was trained on other data"
    assert why in str(milestone.mismatch(meta, {**settings, **change}, "abc"))
