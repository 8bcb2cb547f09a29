"""BM25 over chunks with ``bm25s``: English stop words, Snowball stems, and cheap incremental updates.

Terms come from ``rag.text.terms`` (stop words out, Snowball stems). Rows are positions in the index's chunk list, the
same order the dense index uses, so the two rankings can be fused.

bm25s stores precomputed term scores in a sparse matrix, which makes queries
fast but has no "add". Re-indexing 100k chunks takes tens of seconds, so new
chunks are scored with the collection statistics (document frequencies, average
length) kept from the last full build, updated with the new documents, and
appended as rows; removed chunks are sliced out. Scores of old rows are not
re-weighted, so after many additions a full ``rag index build`` restores exact
BM25; ``stale_rows`` counts how many rows were added since.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np
import orjson
import scipy.sparse as sp

from rag.text.terms import tokenize

log = logging.getLogger(__name__)
logging.getLogger("bm25s").setLevel(logging.WARNING)

_STATS = "stats.json"
_DF = "doc_freqs.npy"
_LENGTHS = "doc_lengths.npy"


class Bm25Index:
    """A bm25s index plus the collection statistics needed to score new rows consistently."""

    def __init__(
        self,
        model: bm25s.BM25 | None,
        size: int,
        doc_freqs: np.ndarray | None = None,
        lengths: np.ndarray | None = None,
        stale_rows: int = 0,
    ):
        self._model = model
        self.size = size
        self._doc_freqs = doc_freqs if doc_freqs is not None else np.zeros(0, dtype=np.int64)
        self._lengths = lengths if lengths is not None else np.zeros(0, dtype=np.int32)
        self.stale_rows = stale_rows

    @classmethod
    def build(cls, texts: Sequence[str]) -> Bm25Index:
        if not texts:
            return cls(None, 0)
        tokens = tokenize(texts)
        model = bm25s.BM25()
        model.index(tokens, show_progress=False)
        doc_freqs = np.zeros(len(model.vocab_dict), dtype=np.int64)
        for doc in tokens:
            for token in set(doc):
                doc_freqs[model.vocab_dict[token]] += 1
        return cls(model, len(texts), doc_freqs, np.array([len(d) for d in tokens], dtype=np.int32))

    def added(self, texts: Sequence[str]) -> Bm25Index:
        """A new index with ``texts`` appended as rows; this one is left untouched."""
        if not texts:
            return self
        if self._model is None or self.size == 0:
            return Bm25Index.build(list(texts))
        tokens = tokenize(texts)
        vocab = dict(self._model.vocab_dict)
        for doc in tokens:
            for token in doc:
                vocab.setdefault(token, len(vocab))
        doc_freqs = np.zeros(len(vocab), dtype=np.int64)
        doc_freqs[: len(self._doc_freqs)] = self._doc_freqs
        for doc in tokens:
            for token in set(doc):
                doc_freqs[vocab[token]] += 1
        n_docs = self.size + len(texts)
        lengths = np.concatenate([self._lengths, np.array([len(d) for d in tokens], dtype=np.int32)])
        new_rows = self._score_rows(tokens, vocab, doc_freqs, n_docs, float(lengths.mean()))
        matrix = sp.vstack([self._matrix(len(vocab)), new_rows], format="csc")
        return Bm25Index(self._with(matrix, vocab), n_docs, doc_freqs, lengths, self.stale_rows + len(texts))

    def removed(self, rows: Sequence[int]) -> Bm25Index:
        """A new index without ``rows`` (later rows shift down, as in the chunk list)."""
        if not len(rows) or self._model is None:
            return self
        keep = np.setdiff1d(np.arange(self.size), np.asarray(rows, dtype=np.int64))
        matrix = self._matrix(len(self._model.vocab_dict))
        gone = matrix[np.asarray(rows, dtype=np.int64)]
        doc_freqs = self._doc_freqs.copy()
        doc_freqs[: gone.shape[1]] -= np.diff(gone.tocsc().indptr)
        return Bm25Index(
            self._with(matrix[keep].tocsc(), self._model.vocab_dict),
            len(keep),
            doc_freqs,
            self._lengths[keep],
            self.stale_rows,
        )

    def _score_rows(self, tokens, vocab, doc_freqs, n_docs, avg_length) -> sp.csr_matrix:
        """Lucene BM25 term scores for new documents (bm25s's default method)."""
        assert self._model is not None  # only an index with rows scores new ones
        k1, b = self._model.k1, self._model.b
        data, rows, cols = [], [], []
        for row, doc in enumerate(tokens):
            length = len(doc)
            for token, tf in Counter(doc).items():
                column = vocab[token]
                df = doc_freqs[column]
                idf = np.log(1 + (n_docs - df + 0.5) / (df + 0.5))
                data.append(idf * tf / (tf + k1 * (1 - b + b * length / avg_length)))
                rows.append(row)
                cols.append(column)
        return sp.csr_matrix((np.asarray(data, dtype=np.float32), (rows, cols)), shape=(len(tokens), len(vocab)))

    def _matrix(self, n_columns: int) -> sp.csc_matrix:
        assert self._model is not None
        scores = self._model.scores
        indptr = np.concatenate(
            [scores["indptr"], np.full(n_columns + 1 - len(scores["indptr"]), scores["indptr"][-1])]
        )
        return sp.csc_matrix((scores["data"], scores["indices"], indptr), shape=(self.size, n_columns))

    def _with(self, matrix: sp.csc_matrix, vocab: dict) -> bm25s.BM25:
        assert self._model is not None
        model = bm25s.BM25(k1=self._model.k1, b=self._model.b, method=self._model.method)
        model.scores = {
            "data": matrix.data.astype(np.float32),
            "indices": matrix.indices.astype(np.int32),
            "indptr": matrix.indptr,
            "num_docs": matrix.shape[0],
        }
        model.vocab_dict = vocab
        model.nonoccurrence_array = None  # only BM25L/BM25+ use it; we stay with Lucene BM25
        return model

    def search(self, query: str, k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Best ``k`` rows as ``(row, score)``; rows outside ``mask`` (a 0/1 array) are skipped."""
        if self._model is None or k <= 0:
            return []
        tokens = [[t for t in tokenize([query])[0] if t in self._model.vocab_dict]]
        if not tokens[0]:
            return []
        rows, scores = self._model.retrieve(
            tokens, k=min(k, self.size), show_progress=False, n_threads=1, weight_mask=mask
        )
        return [(int(r), float(s)) for r, s in zip(rows[0], scores[0]) if s > 0]

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        if self._model is not None:
            self._model.save(str(folder), show_progress=False)
            np.save(folder / _DF, self._doc_freqs)
            np.save(folder / _LENGTHS, self._lengths)
        stats = {"size": self.size, "stale_rows": self.stale_rows}
        (folder / _STATS).write_bytes(orjson.dumps(stats))

    @classmethod
    def load(cls, folder: Path, size: int) -> Bm25Index:
        if size == 0:
            return cls(None, 0)
        model = bm25s.BM25.load(str(folder), mmap=False, show_progress=False, verbosity=0)
        stats = orjson.loads((folder / _STATS).read_bytes())
        return cls(model, size, np.load(folder / _DF), np.load(folder / _LENGTHS), stats["stale_rows"])
