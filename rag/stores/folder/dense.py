"""FAISS inner-product search over L2-normalised embeddings (so scores are cosines).

Rows are numbered as the index's chunk list is. Small indexes use exact flat search; past
``ann_threshold`` vectors the index becomes HNSW once, whose search cost barely grows with
size (flat search over 100k vectors costs ~20 ms here, HNSW ~1 ms).

Nothing stored is changed in place, so an add or remove never copies the big structure:
vectors added later go to a small exactly-searched block beside it (``extra``), and removed
rows are tombstones (``rag.stores.rows``) that searches skip. ``compacted`` folds both back
into one FAISS index; ``save`` writes that. Each row's sentence vectors
(``rag.embedding.sentvec``) travel with it, by physical row.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import faiss
import numpy as np

from rag.embedding.sentvec import SentenceVectors
from rag.stores.rows import Rows

HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 96


class DenseIndex:
    def __init__(
        self,
        index: faiss.Index,
        ann_threshold: int = 50_000,
        sentences: SentenceVectors | None = None,
        *,
        extra: np.ndarray | None = None,
        rows: Rows | None = None,
    ):
        self._index = index  # physical rows 0..ntotal, never changed once shared
        # Physical rows ntotal.. : vectors added since, searched exactly.
        self._extra = extra if extra is not None else np.zeros((0, index.d), dtype=np.float32)
        self.rows = rows or Rows.all(int(index.ntotal) + len(self._extra))
        self.ann_threshold = ann_threshold
        # None for an index saved before sentence vectors existed: the answerer then embeds sentences itself.
        self.sentences = sentences

    @classmethod
    def empty(cls, dimension: int, ann_threshold: int = 50_000) -> DenseIndex:
        return cls(faiss.IndexFlatIP(dimension), ann_threshold, SentenceVectors.empty(dimension))

    @classmethod
    def from_blocks(
        cls, blocks: Iterable[np.ndarray], sentences: SentenceVectors | None, dimension: int, ann_threshold: int
    ) -> DenseIndex:
        """One FAISS index of ``blocks`` (HNSW past the threshold), added block by block: never stacked
        into one more array (at 100k chunks each copy is 150 MB)."""
        blocks = list(blocks)
        total = sum(len(b) for b in blocks)
        index = _empty_hnsw(dimension) if ann_threshold and total > ann_threshold else faiss.IndexFlatIP(dimension)
        return cls(_filled(index, blocks), ann_threshold, sentences)

    @property
    def size(self) -> int:
        return self.rows.size

    @property
    def dimension(self) -> int:
        return int(self._index.d)

    @property
    def kind(self) -> str:
        return "hnsw" if isinstance(self._index, faiss.IndexHNSW) else "flat"

    @property
    def pending(self) -> int:
        """Rows outside the one FAISS index (added since, or dead) that ``compacted`` would fold in."""
        return len(self._extra) + self.rows.dead

    def added(self, vectors: np.ndarray, sentences: SentenceVectors | None = None) -> DenseIndex:
        """A new index with ``vectors`` (and their rows' sentence vectors) appended; switches to HNSW past the threshold."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, self.dimension)
        joined = self.sentences.added(sentences) if self.sentences is not None and sentences is not None else None
        grown = DenseIndex(
            self._index,
            self.ann_threshold,
            joined,
            extra=np.vstack([self._extra, vectors]),
            rows=self.rows.appended(len(vectors)),
        )
        if self.kind == "flat" and self.ann_threshold and grown.size > self.ann_threshold:
            return grown.compacted()
        return grown

    def removed(self, rows: Iterable[int]) -> DenseIndex:
        rows = list(rows)
        if not rows:
            return self
        return DenseIndex(
            self._index, self.ann_threshold, self.sentences, extra=self._extra, rows=self.rows.removed(rows)
        )

    def compacted(self) -> DenseIndex:
        """The live rows in one FAISS index (HNSW past the threshold), nothing extra, no tombstones."""
        if not self.pending:
            return self
        sentences = self.sentences.removed(self.rows.dead_physical.tolist()) if self.sentences is not None else None
        if not self.rows.dead and self.kind == "hnsw":  # HNSW takes additions: no need to rebuild its graph
            index = _filled(faiss.clone_index(self._index), [self._extra])
        else:
            live = self.all_vectors()
            index = hnsw_index(live) if self.ann_threshold and len(live) > self.ann_threshold else _flat(live)
        return DenseIndex(index, self.ann_threshold, sentences)

    def all_vectors(self) -> np.ndarray:
        """Every live vector, in row order."""
        stored = self._index.reconstruct_n(0, self._index.ntotal) if self._index.ntotal else self._extra[:0]
        every = np.vstack([stored, self._extra]) if len(self._extra) else stored
        return every if self.rows.live is None else every[self.rows.live]

    def vectors(self, rows: Iterable[int]) -> np.ndarray:
        return np.stack([self._physical_vector(int(p)) for p in self.rows.to_physical(list(rows))])

    def sentence_row(self, row: int) -> np.ndarray | None:
        """(k, d) sentence vectors of ``row`` (see ``SentenceVectors.row``); None if not stored."""
        if self.sentences is None:
            return None
        physical = int(self.rows.to_physical([row])[0])
        return self.sentences.row(physical) if physical < self.sentences.rows else None

    def _physical_vector(self, physical: int) -> np.ndarray:
        stored = int(self._index.ntotal)
        return np.asarray(self._index.reconstruct(physical)) if physical < stored else self._extra[physical - stored]

    def search(
        self, query: np.ndarray, k: int, allowed: np.ndarray | None = None, *, exact: bool = False
    ) -> list[tuple[int, float]]:
        """Best ``k`` rows as ``(row, cosine)``; ``allowed`` restricts the rows searched."""
        k = min(k, self.size)
        if k <= 0 or (allowed is not None and not len(allowed)):
            return []
        query = query.reshape(1, -1).astype(np.float32)
        physical = self.rows.to_physical(allowed) if allowed is not None else None
        stored = int(self._index.ntotal)
        found = self._search_stored(query, k, physical, exact) if stored else []
        if len(self._extra):
            if physical is not None:
                extra_allowed = physical[physical >= stored] - stored
            elif self.rows.dead:
                extra_allowed = np.setdiff1d(np.arange(len(self._extra)), self.rows.dead_physical - stored)
            else:
                extra_allowed = None
            found += [(stored + r, s) for r, s in _exact(self._extra, query, k, extra_allowed)]
        found.sort(key=lambda pair: -pair[1])
        logical = self.rows.to_logical([r for r, _ in found[:k]])
        return [(int(r), s) for r, (_, s) in zip(logical, found[:k]) if r >= 0]

    def _search_stored(self, query: np.ndarray, k: int, physical: np.ndarray | None, exact: bool):
        stored = int(self._index.ntotal)
        if physical is not None:
            physical = physical[physical < stored]
            if not len(physical):
                return []
        if exact and self.kind == "hnsw":
            allowed = physical if physical is not None else self.rows.live_physical[self.rows.live_physical < stored]
            return _exact(self._index.reconstruct_n(0, stored), query, k, allowed)
        # Keep every selector referenced until the search returns: FAISS holds raw pointers.
        dead = self.rows.dead_physical[self.rows.dead_physical < stored]
        selector: faiss.IDSelector | None = None
        if physical is not None:
            selector = faiss.IDSelectorBatch(physical)
        elif len(dead):
            excluded = faiss.IDSelectorBatch(dead)
            selector = faiss.IDSelectorNot(excluded)
        if self.kind == "hnsw":
            params = faiss.SearchParametersHNSW(efSearch=max(HNSW_EF_SEARCH, k))  # type: ignore[attr-defined]
            if selector is not None:
                params.sel = selector
        else:
            params = faiss.SearchParameters(sel=selector) if selector is not None else None  # type: ignore[call-arg]
        with omp_threads(1):  # one query is far too small to share; OpenMP start-up would dominate
            scores, rows = self._index.search(query, min(k, stored), params=params)
        return [(int(r), float(s)) for r, s in zip(rows[0], scores[0]) if r >= 0]

    def save(self, path: Path) -> None:
        """The FAISS file at ``path`` (compacted first), the sentence vectors in the folder ``<path>.sentences``."""
        whole = self.compacted()
        faiss.write_index(whole._index, str(path))
        if whole.sentences is not None:
            whole.sentences.save(sentences_folder(path))

    @classmethod
    def load(cls, path: Path, ann_threshold: int = 50_000) -> DenseIndex:
        return cls(faiss.read_index(str(path)), ann_threshold, SentenceVectors.load(sentences_folder(path)))


def sentences_folder(path: Path) -> Path:
    return path.with_name(path.name.rsplit(".", 1)[0] + ".sentences")


def hnsw_index(vectors: np.ndarray) -> faiss.Index:
    return _filled(_empty_hnsw(vectors.shape[1]), [vectors])


def _filled(index: faiss.Index, blocks: Iterable[np.ndarray]) -> faiss.Index:
    """``index`` with every block added, on every core (building an HNSW graph parallelises well)."""
    with omp_threads(os.cpu_count() or 1):
        for block in blocks:
            index.add(np.ascontiguousarray(block, dtype=np.float32))
    return index


@contextlib.contextmanager
def omp_threads(count: int) -> Iterator[None]:
    """FAISS's OpenMP threads for a block, then as before: torch shares the OpenMP runtime, so a lasting
    change left every torch model in the process (the benchmark's LangChain recipe) on one thread."""
    previous = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(count)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(previous)


def _empty_hnsw(dimension: int) -> faiss.Index:
    index = faiss.IndexHNSWFlat(dimension, HNSW_M, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    return index


def _flat(vectors: np.ndarray) -> faiss.Index:
    index = faiss.IndexFlatIP(vectors.shape[1])
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def _exact(vectors: np.ndarray, query: np.ndarray, k: int, allowed: np.ndarray | None):
    if not len(vectors) or (allowed is not None and not len(allowed)):
        return []
    scores = vectors @ query[0]
    if allowed is not None:
        masked = np.full_like(scores, -np.inf)
        masked[allowed] = scores[allowed]
        scores = masked
    top = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    top = top[np.argsort(-scores[top], kind="stable")]
    return [(int(r), float(scores[r])) for r in top if np.isfinite(scores[r])]
