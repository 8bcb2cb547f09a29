"""BM25 over chunks with ``bm25s``: English stop words, Snowball stems, and cheap incremental updates.

Terms come from ``rag.text.terms`` (stop words out, Snowball stems). Rows are positions in the index's chunk list, the
same order the dense index uses, so the two rankings can be fused.

bm25s stores precomputed term scores in a sparse matrix, which makes queries
fast but has no "add". Re-indexing 100k chunks takes tens of seconds, and even
stacking one new row onto that matrix copies it (0.25 s at 100k). So new rows
are scored with the collection statistics (document frequencies, average
length) kept from the last full build, updated with the new documents, and
kept in a small matrix of their own searched beside it; removed rows are
tombstones (``rag.stores.rows``). Scores of old rows are not re-weighted, so
after many additions ``rag index compact`` (or a build) restores exact BM25;
``stale_rows`` counts how many rows were added since.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from pathlib import Path

import bm25s
import numpy as np
import orjson
import scipy.sparse as sp

from rag.stores.rows import Rows
from rag.stores.term_counts import bm25s_model, count_terms, lucene_scores
from rag.text.terms import tokenize

log = logging.getLogger(__name__)
logging.getLogger("bm25s").setLevel(logging.WARNING)

_STATS = "stats.json"
_DF = "doc_freqs.npy"
_LENGTHS = "doc_lengths.npy"
#: bm25s's default term-frequency saturation, right for passages of a few sentences.
K1 = 1.5


class Bm25Index:
    """A bm25s index, the rows added since, and the collection statistics needed to score new rows consistently."""

    def __init__(
        self,
        model: bm25s.BM25 | None,
        size: int,
        doc_freqs: np.ndarray | None = None,
        lengths: np.ndarray | None = None,
        stale_rows: int = 0,
        *,
        vocab: dict[str, int] | None = None,
        extra: sp.csr_matrix | None = None,
        rows: Rows | None = None,
        k1: float = K1,
    ):
        self._model = model  # physical rows 0..stored, never changed once shared
        self.k1 = float(model.k1) if model is not None else k1  # term-frequency saturation, kept by every copy
        self._stored = size if model is not None else 0
        self._vocab = vocab if vocab is not None else (model.vocab_dict if model is not None else {})
        # Physical rows stored.. : term scores of rows added since, one column per ``_vocab`` entry.
        self._extra = extra if extra is not None else sp.csr_matrix((0, len(self._vocab)), dtype=np.float32)
        self.rows = rows or Rows.all(self._stored + self._extra.shape[0])
        self._doc_freqs = doc_freqs if doc_freqs is not None else np.zeros(0, dtype=np.int64)
        self._lengths = lengths if lengths is not None else np.zeros(0, dtype=np.int32)  # by physical row
        self.stale_rows = stale_rows

    @property
    def size(self) -> int:
        return self.rows.size

    @classmethod
    def build(cls, texts: Iterable[str], k1: float = K1) -> Bm25Index:
        """Exact BM25 (bm25s's Lucene scores) over ``texts``, counted block by block (``rag.stores.term_counts``)."""
        vocab: dict[str, int] = {}
        terms = count_terms(texts, vocab)
        if not len(terms.lengths):
            return cls(None, 0, k1=k1)
        like = bm25s.BM25(k1=k1)
        n, doc_freqs = len(terms.lengths), terms.doc_freqs(len(vocab))
        matrix = lucene_scores(terms, doc_freqs, n, float(terms.lengths.mean()), like.k1, like.b)
        return cls(bm25s_model(like, matrix, vocab), n, doc_freqs, terms.lengths)

    def added(self, texts: Sequence[str]) -> Bm25Index:
        """A new index with ``texts`` appended as rows; this one is left untouched."""
        if not texts:
            return self
        if self._model is None or self.size == 0:
            return Bm25Index.build(texts, self.k1)
        vocab = dict(self._vocab)
        terms = count_terms(texts, vocab)
        doc_freqs = np.zeros(len(vocab), dtype=np.int64)
        doc_freqs[: len(self._doc_freqs)] = self._doc_freqs
        doc_freqs += terms.doc_freqs(len(vocab))
        lengths = np.concatenate([self._lengths, terms.lengths])
        n_docs = self.size + len(texts)
        avg_length = (float(self._lengths[self.rows.live_physical].sum()) + float(terms.lengths.sum())) / n_docs
        new_rows = lucene_scores(terms, doc_freqs, n_docs, avg_length, self._model.k1, self._model.b)
        extra = self._extra.copy()
        extra.resize((extra.shape[0], len(vocab)))
        return Bm25Index(
            self._model,
            self._stored,
            doc_freqs,
            lengths,
            self.stale_rows + len(texts),
            vocab=vocab,
            extra=sp.vstack([extra, new_rows], format="csr"),
            rows=self.rows.appended(len(texts)),
        )

    def removed(self, rows: Sequence[int]) -> Bm25Index:
        """A new index without ``rows`` (later rows shift down, as in the chunk list)."""
        if not len(rows) or self._model is None:
            return self
        physical = self.rows.to_physical(rows)
        doc_freqs = self._doc_freqs.copy()
        np.subtract.at(doc_freqs, self._columns_of(physical), 1)
        return Bm25Index(
            self._model,
            self._stored,
            doc_freqs,
            self._lengths,
            self.stale_rows,
            vocab=self._vocab,
            extra=self._extra,
            rows=self.rows.removed(rows),
        )

    def _columns_of(self, physical: np.ndarray) -> np.ndarray:
        """The vocabulary column of every term in the ``physical`` rows (one entry per row and term)."""
        assert self._model is not None
        scores = self._model.scores
        hits = np.flatnonzero(np.isin(scores["indices"], physical[physical < self._stored]))
        columns = [np.searchsorted(scores["indptr"], hits, side="right") - 1]
        extra = physical[physical >= self._stored] - self._stored
        if len(extra):
            columns.append(self._extra[extra].indices)
        return np.concatenate(columns).astype(np.int64)

    def compacted(self) -> Bm25Index:
        """The live rows in one bm25s matrix, nothing extra, no tombstones (scores unchanged)."""
        if self._model is None or (not self._extra.shape[0] and not self.rows.dead):
            return self
        scores = self._model.scores
        n_columns = len(self._vocab)
        indptr = np.concatenate(
            [scores["indptr"], np.full(n_columns + 1 - len(scores["indptr"]), scores["indptr"][-1])]
        )
        stored = sp.csc_matrix((scores["data"], scores["indices"], indptr), shape=(self._stored, n_columns))
        matrix = sp.vstack([stored, self._extra], format="csr")[self.rows.live_physical].tocsc()
        live = self.rows.live_physical
        model = bm25s_model(self._model, matrix, self._vocab)
        return Bm25Index(model, len(live), self._doc_freqs, self._lengths[live], self.stale_rows)

    def search(self, query: str, k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Best ``k`` rows as ``(row, score)``; rows outside ``mask`` (a 0/1 array over rows) are skipped."""
        if self._model is None or k <= 0 or not self.size:
            return []
        terms = tokenize([query])[0]
        weights = self.rows.weights(mask)
        found: list[tuple[int, float]] = []
        stored_terms = [t for t in terms if t in self._model.vocab_dict]
        if stored_terms and self._stored:
            scores = self._model.get_scores(
                stored_terms, weight_mask=weights[: self._stored] if weights is not None else None
            )
            found = [(int(r), float(scores[r])) for r in top_rows(scores, k)]
        columns = [self._vocab[t] for t in terms if t in self._vocab]
        if self._extra.shape[0] and columns:
            scores = np.asarray(self._extra[:, columns].sum(axis=1)).ravel()
            if weights is not None:
                scores = scores * weights[self._stored :]
            found += [(self._stored + int(r), float(scores[r])) for r in top_rows(scores, k)]
        found.sort(key=lambda pair: -pair[1])
        logical = self.rows.to_logical([r for r, _ in found[:k]])
        return [(int(r), s) for r, (_, s) in zip(logical, found[:k]) if r >= 0]

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        whole = self.compacted()
        if whole._model is not None:
            whole._model.save(str(folder), show_progress=False)
            np.save(folder / _DF, whole._doc_freqs)
            np.save(folder / _LENGTHS, whole._lengths)
        stats = {"size": whole.size, "stale_rows": whole.stale_rows}
        (folder / _STATS).write_bytes(orjson.dumps(stats))

    @classmethod
    def load(cls, folder: Path, size: int, k1: float = K1) -> Bm25Index:
        """The saved index; ``k1`` is what an empty one builds with once rows arrive (a saved model keeps its own)."""
        if size == 0:
            return cls(None, 0, k1=k1)
        model = bm25s.BM25.load(str(folder), mmap=False, show_progress=False, verbosity=0)
        stats = orjson.loads((folder / _STATS).read_bytes())
        return cls(model, size, np.load(folder / _DF), np.load(folder / _LENGTHS), stats["stale_rows"])


def top_rows(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` highest positive scores, best first, ties by position.

    The ``k``-th value is found with ``np.partition`` and the rows at or above it sorted. bm25s's
    ``retrieve`` uses ``np.argpartition``, which on some score arrays took 16 ms over 100k rows (a
    partition of the values: 1 ms), and starts a thread pool and progress bars on every call.
    """
    n = len(scores)
    if 0 < k < n:
        kth = np.partition(scores, n - k)[n - k]
        rows = np.flatnonzero(scores >= kth) if kth > 0 else np.flatnonzero(scores > 0)
    else:
        rows = np.flatnonzero(scores > 0) if k > 0 else np.zeros(0, dtype=np.int64)
    return rows[np.lexsort((rows, -scores[rows]))[:k]]
