"""Term counts and their Lucene BM25 scores: what building an index and adding rows to it share.

``rag.stores.lexical`` keeps bm25s's precomputed term-score matrix but scores
rows itself: a build counts terms block by block (never holding every token
list of the corpus), and rows added later are scored with the statistics
updated by their own counts. Both use bm25s's default Lucene formula, so a
build scores exactly as ``bm25s.BM25.index`` would (tested against it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import bm25s
import numpy as np
import scipy.sparse as sp

from rag._batches import batched
from rag.text.terms import tokenize

#: Documents tokenised at a time.
BLOCK = 4096


@dataclass(frozen=True, eq=False)
class TermCounts:
    """How often each term (a vocabulary column) occurs in each document (a row), and document lengths."""

    rows: np.ndarray  # int32, one entry per (document, distinct term)
    columns: np.ndarray  # int32
    counts: np.ndarray  # float32
    lengths: np.ndarray  # int32, one per document

    def doc_freqs(self, n_columns: int) -> np.ndarray:
        return np.bincount(self.columns, minlength=n_columns).astype(np.int64)


def count_terms(texts: Iterable[str], vocab: dict[str, int]) -> TermCounts:
    """Count the terms of ``texts``, adding unseen ones to ``vocab`` (changed in place)."""
    rows: list[np.ndarray] = []
    columns: list[np.ndarray] = []
    counts: list[np.ndarray] = []
    lengths: list[int] = []
    for block in batched(texts, BLOCK):
        for doc in tokenize(block):
            terms = Counter(doc)
            rows.append(np.full(len(terms), len(lengths), dtype=np.int32))
            columns.append(np.fromiter((vocab.setdefault(t, len(vocab)) for t in terms), np.int32, len(terms)))
            counts.append(np.fromiter(terms.values(), np.float32, len(terms)))
            lengths.append(len(doc))
    if not lengths:
        empty = np.zeros(0, dtype=np.int32)
        return TermCounts(empty, empty, empty.astype(np.float32), empty)
    row, column, count = (np.concatenate(parts) for parts in (rows, columns, counts))
    return TermCounts(row, column, count, np.asarray(lengths, dtype=np.int32))


def lucene_scores(
    terms: TermCounts, doc_freqs: np.ndarray, n_docs: int, avg_length: float, k1: float, b: float
) -> sp.csr_matrix:
    """(documents, vocabulary) term scores: idf · tf / (tf + k1 · (1 − b + b · length / average length))."""
    idf = np.log(1 + (n_docs - doc_freqs + 0.5) / (doc_freqs + 0.5))
    norm = k1 * (1 - b + b * terms.lengths[terms.rows] / max(avg_length, 1e-9))
    scores = (idf[terms.columns] * terms.counts / (terms.counts + norm)).astype(np.float32)
    shape = (len(terms.lengths), len(doc_freqs))
    return sp.csr_matrix((scores, (terms.rows, terms.columns)), shape=shape)


def bm25s_model(like: bm25s.BM25, matrix: sp.spmatrix, vocab: dict[str, int]) -> bm25s.BM25:
    """A bm25s model with ``like``'s parameters that searches the term scores in ``matrix``."""
    matrix = sp.csc_matrix(matrix)
    model = bm25s.BM25(k1=like.k1, b=like.b, method=like.method)
    model.scores = {
        "data": matrix.data.astype(np.float32),
        "indices": matrix.indices.astype(np.int32),
        "indptr": matrix.indptr,
        "num_docs": matrix.shape[0],
    }
    model.vocab_dict = vocab
    model.nonoccurrence_array = None  # only BM25L/BM25+ use it; we stay with Lucene BM25
    return model
