"""An optional reranking stage: a cross-encoder rescores the best passages before they are cut to k.

A cross-encoder reads question and passage together, which ranks better than
comparing two separately made vectors, but costs a model pass per passage (on
these 2 cores, tens of milliseconds for 20 passages with a MiniLM-sized model).
No reranker ships offline, so it is off by default: ``RAG_RERANKER`` names a
local sentence-transformers ``CrossEncoder`` folder to turn it on, and
``Settings.rerank_depth`` passages are rescored. ``rerank`` is pure: any object
with a ``scores(question, passages)`` method can stand in for the model.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Protocol

from rag.errors import ConfigError
from rag.types import Hit

log = logging.getLogger(__name__)


class Reranker(Protocol):
    def scores(self, question: str, passages: Sequence[str]) -> list[float]: ...


def rerank(question: str, hits: Sequence[Hit], reranker: Reranker) -> list[Hit]:
    """``hits`` ordered by the reranker's score (ties keep their order), ranks renumbered from 1."""
    if not hits:
        return []
    scores = reranker.scores(question, [h.chunk.text for h in hits])
    if len(scores) != len(hits):
        raise ValueError(f"the reranker returned {len(scores)} scores for {len(hits)} passages")
    order = sorted(range(len(hits)), key=lambda i: -scores[i])
    return [replace(hits[i], rank=rank, score=float(scores[i])) for rank, i in enumerate(order, 1)]


class CrossEncoderReranker:
    """A sentence-transformers ``CrossEncoder`` loaded from a local folder."""

    def __init__(self, path: str, device: str = "cpu"):
        if not Path(path).is_dir():
            raise ConfigError(f"RAG_RERANKER must be a local CrossEncoder folder; {path!r} is not a folder")
        from sentence_transformers import CrossEncoder

        try:
            self._model = CrossEncoder(path, device=device, local_files_only=True)
        except (OSError, ValueError) as error:
            raise ConfigError(f"cannot load the reranker in {path}: {str(error).splitlines()[0]}") from None

    def scores(self, question: str, passages: Sequence[str]) -> list[float]:
        predicted = self._model.predict([(question, p) for p in passages], show_progress_bar=False)
        return [float(s) for s in predicted]


@functools.lru_cache(maxsize=2)
def get_reranker(path: str, device: str = "cpu") -> CrossEncoderReranker:
    log.info("loading the reranker from %s", path)
    return CrossEncoderReranker(path, device)
