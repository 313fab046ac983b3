"""One settings object: defaults, then the TOML file, then `PARTSMITH_*` environment variables.

Where things live:
- data (history, jobs, discovery file): `PARTSMITH_HOME`, else the user data folder;
- settings file: `PARTSMITH_CONFIG`, else `$PARTSMITH_HOME/config.toml` when `PARTSMITH_HOME` is
  set (so a test that points `PARTSMITH_HOME` at a temporary folder is isolated), else
  `config.toml` in the user config folder;
- model downloads: the Hugging Face cache (`HF_HOME`), shared with other tools.

Nested settings are set from the environment with a double underscore:
`PARTSMITH_SANDBOX__TIMEOUT_S=60`.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import BaseModel, Field, SecretStr, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from partsmith.errors import ConfigError

APP = "partsmith"


def data_home() -> Path:
    """The folder that holds all of Partsmith's data."""
    env = os.environ.get("PARTSMITH_HOME")
    return Path(env).expanduser() if env else Path(platformdirs.user_data_dir(APP))


def config_path() -> Path:
    """The settings file (it need not exist)."""
    if env := os.environ.get("PARTSMITH_CONFIG"):
        return Path(env).expanduser()
    if os.environ.get("PARTSMITH_HOME"):
        return data_home() / "config.toml"
    return Path(platformdirs.user_config_dir(APP)) / "config.toml"


class SandboxSettings(BaseModel):
    """Limits for running generated code."""

    workers: int = Field(1, ge=1, le=16, description="warm worker processes")
    timeout_s: float = Field(30.0, gt=0, le=3600, description="wall-clock limit per job")
    memory_mb: int = Field(2048, ge=256, description="address space a job may add to its worker")
    file_size_mb: int = Field(256, ge=1, description="largest file a job may write")
    mode: Literal["auto", "fork", "spawn"] = Field(
        "auto", description="fork a warm worker per job, or run jobs in reusable spawned workers"
    )
    isolate_network: bool = Field(True, description="a private network namespace per job")
    python_layers: bool = Field(
        True, description="the static policy, guarded builtins and audit hook: switched off only "
        "to test the kernel layers on their own (every kernel layer still applies)"
    )
    require: list[Literal["landlock", "seccomp"]] | None = Field(
        None, description="kernel layers without which generated code is not run; unset: on "
        "Linux, each one the kernel offers"
    )
    disable: list[Literal["landlock", "seccomp", "mount_namespace"]] = Field(
        default_factory=list, description="kernel layers not to apply, to diagnose a problem "
        "they cause (mount_namespace: jobs see the machine's file system, still bounded by "
        "Landlock); a required layer switched off makes the engine refuse to run code"
    )


class ExportSettings(BaseModel):
    """Tessellation of the mesh exports (STL, GLB); STEP is exact."""

    linear_tolerance_mm: float = Field(0.05, gt=0, le=10)
    angular_tolerance_rad: float = Field(0.2, gt=0, le=1.5)


class LLMSettings(BaseModel):
    model: str = Field("auto", description="catalog id or path to a .gguf file; auto picks")
    backend: Literal["local", "remote"] = "local"
    remote_url: str | None = Field(None, description="OpenAI-compatible server, e.g. :8080/v1")
    remote_model: str | None = Field(None, description="the server's model name; default: its first")
    remote_writes_code: bool = Field(True, description="false for a base model: structured route only")
    remote_api_key: SecretStr | None = Field(
        None, description="sent to remote_url (and only there); OPENAI_API_KEY goes only to api.openai.com")
    n_gpu_layers: int = Field(-1, description="-1 puts every layer on the GPU when there is one")
    n_ctx: int = Field(8192, ge=512)
    max_attempts: int = Field(3, ge=1, le=10, description="answers a prompt may use when none builds")
    # 3: on the simple set and CadQueryEval, 6 answers made no part right that 3 did not (the
    # embedded model's samples repeat its greedy answer), at up to twice the time on a miss.
    candidates: int = Field(
        3, ge=1, le=16,
        description="answers made at most when the first does not meet every fact the prompt states; "
        "the one that meets the most is kept (at least max_attempts)")
    seed: int = 0


class HistorySettings(BaseModel):
    chroma_url: str | None = Field(None, description="a Chroma server for a team's shared index")
    chroma_token: SecretStr | None = Field(
        None, description="the team server's token (Chroma's token auth), sent only to chroma_url")
    chroma_token_header: Literal["Authorization", "X-Chroma-Token"] = Field(
        "Authorization", description="how the token is sent: Authorization: Bearer, or X-Chroma-Token")


class ServiceSettings(BaseModel):
    """The engine service that a client (Blender, FreeCAD, the command line) starts when none is
    running."""

    idle_exit_s: float = Field(
        900.0, ge=0, description="an engine that Blender, FreeCAD or the command line started "
        "exits after this long without work (0: never); it is started again when needed")


class Settings(BaseSettings):
    """Everything a user can set. Read with `get_settings()`."""

    model_config = SettingsConfigDict(
        env_prefix="PARTSMITH_", env_nested_delimiter="__", extra="ignore"
    )

    home: Path = Field(default_factory=data_home)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    sandbox: SandboxSettings = Field(default_factory=SandboxSettings)
    export: ExportSettings = Field(default_factory=ExportSettings)
    history: HistorySettings = Field(default_factory=HistorySettings)
    service: ServiceSettings = Field(default_factory=ServiceSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=config_path())
        return init_settings, env_settings, toml

    @property
    def jobs_dir(self) -> Path:
        return self.home / "jobs"

    @property
    def history_dir(self) -> Path:
        return self.home / "history"


def load_settings() -> Settings:
    """Read the settings afresh, turning a bad file or variable into a clear message."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(
            f"the settings are not valid: {problems}",
            hint=f"check {config_path()} and the PARTSMITH_* environment variables",
        ) from None
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"cannot read the settings file {config_path()}: {exc}",
            hint="fix or remove the file; every setting has a default",
        ) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once."""
    return load_settings()
