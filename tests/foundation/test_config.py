from __future__ import annotations

from pathlib import Path

import pytest

from partsmith.config import config_path, get_settings, load_settings
from partsmith.errors import ConfigError


def test_home_moves_all_data(partsmith_home: Path) -> None:
    settings = get_settings()
    assert settings.home == partsmith_home
    assert settings.jobs_dir.is_relative_to(partsmith_home)
    assert config_path() == partsmith_home / "config.toml"


def test_toml_file_then_environment_override(partsmith_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (partsmith_home / "config.toml").write_text(
        "[sandbox]\ntimeout_s = 12\nworkers = 2\n[llm]\nmodel = 'qwen2.5-coder-7b'\n"
    )
    settings = load_settings()
    assert settings.sandbox.timeout_s == 12
    assert settings.sandbox.workers == 2
    assert settings.llm.model == "qwen2.5-coder-7b"
    monkeypatch.setenv("PARTSMITH_SANDBOX__TIMEOUT_S", "45")
    assert load_settings().sandbox.timeout_s == 45
    assert load_settings().sandbox.workers == 2


def test_invalid_setting_names_the_field_and_the_file(partsmith_home: Path) -> None:
    (partsmith_home / "config.toml").write_text("[sandbox]\nworkers = 0\n")
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert "sandbox.workers" in str(info.value)
    assert "config.toml" in str(info.value)


def test_unreadable_toml_is_a_clear_error(partsmith_home: Path) -> None:
    (partsmith_home / "config.toml").write_text("this is = = not toml")
    with pytest.raises(ConfigError, match="cannot read the settings file"):
        load_settings()
