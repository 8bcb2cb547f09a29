"""Term counts and Lucene scores: a blockwise build scores exactly as bm25s's own index does."""

from __future__ import annotations

import bm25s
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.stores import term_counts
from rag.stores.lexical import Bm25Index
from rag.text.terms import tokenize

WORDS = st.sampled_from("alpha beta gamma delta epsilon zeta theta kappa lambda sigma".split())


@settings(max_examples=30, deadline=None)
@given(st.lists(st.lists(WORDS, min_size=1, max_size=9).map(" ".join), min_size=1, max_size=15))
def test_the_blockwise_build_scores_as_bm25s_does(docs):
    reference = bm25s.BM25()
    reference.index(tokenize(docs), show_progress=False)
    term_counts.BLOCK, block = 4, term_counts.BLOCK  # several blocks even for a few documents
    try:
        ours = Bm25Index.build(docs)
    finally:
        term_counts.BLOCK = block
    for query in ("alpha", "gamma sigma", "kappa theta zeta"):
        terms = [t for t in tokenize([query])[0] if t in reference.vocab_dict]
        expected = reference.get_scores(terms) if terms else np.zeros(len(docs))
        got = np.zeros(len(docs))
        for row, score in ours.search(query, len(docs)):
            got[row] = score
        assert np.allclose(got, expected, atol=1e-5)


def test_counts_grow_the_vocabulary_and_keep_lengths():
    vocab: dict[str, int] = {"alpha": 0}
    counts = term_counts.count_terms(["alpha beta beta", "", "gamma"], vocab)
    assert set(vocab) == {"alpha", "beta", "gamma"} and vocab["alpha"] == 0
    assert counts.lengths.tolist() == [3, 0, 1]
    assert counts.doc_freqs(len(vocab)).tolist() == [1, 1, 1]
    assert dict(zip(counts.columns.tolist(), counts.counts.tolist()))[vocab["beta"]] == 2
