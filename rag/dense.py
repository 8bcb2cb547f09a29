"""FAISS inner-product search over L2-normalised embeddings (so scores are cosines).

Row ``i`` of the FAISS index is chunk ``i`` of the index's chunk list. Removing
rows from a flat index shifts later rows down, which is exactly what deleting
from the chunk list does, so the two stay aligned without an id map.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import faiss
import numpy as np


class DenseIndex:
    def __init__(self, index: faiss.Index):
        self._index = index

    @classmethod
    def empty(cls, dimension: int) -> DenseIndex:
        return cls(faiss.IndexFlatIP(dimension))

    @classmethod
    def build(cls, vectors: np.ndarray) -> DenseIndex:
        dense = cls.empty(vectors.shape[1])
        dense.add(vectors)
        return dense

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    @property
    def dimension(self) -> int:
        return int(self._index.d)

    def copy(self) -> DenseIndex:
        return DenseIndex(faiss.clone_index(self._index))

    def add(self, vectors: np.ndarray) -> None:
        if len(vectors):
            self._index.add(np.ascontiguousarray(vectors, dtype=np.float32))

    def remove(self, rows: Iterable[int]) -> None:
        rows = np.fromiter(rows, dtype=np.int64)
        if len(rows):
            self._index.remove_ids(faiss.IDSelectorBatch(rows))

    def vectors(self, rows: Iterable[int]) -> np.ndarray:
        return np.stack([self._index.reconstruct(int(r)) for r in rows])

    def search(
        self, query: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """Best ``k`` rows as ``(row, cosine)``; ``allowed`` restricts the rows searched."""
        k = min(k, self.size)
        if k <= 0:
            return []
        params = None
        if allowed is not None:
            if not len(allowed):
                return []
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(allowed.astype(np.int64)))
        scores, rows = self._index.search(query.reshape(1, -1).astype(np.float32), k, params=params)
        return [(int(r), float(s)) for r, s in zip(rows[0], scores[0]) if r >= 0]

    def save(self, path: Path) -> None:
        faiss.write_index(self._index, str(path))

    @classmethod
    def load(cls, path: Path) -> DenseIndex:
        return cls(faiss.read_index(str(path)))
