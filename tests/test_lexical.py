"""BM25: stemmed matching, and incremental add/remove that keep rows aligned with the chunk list."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.stores.lexical import Bm25Index, top_rows

DOCS = [
    "CIA director William Burns traveled to Moscow to warn Russia.",
    "The central bank raised interest rates on Thursday.",
    "A new bridge opened in the harbour after years of work.",
    "Football fans celebrated the cup final in the streets.",
]


def _top(index: Bm25Index, query: str) -> int:
    return index.search(query, 1)[0][0]


def test_stems_match_word_forms():
    index = Bm25Index.build(DOCS)
    assert _top(index, "who warned russia") == 0
    assert _top(index, "rate rises") == 1


def test_added_rows_are_found_and_the_original_is_untouched():
    base = Bm25Index.build(DOCS)
    grown = base.added(["Mayor Ines Duarte cut the ribbon of the harbour bridge.", "Ribbon cutting again."])
    assert grown.size == 6 and base.size == 4
    assert _top(grown, "who cut the ribbon") in (4, 5)
    assert _top(grown, "Duarte") == 4
    assert _top(grown, "warned Russia") == 0
    assert base.search("Duarte", 3) == []
    assert grown.stale_rows == 2


def test_removed_rows_shift_like_the_chunk_list():
    index = Bm25Index.build(DOCS).removed([0, 2])
    assert index.size == 2
    assert _top(index, "interest rates") == 0
    assert _top(index, "football cup") == 1
    assert index.search("Burns Moscow", 3) == []


def test_save_load_round_trip(tmp_path):
    index = Bm25Index.build(DOCS).added(["Mayor Ines Duarte cut the ribbon."])
    index.save(tmp_path / "bm25")
    loaded = Bm25Index.load(tmp_path / "bm25", index.size)
    for query in ("warn Russia", "Duarte ribbon", "bank rates"):
        assert loaded.search(query, 3) == index.search(query, 3)
    assert loaded.added(["one more about Moscow"]).size == index.size + 1


WORDS = st.sampled_from("alpha beta gamma delta epsilon zeta theta kappa lambda sigma".split())


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(WORDS, min_size=1, max_size=8).map(" ".join), min_size=2, max_size=12), st.integers(1, 5))
def test_incremental_matches_a_full_build_in_what_it_finds(docs, split):
    split = min(split, len(docs) - 1)
    incremental = Bm25Index.build(docs[:split]).added(docs[split:])
    full = Bm25Index.build(docs)
    for word in "alpha gamma sigma".split():
        found_inc = {row for row, _ in incremental.search(word, len(docs))}
        found_full = {row for row, _ in full.search(word, len(docs))}
        assert found_inc == found_full == {i for i, d in enumerate(docs) if word in d.split()}


def test_added_and_removed_rows_score_as_their_compacted_index():
    index = Bm25Index.build(DOCS).added(["Mayor Ines Duarte opened the bridge.", "Rates rose again."]).removed([1, 4])
    compact = index.compacted()
    assert index.size == compact.size == 4
    for query in ("bridge harbour", "rates", "Duarte", "Burns Moscow warn", "cup final"):
        assert index.search(query, 4) == compact.search(query, 4)
    mask = np.array([1, 0, 1, 1], dtype=np.float32)
    assert index.search("bridge Duarte", 4, mask) == compact.search("bridge Duarte", 4, mask)
    assert all(row != 1 for row, _ in index.search("bridge Duarte", 4, mask))


def test_removal_keeps_document_frequencies_for_later_rows():
    removed = Bm25Index.build(DOCS + ["Bridge bridge bridge."]).removed([2, 4]).added(["A bridge."])
    never = Bm25Index.build(DOCS).removed([2]).added(["A bridge."])
    assert removed.search("bridge", 2) == never.search("bridge", 2)


@pytest.mark.parametrize("k", [0, 1, 3, 7, 50])
def test_top_rows_are_the_best_positive_scores_ties_by_position(k):
    rng = np.random.default_rng(k)
    scores = rng.choice([0.0, 0.0, 0.5, 1.25, 2.0, 3.5], size=40).astype(np.float32)  # many ties and zeros
    expected = [r for r in sorted(range(40), key=lambda r: (-scores[r], r)) if scores[r] > 0][:k]
    assert top_rows(scores, k).tolist() == expected
