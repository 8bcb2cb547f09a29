"""BM25 over chunks with ``bm25s``: English stop words and Snowball stems.

Stemming makes "warned" match "warn"; the stop list keeps "who" and "the" from
dominating short questions. Rows are positions in the index's chunk list, the
same order the dense index uses, so the two rankings can be fused.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np
import Stemmer

log = logging.getLogger(__name__)
logging.getLogger("bm25s").setLevel(logging.WARNING)

_STEMMER = Stemmer.Stemmer("english")


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    return bm25s.tokenize(
        list(texts), stopwords="en", stemmer=_STEMMER, return_ids=False, show_progress=False
    )


class Bm25Index:
    """A bm25s index plus the row count, saved to and loaded from a folder."""

    def __init__(self, model: bm25s.BM25 | None, size: int):
        self._model = model
        self.size = size

    @classmethod
    def build(cls, texts: Sequence[str]) -> Bm25Index:
        if not texts:
            return cls(None, 0)
        model = bm25s.BM25()
        model.index(tokenize(texts), show_progress=False)
        return cls(model, len(texts))

    def search(self, query: str, k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Best ``k`` rows as ``(row, score)``; rows outside ``mask`` (a 0/1 array) are skipped."""
        if self._model is None or k <= 0:
            return []
        tokens = tokenize([query])
        if not any(tokens[0]):
            return []
        k = min(k, self.size)
        rows, scores = self._model.retrieve(
            tokens, k=k, show_progress=False, n_threads=1, weight_mask=mask
        )
        return [(int(r), float(s)) for r, s in zip(rows[0], scores[0]) if s > 0]

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        if self._model is not None:
            self._model.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path, size: int) -> Bm25Index:
        if size == 0:
            return cls(None, 0)
        model = bm25s.BM25.load(str(folder), mmap=False, show_progress=False, verbosity=0)
        return cls(model, size)
