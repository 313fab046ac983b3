"""`partsmith train`: the same steps as `python -m partsmith.training`, from the main command."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from partsmith.cli.main import app

runner = CliRunner()


def test_train_prepare_writes_the_data_through_the_main_command(tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = runner.invoke(app, ["train", "prepare", "--data", str(data), "--count", "24",
                                 "--dev-count", "4", "--build-every", "100"])
    assert result.exit_code == 0, result.output
    info = json.loads((data / "data.json").read_text())
    assert info["train"] > 0 and info["dev"] > 0 and (data / "train.jsonl").is_file()


def test_without_the_train_extra_it_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "peft" else real(name, *a))
    result = runner.invoke(app, ["train"])
    assert result.exit_code == 1
    assert "training needs peft" in result.output and "make train" in result.output
