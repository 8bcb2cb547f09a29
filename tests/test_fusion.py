"""Rank fusion, near-duplicate collapse and filters are pure: tested with hand-made hits."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rag.errors import ConfigError
from rag.filters import Filters
from rag.retrieval.fusion import collapse_near_duplicates, jaccard, reciprocal_rank_fusion, shingles
from rag.types import Article, Chunk, Hit


def hit(text: str, rank: int, article: str = "a") -> Hit:
    return Hit(Chunk(f"{article}:{rank}", article, rank, 0, len(text), text), "T", 1.0 / rank, rank)


def test_rrf_rewards_agreement():
    fused = reciprocal_rank_fusion([[1, 2, 3], [3, 1, 4]], k=60)
    assert [item for item, _ in fused][:2] == [1, 3]
    assert {item for item, _ in fused} == {1, 2, 3, 4}


@given(st.lists(st.lists(st.integers(0, 50), unique=True, max_size=20), min_size=1, max_size=3))
def test_rrf_scores_are_sorted_and_cover_every_item(rankings):
    fused = reciprocal_rank_fusion(rankings)
    scores = [s for _, s in fused]
    assert scores == sorted(scores, reverse=True)
    assert {i for i, _ in fused} == {i for r in rankings for i in r}


def test_near_duplicates_collapse_to_the_best_ranked():
    story = "The central bank raised interest rates by half a point on Thursday, its third rise this year."
    hits = [hit(story, 1, "wire1"), hit("Something else entirely about football.", 2), hit(story + " ", 3, "wire2")]
    kept = collapse_near_duplicates(hits, 0.9)
    assert [h.chunk.article_id for h in kept] == ["wire1", "a"]
    assert [h.rank for h in kept] == [1, 2]


_WORDS = st.sampled_from("the bank raised rates again on thursday while markets fell".split())


@given(st.lists(st.lists(_WORDS, min_size=0, max_size=12).map(" ".join), max_size=12), st.integers(0, 12))
def test_a_limited_collapse_keeps_what_the_full_one_keeps_first(texts, limit):
    """search_index stops at k kept hits: those must be the first k of the full collapse, ranks and all."""
    hits = [hit(text, i + 1, f"a{i}") for i, text in enumerate(texts)]
    full = collapse_near_duplicates(hits, 0.5)
    assert collapse_near_duplicates(iter(hits), 0.5, limit=limit) == full[:limit]


@given(st.lists(_WORDS, max_size=12), st.lists(_WORDS, max_size=12))
def test_jaccard_is_shared_over_either(a, b):
    sa, sb = shingles(" ".join(a)), shingles(" ".join(b))
    assert jaccard(sa, sb) == (len(sa & sb) / len(sa | sb) if sa and sb else 0.0)


def test_filters_by_article_source_and_date():
    a = Article("a1", "T", "x", "h1", url="https://news.example/a", published="2024-03-05", source="a.md")
    b = Article("b1", "T", "x", "h2", published=None, source="feeds/b.jsonl")
    assert Filters(article_ids=frozenset({"a1"})).allowed([a, b]) == {"a1"}
    assert Filters(sources=frozenset({"feeds/"})).allowed([a, b]) == {"b1"}
    assert Filters(date_from="2024-01-01", date_to="2024-12-31").allowed([a, b]) == {"a1"}
    assert Filters(date_to="2023-12-31").allowed([a, b]) == set()


def test_filters_validate_dates():
    with pytest.raises(ConfigError, match="YYYY-MM-DD"):
        Filters(date_from="March 5")
    with pytest.raises(ConfigError, match="after"):
        Filters(date_from="2024-02-01", date_to="2024-01-01")
