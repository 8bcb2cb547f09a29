"""Article-aware ranking (rag.retrieval.article_rank) and the whole-article BM25 behind it."""

from __future__ import annotations

from rag.retrieval.article_rank import (
    Candidates,
    Weights,
    article_scores,
    articles_without_passages,
    passage_order,
)
from rag.stores.article_lexical import K1, ArticleBm25, article_text
from rag.stores.lexical import Bm25Index
from rag.types import Article

ROW_ARTICLE = {0: "a", 1: "a", 2: "b", 3: "c", 4: "c", 5: "d"}
of = ROW_ARTICLE.__getitem__


def test_an_article_strong_on_every_signal_beats_one_strong_on_one():
    found = Candidates(
        dense=[(2, 0.8), (0, 0.7), (3, 0.3)], lexical=[(0, 9.0), (3, 4.0)], articles=[("a", 20.0), ("c", 10.0)]
    )
    ranked = [a for a, _ in article_scores(found, of)]
    assert ranked[0] == "a" and set(ranked) == {"a", "b", "c"}


def test_weights_decide_between_the_retrievers():
    found = Candidates(dense=[(2, 0.9), (0, 0.5)], lexical=[(0, 9.0)], articles=[("a", 5.0)])
    lexical_only = Weights(article_bm25=1, passage_bm25=1, passage_dense=0)
    dense_only = Weights(article_bm25=0, passage_bm25=0, passage_dense=1)
    assert article_scores(found, of, lexical_only)[0][0] == "a"
    assert article_scores(found, of, dense_only)[0][0] == "b"


def test_scores_are_scale_free():
    found = Candidates(dense=[(2, 0.9), (0, 0.5)], lexical=[(0, 9.0), (2, 3.0)], articles=[("a", 5.0), ("b", 4.0)])
    scaled = Candidates(
        dense=found.dense,
        lexical=[(r, v * 100) for r, v in found.lexical],
        articles=[(a, v * 7) for a, v in found.articles],
    )
    assert [a for a, _ in article_scores(found, of)] == [a for a, _ in article_scores(scaled, of)]


def test_prior_is_added_and_can_reorder_near_ties():
    found = Candidates(dense=[(0, 0.80), (2, 0.79)], lexical=[], articles=[])
    assert article_scores(found, of)[0][0] == "a"
    assert article_scores(found, of, prior={"b": 0.3})[0][0] == "b"


def test_passages_come_best_article_first_and_a_strong_articles_second_beats_a_weak_first():
    found = Candidates(dense=[(1, 0.9), (0, 0.8), (4, 0.7), (3, 0.6)], lexical=[(0, 5.0), (3, 2.0)], articles=[])
    close = [of(r) for r, _ in passage_order([("c", 2.0), ("a", 1.5)], found, of)]
    assert close == ["c", "a", "c", "a"]  # 2.0, 1.5, then 1.0 and 0.75
    far = [of(r) for r, _ in passage_order([("c", 2.0), ("a", 0.4)], found, of)]
    assert far == ["c", "c", "a", "a"]
    strict = [of(r) for r, _ in passage_order([("c", 2.0), ("a", 0.4)], found, of, decay=0.0)]
    assert strict[:2] == ["c", "a"]
    rows = [r for r, _ in passage_order([("c", 2.0), ("a", 1.5)], found, of)]
    assert rows[:2] == [3, 0]  # within an article, RRF of the two passage rankings


def test_articles_only_whole_article_bm25_found_get_their_passages_from_extra():
    found = Candidates(dense=[(0, 0.9)], lexical=[], articles=[("d", 3.0)])
    ranked = article_scores(found, of)
    assert articles_without_passages(ranked, found, of, 5) == ["d"]
    found = Candidates(found.dense, found.lexical, found.articles, extra={5: 0.2})
    assert 5 in [r for r, _ in passage_order(ranked, found, of)]


def _article(aid: str, title: str, text: str) -> Article:
    return Article(id=aid, title=title, text=text, content_hash=aid)


def test_article_bm25_weighs_the_title_and_follows_additions_and_removals():
    first = [
        _article("x", "Harbour bridge reopens", "The mayor spoke."),
        _article("y", "Budget news", "The harbour bridge was mentioned once among many other things."),
    ]
    lexicon = ArticleBm25.build(first)
    assert [a for a, _ in lexicon.search("harbour bridge", 5)] == ["x", "y"]
    grown = lexicon.added([_article("z", "Stadium opens", "A new stadium opened downtown.")])
    assert grown.search("stadium", 5)[0][0] == "z" and lexicon.search("stadium", 5) == []
    assert [a for a, _ in grown.removed(["x"]).search("harbour bridge", 5)] == ["y"]
    assert grown.search("harbour bridge", 5, allowed={"y"})[0][0] == "y"


def test_article_bm25_survives_save_and_load(tmp_path):
    lexicon = ArticleBm25.build(
        [_article("x", "Harbour bridge reopens", "The mayor spoke."), _article("y", "Budget news", "Taxes rise.")]
    )
    lexicon.save(tmp_path / "a")
    again = ArticleBm25.load(tmp_path / "a")
    assert again.ids == lexicon.ids and again.search("bridge mayor", 5) == lexicon.search("bridge mayor", 5)


def test_article_bm25_saturates_term_counts_sooner_than_passages_and_keeps_it(tmp_path):
    repeats = _article("r", "Markets", "Tariffs tariffs tariffs tariffs tariffs tariffs on imports. " * 3)
    covers = _article("c", "Metals", "Tariffs on steel imports. Other news followed at length here.")
    lexicon = ArticleBm25.build([repeats, covers])
    as_passages = ArticleBm25(lexicon.ids, Bm25Index.build(article_text(a) for a in (repeats, covers)))
    assert lexicon.bm25.k1 == K1 < as_passages.bm25.k1

    def lead(index: ArticleBm25) -> float:  # how far saying "tariffs" 18 times puts an article ahead of once
        scores = dict(index.search("tariffs", 5))
        return scores["r"] / scores["c"]

    assert 1.0 < lead(lexicon) < lead(as_passages)
    empty = ArticleBm25.build([])
    empty.save(tmp_path / "e")
    for start in (empty, ArticleBm25.load(tmp_path / "e")):
        assert start.added([covers]).bm25.k1 == K1
    lexicon.save(tmp_path / "a")
    assert ArticleBm25.load(tmp_path / "a").added([repeats]).bm25.k1 == K1
