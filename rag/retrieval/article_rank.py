"""Article-aware ranking: score the stories, then pick passages within the best of them.

Equal-weight RRF of two chunk rankings lets the weaker retriever pull good hits of
the stronger one down, and a 200-token chunk sees only part of the story a news
question names. So articles are ranked first, by a convex combination of per-query
normalised signals:

* whole-article BM25 (title weighted, ``rag.stores.article_lexical``), divided by the top score;
* the article's best passage BM25 score, divided by the top passage score;
* the article's best passage cosine, min-max scaled over the dense candidates;
* a date prior (``rag.retrieval.dates``) when the question asks about a time.

Scores are normalised per query so the weights mean the same on every corpus; the
weights were fitted on the fitting half of news-dev and xquad (``rag.eval.split``) and are
quoted on the other half (README, "Retrieval"). Passages are then taken best article
first, an article's later passages discounted geometrically (a weak article's best
passage comes after a strong article's second), ordered within an article by
reciprocal rank fusion of the two passage rankings. Pure: no index, no model.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from rag.retrieval.fusion import reciprocal_rank_fusion


@dataclass(frozen=True)
class Weights:
    """How much each normalised signal counts in an article's score."""

    article_bm25: float = 1.0
    passage_bm25: float = 0.25
    passage_dense: float = 0.5
    # Cosine spread counted as the full [0, 1] at least: with few candidates (a small index)
    # min-max scaling would blow tiny cosine differences up to the whole range.
    dense_span: float = 0.2
    # An article's j-th passage counts decay**j of its article's score (0: one passage per article first).
    passage_decay: float = 0.5
    date_window: float = 0.1  # the date prior when the question names a time ("this week", "in March")
    recency: float = 0.02  # the date prior otherwise: newer first among near-equals


DEFAULT_WEIGHTS = Weights()


@dataclass(frozen=True)
class Candidates:
    """What the retrievers returned for one question, best first."""

    dense: Sequence[tuple[int, float]]  # (chunk row, cosine)
    lexical: Sequence[tuple[int, float]]  # (chunk row, BM25)
    articles: Sequence[tuple[str, float]]  # (article id, whole-article BM25)
    extra: Mapping[int, float] | None = None  # (row, cosine) of passages of article-only hits


def article_scores(
    found: Candidates,
    article_of: Callable[[int], str],
    weights: Weights = DEFAULT_WEIGHTS,
    prior: Mapping[str, float] | None = None,
) -> list[tuple[str, float]]:
    """``(article_id, score)`` for every article any retriever found, best first (ties by id).

    ``prior`` is added as it is: the caller weighs it (``date_window`` or ``recency``).
    """
    score: dict[str, float] = {}

    def add(article: str, value: float) -> None:
        score[article] = score.get(article, 0.0) + value

    top = found.articles[0][1] if found.articles else 0.0
    for article, value in found.articles:
        add(article, weights.article_bm25 * value / top if top > 0 else 0.0)
    for article, value in _best(found.lexical, article_of, _by_top(found.lexical)).items():
        add(article, weights.passage_bm25 * value)
    for article, value in _best(found.dense, article_of, _min_max(found.dense, weights.dense_span)).items():
        add(article, weights.passage_dense * value)
    if prior:
        for article in list(score):
            score[article] += prior.get(article, 0.0)
    return sorted(score.items(), key=lambda pair: (-pair[1], pair[0]))


def _by_top(ranked: Sequence[tuple[int, float]]) -> Callable[[float], float]:
    top = ranked[0][1] if ranked else 0.0
    return (lambda v: v / top) if top > 0 else (lambda v: 0.0)


def _min_max(ranked: Sequence[tuple[int, float]], least_span: float) -> Callable[[float], float]:
    """Cosines scaled to [0, 1] below the best one: ``1 - (best - v) / span``, floored at 0, where
    ``span`` is the candidates' spread but at least ``least_span``."""
    if not ranked:
        return lambda v: 0.0
    high, low = ranked[0][1], ranked[-1][1]
    span = max(high - low, least_span, 1e-9)
    return lambda v: max(0.0, 1.0 - (high - v) / span)


def _best(ranked, article_of, scale) -> dict[str, float]:
    best: dict[str, float] = {}
    for row, value in ranked:
        article = article_of(row)
        best[article] = max(best.get(article, 0.0), scale(value))
    return best


def passage_order(
    articles: Sequence[tuple[str, float]],
    found: Candidates,
    article_of: Callable[[int], str],
    rrf_k: int = 60,
    decay: float = 0.5,
) -> list[tuple[int, float]]:
    """Chunk rows, best first, each scored ``article score * decay ** j`` for an article's
    ``j``-th passage: a weak article's best passage comes after a strong article's second.

    Passages of an article are ordered by RRF of the two passage rankings, then by cosine
    for rows only ``found.extra`` holds. Equal scores keep article order, then passage order.
    """
    fused = reciprocal_rank_fusion([[r for r, _ in found.dense], [r for r, _ in found.lexical]], rrf_k)
    by_article: dict[str, list[int]] = {}
    for row, _ in fused:
        by_article.setdefault(article_of(row), []).append(row)
    for row, _ in sorted((found.extra or {}).items(), key=lambda pair: (-pair[1], pair[0])):
        rows = by_article.setdefault(article_of(row), [])
        if row not in rows:
            rows.append(row)
    scored = [
        (score * decay**j, position, j, row)
        for position, (article, score) in enumerate(articles)
        for j, row in enumerate(by_article.get(article, []))
    ]
    scored.sort(key=lambda item: (-item[0], item[2], item[1]))
    return [(row, value) for value, _, _, row in scored]


def articles_without_passages(
    articles: Sequence[tuple[str, float]], found: Candidates, article_of: Callable[[int], str], limit: int
) -> list[str]:
    """Among the best ``limit`` articles, those no passage retriever returned a passage of."""
    seen = {article_of(r) for r, _ in found.dense} | {article_of(r) for r, _ in found.lexical}
    return [a for a, _ in articles[:limit] if a not in seen]
