"""Search an ``Index``: dense, BM25, or both, ranked article first.

Hybrid is the default because the two fail differently: BM25 finds rare names
and numbers the embedding blurs, the embedding finds paraphrases BM25 misses.
In ``hybrid`` mode articles are ranked first (``rag.retrieval.article_rank``: whole-article
BM25 plus each article's best passage scores from both retrievers, and a date
prior from ``rag.retrieval.dates``), then passages are picked within the best articles;
``rrf`` is the earlier equal-weight reciprocal rank fusion of the two passage
rankings, kept for comparison. Near-duplicate chunks are collapsed either way,
and the survivors returned as ``Hit``s with every score that placed them.
Each side is searched by the index's store (``search_dense``/``search_lexical``:
FAISS and bm25s in the folder, both inside Milvus for ``rag.stores.milvus.store``); fusion and
near-duplicate collapse happen here, so both stores rank alike.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date

import numpy as np

from rag.errors import InputError
from rag.filters import Filters
from rag.retrieval import article_rank, dates
from rag.retrieval.fusion import collapse_near_duplicates, reciprocal_rank_fusion
from rag.stores.base import Store
from rag.text.query import expand_query
from rag.text.sanitize import clean_question
from rag.types import Hit

log = logging.getLogger(__name__)

#: Questions are cut to this many characters (after control characters are removed).
MAX_QUESTION_CHARS = 2000


def check_question(question: str) -> str:
    """The question ready for retrieval, or ``InputError`` when nothing is left of it.

    Control characters (terminal escapes, NUL; tab and newline are kept) and lone
    surrogates are removed, and a question longer than ``MAX_QUESTION_CHARS`` is cut at
    the last word boundary before the limit and a warning logged, not refused: a pasted
    paragraph usually opens with the question. Only the first few limits' worth of
    characters is ever looked at, so a 10 MB paste is cut before any real work.
    """
    if question is not None and not isinstance(question, str):
        raise InputError(f"the question must be text, got {type(question).__name__}")
    text, cut = clean_question(question or "", MAX_QUESTION_CHARS)
    if not text:
        raise InputError("the question is empty; type a question about the indexed articles")
    if cut:
        log.warning(
            "the question is %s characters; only the first %s are used", f"{len(question):,}", f"{MAX_QUESTION_CHARS:,}"
        )
    return text


def search_index(
    index: Store,
    question: str,
    k: int | None = None,
    *,
    mode: str | None = None,
    filters: Filters | None = None,
    query_vector: np.ndarray | None = None,
    as_of: str | None = None,
) -> list[Hit]:
    """The best ``k`` passages; ``as_of`` (ISO date) overrides ``Settings.as_of`` as "now"."""
    settings = index.settings
    k = k or settings.k
    mode = mode or settings.mode
    if not index.chunks:
        return []
    depth = max(settings.candidates, k * 3)
    dense: list[tuple[int, float]] = []
    lexical: list[tuple[int, float]] = []
    if mode in ("hybrid", "rrf", "dense"):
        vector = query_vector if query_vector is not None else index.embedder.encode_query(question)
        dense = index.search_dense(vector, depth, filters)
    if mode in ("hybrid", "rrf", "bm25"):
        lexical = index.search_lexical(expand_query(question), depth, filters)
    if mode == "dense":
        fused = dense
    elif mode == "bm25":
        fused = lexical
    elif mode == "rrf":
        fused = reciprocal_rank_fusion([[r for r, _ in dense], [r for r, _ in lexical]], settings.rrf_k)
    else:
        fused = _article_aware(index, question, vector, dense, lexical, filters, k, as_of)
    dense_info = {row: (rank + 1, score) for rank, (row, score) in enumerate(dense)}
    lexical_info = {row: (rank + 1, score) for rank, (row, score) in enumerate(lexical)}
    keep = max(k, settings.rerank_depth) if settings.reranker else k
    candidates = (
        _hit(index, row, score, rank + 1, dense_info.get(row), lexical_info.get(row))
        for rank, (row, score) in enumerate(fused[: keep * 3])
    )
    hits = collapse_near_duplicates(candidates, settings.dedup_threshold, limit=keep)
    if settings.reranker:
        from rag.retrieval.rerank import get_reranker, rerank

        hits = rerank(question, hits, get_reranker(settings.reranker, settings.device))
    return hits[:k]


def article_passages(index: Store, hits: Sequence[Hit], query_vector: np.ndarray, limit: int) -> list[Hit]:
    """Up to ``limit`` passages of the first hit's article that ``hits`` lack, closest to the query first.

    Retrieval keeps an article's best-matching passages, but a news story often answers in another
    one ("the new fee" matched the lead; "$15,000" sits six paragraphs down). The answerer reads these
    after the retrieved passages; they rank after them (no retriever placed them, so no retriever rank).
    """
    if not hits or limit <= 0:
        return []
    have = {hit.chunk.id for hit in hits}
    rows = [row for row in index.rows_of(hits[0].chunk.article_id) if index.chunks[row].id not in have]
    if not rows:
        return []
    cosines = index.vectors(rows) @ np.asarray(query_vector, dtype=np.float32).reshape(-1)
    order = np.argsort(-cosines, kind="stable")[:limit]
    return [_hit(index, rows[i], float(cosines[i]), len(hits) + 1 + n, None, None) for n, i in enumerate(order)]


def as_of_date(index: Store, as_of: str | None = None) -> date | None:
    """ "Now" for ranking: ``as_of``, ``Settings.as_of``, the newest article date, or None (no dates)."""
    return dates.parse_date(as_of or index.settings.as_of or index.newest_date)


def _article_aware(index: Store, question: str, vector: np.ndarray, dense, lexical, filters, k: int, as_of: str | None):
    """Rows ranked article first (``rag.retrieval.article_rank``), each with its article's score."""
    settings = index.settings
    query = expand_query(question)
    articles = index.search_articles(query, max(settings.candidates, k * 3), filters)
    now = as_of_date(index, as_of)
    prior = None
    if now is not None:

        def known(article_id: str) -> bool:
            return not dates.is_future(index.articles[article_id].published, now)

        dense = [(r, v) for r, v in dense if known(index.chunks[r].article_id)]
        lexical = [(r, v) for r, v in lexical if known(index.chunks[r].article_id)]
        articles = [(a, v) for a, v in articles if known(a)]
        window = dates.question_window(question, now)
        seen = {a for a, _ in articles} | {index.chunks[r].article_id for r, _ in (*dense, *lexical)}
        weight = WEIGHTS.date_window if window else WEIGHTS.recency
        if weight:
            prior = {a: weight * dates.date_prior(index.articles[a].published, now, window) for a in seen}
    found = article_rank.Candidates(dense, lexical, articles)
    article_of = _article_of(index)
    ranked = article_rank.article_scores(found, article_of, WEIGHTS, prior)
    missing = article_rank.articles_without_passages(ranked, found, article_of, k * 3)
    if missing:  # articles only whole-article BM25 found: their passages by cosine
        rows = [r for a in missing for r in index.rows_of(a)]
        cosines = index.vectors(rows) @ np.asarray(vector, dtype=np.float32).reshape(-1)
        found = article_rank.Candidates(dense, lexical, articles, dict(zip(rows, map(float, cosines))))
    return article_rank.passage_order(ranked, found, article_of, settings.rrf_k, WEIGHTS.passage_decay)


def _article_of(index: Store):
    chunks = index.chunks
    return lambda row: chunks[row].article_id


#: Signal weights of the article ranking, fitted on the fitting halves of news-dev and xquad.
WEIGHTS = article_rank.DEFAULT_WEIGHTS


def _hit(index: Store, row: int, score: float, rank: int, dense, lexical) -> Hit:
    chunk = index.chunks[row]
    article = index.article_of(chunk)
    return Hit(
        chunk=chunk,
        title=article.title,
        score=float(score),
        rank=rank,
        url=article.url,
        published=article.published,
        authors=article.authors,
        source=article.source,
        dense_rank=dense[0] if dense else None,
        dense_score=dense[1] if dense else None,
        bm25_rank=lexical[0] if lexical else None,
        bm25_score=lexical[1] if lexical else None,
    )
