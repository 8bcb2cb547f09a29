"""FAISS inner-product search over L2-normalised embeddings (so scores are cosines).

Row ``i`` of the FAISS index is chunk ``i`` of the index's chunk list. Small
indexes use exact flat search; past ``ann_threshold`` vectors the index is
converted once to HNSW, whose search cost barely grows with size (flat search
over 100k vectors costs ~20 ms here, HNSW ~1 ms). Removing rows from a flat
index shifts later rows down, exactly as deleting from the chunk list does;
HNSW cannot delete, so removal rebuilds its graph from the stored vectors.
Each row's sentence vectors (``rag.embedding.sentvec``) travel with it: they are saved
beside the FAISS file and added and removed by row in step with it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import faiss
import numpy as np

from rag.embedding.sentvec import SentenceVectors

# One query is far too small to share between threads; OpenMP start-up dominates on 2 cores.
faiss.omp_set_num_threads(1)

HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 96


class DenseIndex:
    def __init__(self, index: faiss.Index, ann_threshold: int = 50_000, sentences: SentenceVectors | None = None):
        self._index = index
        self.ann_threshold = ann_threshold
        # None for an index saved before sentence vectors existed: the answerer then embeds sentences itself.
        self.sentences = sentences

    @classmethod
    def empty(cls, dimension: int, ann_threshold: int = 50_000) -> DenseIndex:
        return cls(faiss.IndexFlatIP(dimension), ann_threshold, SentenceVectors.empty(dimension))

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    @property
    def dimension(self) -> int:
        return int(self._index.d)

    @property
    def kind(self) -> str:
        return "hnsw" if isinstance(self._index, faiss.IndexHNSW) else "flat"

    def copy(self, sentences: SentenceVectors | None) -> DenseIndex:
        """A copy of the FAISS index (to change without touching this one) with ``sentences``."""
        return DenseIndex(faiss.clone_index(self._index), self.ann_threshold, sentences)

    def added(self, vectors: np.ndarray, sentences: SentenceVectors | None = None) -> DenseIndex:
        """A new index with ``vectors`` (and their rows' sentence vectors) appended.

        Switches to HNSW once past the threshold.
        """
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        joined = self.sentences.added(sentences) if self.sentences is not None and sentences is not None else None
        if self.kind == "flat" and self.ann_threshold and self.size + len(vectors) > self.ann_threshold:
            return DenseIndex(hnsw_index(np.vstack([self.all_vectors(), vectors])), self.ann_threshold, joined)
        grown = self.copy(joined)
        if len(vectors):
            grown._index.add(vectors)
        return grown

    def removed(self, rows: Iterable[int]) -> DenseIndex:
        rows = np.fromiter(rows, dtype=np.int64)
        if not len(rows):
            return self
        sentences = self.sentences.removed(rows.tolist()) if self.sentences is not None else None
        if self.kind == "flat":
            smaller = self.copy(sentences)
            smaller._index.remove_ids(faiss.IDSelectorBatch(rows))
            return smaller
        keep = np.setdiff1d(np.arange(self.size), rows)
        # Flat again, or a new HNSW graph if still past the threshold.
        rebuilt = DenseIndex(faiss.IndexFlatIP(self.dimension), self.ann_threshold).added(self.all_vectors()[keep])
        return DenseIndex(rebuilt._index, self.ann_threshold, sentences)

    def all_vectors(self) -> np.ndarray:
        if self.size == 0:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self._index.reconstruct_n(0, self.size)

    def vectors(self, rows: Iterable[int]) -> np.ndarray:
        return np.stack([self._index.reconstruct(int(r)) for r in rows])

    def search(
        self, query: np.ndarray, k: int, allowed: np.ndarray | None = None, *, exact: bool = False
    ) -> list[tuple[int, float]]:
        """Best ``k`` rows as ``(row, cosine)``; ``allowed`` restricts the rows searched."""
        k = min(k, self.size)
        if k <= 0:
            return []
        query = query.reshape(1, -1).astype(np.float32)
        if exact and self.kind == "hnsw":
            return _exact(self.all_vectors(), query, k, allowed)
        params = None
        selector = faiss.IDSelectorBatch(allowed.astype(np.int64)) if allowed is not None else None
        if allowed is not None and not len(allowed):
            return []
        if self.kind == "hnsw":
            params = faiss.SearchParametersHNSW(efSearch=max(HNSW_EF_SEARCH, k))  # type: ignore[attr-defined]
            if selector is not None:
                params.sel = selector
        elif selector is not None:
            params = faiss.SearchParameters(sel=selector)  # type: ignore[call-arg]
        scores, rows = self._index.search(query, k, params=params)
        return [(int(r), float(s)) for r, s in zip(rows[0], scores[0]) if r >= 0]

    def save(self, path: Path) -> None:
        """The FAISS file at ``path``, the sentence vectors in the folder ``<path>.sentences``."""
        faiss.write_index(self._index, str(path))
        if self.sentences is not None:
            self.sentences.save(sentences_folder(path))

    @classmethod
    def load(cls, path: Path, ann_threshold: int = 50_000) -> DenseIndex:
        return cls(faiss.read_index(str(path)), ann_threshold, SentenceVectors.load(sentences_folder(path)))


def sentences_folder(path: Path) -> Path:
    return path.with_name(path.name.rsplit(".", 1)[0] + ".sentences")


def hnsw_index(vectors: np.ndarray) -> faiss.Index:
    index = faiss.IndexHNSWFlat(vectors.shape[1], HNSW_M, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    faiss.omp_set_num_threads(os.cpu_count() or 1)  # building the graph does parallelise well
    try:
        index.add(vectors)
    finally:
        faiss.omp_set_num_threads(1)
    return index


def _exact(vectors: np.ndarray, query: np.ndarray, k: int, allowed: np.ndarray | None):
    scores = vectors @ query[0]
    if allowed is not None:
        masked = np.full_like(scores, -np.inf)
        masked[allowed] = scores[allowed]
        scores = masked
    top = np.argsort(-scores)[:k]
    return [(int(r), float(scores[r])) for r in top if np.isfinite(scores[r])]
