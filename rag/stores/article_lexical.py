"""BM25 over whole articles, title weighted: which story a question is about.

Quiz-style news questions name an event in words spread across an article (the
title names the story, the body names the people and numbers); a 200-token chunk
holds only some of them, the whole article holds all. Measured on news-dev, whole-
article BM25 finds the right article far more often at rank 1 than any chunk
ranking, so ``rag.retrieval.search`` uses it as one signal of its article ranking.

The title is repeated ``TITLE_WEIGHT`` times ahead of the text (the simplest
field weighting bm25s allows). A whole article says its story's words many times, so
a term's count saturates sooner than in a passage (``K1`` 0.9 against bm25s's 1.5):
an article covering more of the question's words beats one repeating a few (chosen
on the fitting halves of news-dev and xquad-en, ``bench/README.md``, session 17).

Rows follow ``ids``; it is built from the articles an ``Index`` already holds in
memory, for the folder and Milvus stores alike, and kept up to date by
``added``/``removed`` as the index changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import orjson

from rag.stores.lexical import Bm25Index
from rag.types import Article

TITLE_WEIGHT = 2
K1 = 0.9
_IDS = "ids.json"


def article_text(article: Article, title_weight: int = TITLE_WEIGHT) -> str:
    return " . ".join([article.title] * title_weight + [article.text])


class ArticleBm25:
    """A ``Bm25Index`` whose rows are articles (``ids[i]`` is row ``i``)."""

    def __init__(self, ids: Sequence[str], bm25: Bm25Index):
        self.ids = tuple(ids)
        self.bm25 = bm25
        self._row = {a: i for i, a in enumerate(self.ids)}

    @classmethod
    def build(cls, articles: Iterable[Article]) -> ArticleBm25:
        articles = list(articles)
        return cls([a.id for a in articles], Bm25Index.build((article_text(a) for a in articles), K1))

    def added(self, articles: Sequence[Article]) -> ArticleBm25:
        if not articles:
            return self
        return ArticleBm25(
            self.ids + tuple(a.id for a in articles), self.bm25.added([article_text(a) for a in articles])
        )

    def removed(self, article_ids: Iterable[str]) -> ArticleBm25:
        rows = sorted(self._row[a] for a in article_ids if a in self._row)
        if not rows:
            return self
        gone = set(rows)
        return ArticleBm25([a for i, a in enumerate(self.ids) if i not in gone], self.bm25.removed(rows))

    def search(self, query: str, k: int, allowed: set[str] | None = None) -> list[tuple[str, float]]:
        """Best ``k`` articles as ``(article_id, score)``; only ``allowed`` ids when given."""
        mask = None
        if allowed is not None:
            mask = np.zeros(len(self.ids), dtype=np.float32)
            rows = [self._row[a] for a in allowed if a in self._row]
            if not rows:
                return []
            mask[rows] = 1.0
        found = self.bm25.search(query, k, mask)
        return sorted(((self.ids[r], s) for r, s in found), key=lambda pair: (-pair[1], pair[0]))

    def save(self, folder: Path) -> None:
        self.bm25.save(folder)
        (folder / _IDS).write_bytes(orjson.dumps(list(self.ids)))

    @classmethod
    def load(cls, folder: Path) -> ArticleBm25:
        ids = orjson.loads((folder / _IDS).read_bytes())
        return cls(ids, Bm25Index.load(folder, len(ids), K1))
