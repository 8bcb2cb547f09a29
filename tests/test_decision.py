"""What the answerability decision reads: the retrieved passages, more of the first article, the selector's pool."""

from __future__ import annotations

from rag.answer import decision
from rag.answer.decision import rank, rank_by_hand
from rag.retrieval.search import article_passages, search_index

QUESTION = "Who warned Russia?"


def test_article_passages_are_the_first_articles_other_passages_closest_first(seed_index):
    vector = seed_index.embedder.encode_query(QUESTION)
    hits = search_index(seed_index, QUESTION, 1, query_vector=vector)
    extra = article_passages(seed_index, hits, vector, 100)
    others = {seed_index.chunks[r].id for r in seed_index.rows_of(hits[0].chunk.article_id)} - {hits[0].chunk.id}
    assert others and {h.chunk.id for h in extra} == others
    assert [h.rank for h in extra] == list(range(2, 2 + len(extra)))  # after what retrieval returned
    assert [h.score for h in extra] == sorted((h.score for h in extra), reverse=True)
    assert all(h.dense_rank is None and h.bm25_rank is None for h in extra)  # no retriever placed them
    assert article_passages(seed_index, hits, vector, 2) == extra[:2]
    assert article_passages(seed_index, hits, vector, 0) == [] == article_passages(seed_index, [], vector, 3)


def test_the_answerer_reads_the_first_articles_other_passages(seed_index, settings):
    one = settings.replace(k=1)
    within = rank_by_hand(seed_index, QUESTION, one.replace(article_passages=0))
    wider = rank_by_hand(seed_index, QUESTION, one)
    assert {s.candidate.hit.chunk.id for s in within.ranked} == {within.hits[0].chunk.id}
    assert len({s.candidate.hit.chunk.id for s in wider.ranked}) > 1
    assert wider.hits == within.hits  # what retrieval returned is unchanged (Answer.hits, the related list)
    # Overlapping passages repeat sentences: each article span is a candidate once.
    spans = [(s.candidate.hit.chunk.article_id, s.candidate.start) for s in wider.ranked]
    assert len(spans) == len(set(spans))


def test_the_selector_reorders_the_hand_scores_best_sentences_only(seed_index, settings, monkeypatch):
    monkeypatch.setattr(decision, "SELECT_POOL", 3)
    by_hand = rank_by_hand(seed_index, QUESTION, settings)
    selected = rank(seed_index, QUESTION, settings)
    assert len(by_hand.ranked) > 3 and selected.selected
    texts = [s.candidate.text for s in selected.ranked]
    assert set(texts[:3]) == {s.candidate.text for s in by_hand.ranked[:3]}
    # The rest keep the hand score's order, unread (probability 0): every candidate is still ranked.
    assert texts[3:] == [s.candidate.text for s in by_hand.ranked[3:]]
    assert all(s.score == 0.0 for s in selected.ranked[3:]) and min(s.score for s in selected.ranked[:3]) > 0


def test_the_pool_idf_is_counted_once_and_is_that_of_every_candidate(seed_index, settings):
    from rag.answer import extractive as ex

    for r in (rank_by_hand(seed_index, QUESTION, settings), rank(seed_index, QUESTION, settings)):
        # The hand score and the answer scorer read one IDF: the pool's, whatever order the selector left.
        assert r.idf and r.idf == ex.pool_idf([s.candidate.text for s in r.ranked])
