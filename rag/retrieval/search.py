"""Search an ``Index``: dense, BM25, or both fused with reciprocal rank fusion.

Hybrid is the default because the two fail differently: BM25 finds rare names
and numbers the embedding blurs, the embedding finds paraphrases BM25 misses.
Candidates from each side are fused by rank, near-duplicate chunks collapsed,
and the survivors returned as ``Hit``s with every score that placed them.
Each side is searched by the index's store (``search_dense``/``search_lexical``:
FAISS and bm25s in the folder, both inside Milvus for ``rag.stores.milvus.store``); fusion and
near-duplicate collapse happen here, so both stores rank alike.
"""

from __future__ import annotations

import logging

import numpy as np

from rag.errors import InputError
from rag.filters import Filters
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
        log.warning("the question is %s characters; only the first %s are used",
                    f"{len(question):,}", f"{MAX_QUESTION_CHARS:,}")
    return text


def search_index(
    index: Store,
    question: str,
    k: int | None = None,
    *,
    mode: str | None = None,
    filters: Filters | None = None,
    query_vector: np.ndarray | None = None,
) -> list[Hit]:
    settings = index.settings
    k = k or settings.k
    mode = mode or settings.mode
    if not index.chunks:
        return []
    depth = max(settings.candidates, k * 3)
    dense: list[tuple[int, float]] = []
    lexical: list[tuple[int, float]] = []
    if mode in ("hybrid", "dense"):
        vector = query_vector if query_vector is not None else index.embedder.encode_query(question)
        dense = index.search_dense(vector, depth, filters)
    if mode in ("hybrid", "bm25"):
        lexical = index.search_lexical(expand_query(question), depth, filters)
    if mode == "dense":
        fused = dense
    elif mode == "bm25":
        fused = lexical
    else:
        fused = reciprocal_rank_fusion([[r for r, _ in dense], [r for r, _ in lexical]], settings.rrf_k)
    dense_info = {row: (rank + 1, score) for rank, (row, score) in enumerate(dense)}
    lexical_info = {row: (rank + 1, score) for rank, (row, score) in enumerate(lexical)}
    hits = [
        _hit(index, row, score, rank + 1, dense_info.get(row), lexical_info.get(row))
        for rank, (row, score) in enumerate(fused[: k * 3])
    ]
    return collapse_near_duplicates(hits, settings.dedup_threshold)[:k]


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
