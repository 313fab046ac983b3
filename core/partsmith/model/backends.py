"""Opening the backend the settings ask for. Backends are registered here by name."""

from __future__ import annotations

from collections.abc import Callable

from partsmith.config import LLMSettings
from partsmith.errors import ConfigError
from partsmith.model import model_catalog
from partsmith.model.base import Backend


def open_local(settings: LLMSettings, model: str | None, notify: Callable[[str], None]) -> Backend:
    from partsmith.model.local import LlamaCppBackend

    selection = model_catalog.choose(model or settings.model)
    if selection.note:
        notify(selection.note)
    info = selection.info
    return LlamaCppBackend(
        selection.path, model_id=info.id, writes_code=info.writes_code,
        chat_format=info.chat_format, n_ctx=min(settings.n_ctx, info.n_ctx) if info.n_ctx else settings.n_ctx,
        n_gpu_layers=settings.n_gpu_layers, seed=settings.seed,
        lora_path=model_catalog.adapter_path(info),
    )


def open_remote(settings: LLMSettings, model: str | None, notify: Callable[[str], None]) -> Backend:
    from partsmith.model.remote import RemoteBackend

    if not settings.remote_url:
        raise ConfigError("llm.backend is remote but llm.remote_url is not set",
                          hint="set it to the server's /v1 address, e.g. http://gpu-box:8080/v1")
    key = settings.remote_api_key.get_secret_value() if settings.remote_api_key else None
    return RemoteBackend(settings.remote_url, model=model or settings.remote_model,
                         writes_code=settings.remote_writes_code, api_key=key)


BACKENDS: dict[str, Callable[[LLMSettings, str | None, Callable[[str], None]], Backend]] = {
    "local": open_local,
    "remote": open_remote,
}


def open_backend(
    settings: LLMSettings, model: str | None = None, notify: Callable[[str], None] = print,
) -> Backend:
    """The backend named by `llm.backend`, with `model` (or `llm.model`) loaded."""
    try:
        opener = BACKENDS[settings.backend]
    except KeyError:
        raise ConfigError(f"unknown llm.backend {settings.backend!r}",
                          hint=f"choose one of: {', '.join(BACKENDS)}") from None
    return opener(settings, model, notify)
