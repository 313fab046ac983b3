"""The semantic index of the history: prompts embedded with all-MiniLM-L6-v2, in ChromaDB.

A persistent client in the data folder by default, or a Chroma server for a team (the
`history.chroma_url` setting), with Chroma's token auth when `history.chroma_token` is set (sent
as `Authorization: Bearer` or `X-Chroma-Token`, as the server expects; a token-checking proxy in
front of `chroma run` is how chroma 1.x servers are protected). The collection always carries
our own embedding function, so ChromaDB never falls back to its default one (which downloads a
model at run time). Writes from several processes to one local folder are serialised with a
file lock (filelock: flock where there is one, the Windows lock on Windows).

Calls to a team server are retried while it restarts (partsmith.retries): every call here is safe
to repeat (an upsert by id, a delete by id, a query, a count).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlparse

from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from filelock import FileLock

from partsmith.errors import ConfigError, StorageError
from partsmith.model.embed import MODEL_NAME, Vectors, get_embedder
from partsmith.retries import retrying

T = TypeVar("T")

COLLECTION = "partsmith-history"
FOLDER = "chroma"


class MiniLM(EmbeddingFunction[Documents]):
    """The engine's embedder, as a ChromaDB embedding function (offline, no download)."""

    def __init__(self) -> None:
        pass

    def __call__(self, input: Documents) -> Embeddings:
        return list(get_embedder().encode(list(input)))

    @staticmethod
    def name() -> str:
        return "partsmith-minilm"

    def get_config(self) -> dict[str, Any]:
        return {"model": MODEL_NAME}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> MiniLM:
        return MiniLM()

    def is_legacy(self) -> bool:
        return False

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"


def _refused(error: BaseException) -> bool:
    """Whether the server said 401 or 403 (chromadb wraps it in its own errors)."""
    import httpx

    seen: BaseException | None = error
    for _ in range(5):
        if seen is None:
            return False
        if isinstance(seen, httpx.HTTPStatusError) and seen.response.status_code in {401, 403}:
            return True
        code = getattr(seen, "code", None)  # chromadb's own errors: AuthorizationError, ChromaAuthError
        if callable(code) and type(seen).__module__.startswith("chromadb") and code() in {401, 403}:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


@dataclass(frozen=True)
class Hit:
    id: str
    distance: float
    status: str
    prompt: str
    meta: dict[str, Any]


def _client(folder: Path, url: str | None, token: str | None = None,
            token_header: str = "Authorization") -> Any:
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False)
    if url and token:
        settings = Settings(
            anonymized_telemetry=False,
            chroma_client_auth_provider="chromadb.auth.token_authn.TokenAuthClientProvider",
            chroma_client_auth_credentials=token, chroma_auth_token_transport_header=token_header)
    if url:
        parsed = urlparse(url if "://" in url else f"http://{url}")
        if not parsed.hostname:
            raise ConfigError(f"history.chroma_url {url!r} is not a URL", hint="e.g. http://gpu-box:8000")
        return chromadb.HttpClient(host=parsed.hostname, port=parsed.port or 8000,
                                   ssl=parsed.scheme == "https", settings=settings)
    return chromadb.PersistentClient(path=str(folder / FOLDER), settings=settings)


class Index:
    def __init__(self, folder: Path, url: str | None = None, token: str | None = None,
                 token_header: str = "Authorization") -> None:
        self.lock_path = folder / ".index.lock"
        self.remote = bool(url)
        try:
            self.client = self._call(lambda: _client(folder, url, token, token_header))
            self.collection = self._call(self._collection)
        except (ConfigError, StorageError):
            raise
        except Exception as exc:  # noqa: BLE001 (chromadb raises many kinds; all mean "unavailable")
            where = url or str(folder / FOLDER)
            if url and _refused(exc):
                raise StorageError(
                    f"the team's history index at {url} refused the {'token' if token else 'request'}",
                    hint="set history.chroma_token (PARTSMITH_HISTORY__CHROMA_TOKEN) to the server's token, "
                    "and history.chroma_token_header if it expects X-Chroma-Token") from None
            raise StorageError(f"cannot open the history index at {where}: {exc}",
                               hint="`partsmith history reindex` rebuilds it from the entry folders",
                               ) from None

    def _collection(self) -> Any:
        return self.client.get_or_create_collection(
            COLLECTION, embedding_function=MiniLM(), metadata={"hnsw:space": "cosine"})

    def _call(self, call: Callable[[], T]) -> T:
        """Run one call to the index, retried while a team server restarts."""
        if not self.remote:
            return call()
        for attempt in retrying():
            with attempt:
                return call()
        raise AssertionError("unreachable: retrying raises the last error")

    @contextmanager
    def _locked(self) -> Iterator[None]:
        if self.remote:
            yield
            return
        with FileLock(self.lock_path):
            yield

    def add(self, ids: Sequence[str], vectors: Vectors, prompts: Sequence[str],
            metadatas: Sequence[dict[str, Any]]) -> None:
        try:
            with self._locked():
                self._call(lambda: self.collection.upsert(
                    ids=list(ids), embeddings=vectors, documents=list(prompts), metadatas=list(metadatas)))
        except Exception as exc:  # noqa: BLE001
            raise StorageError(f"cannot write the history index: {exc}",
                               hint="the entry itself is saved; `partsmith history reindex` repairs "
                               "the index") from None

    def remove(self, ids: Sequence[str]) -> None:
        with self._locked():
            self._call(lambda: self.collection.delete(ids=list(ids)))

    def query(self, vector: Vectors, count: int, status: str | None = None) -> list[Hit]:
        found = self._call(lambda: self.collection.query(
            query_embeddings=[vector], n_results=count,
            where={"status": status} if status else None,
            include=["distances", "metadatas", "documents"],
        ))
        return [Hit(i, float(d), str((m or {}).get("status", "")), doc or "", dict(m or {})) for i, d, m, doc
                in zip(found["ids"][0], found["distances"][0], found["metadatas"][0], found["documents"][0],
                       strict=True)]

    def count(self) -> int:
        return int(self._call(self.collection.count))

    def clear(self) -> None:
        with self._locked():
            self.client.delete_collection(COLLECTION)
            self.collection = self._collection()
