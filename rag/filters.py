"""Search filters: restrict a search to some articles, sources or a date range.

A frozen value built at the edge (CLI flags, the chat's controls, ``rag.search``)
and checked on construction; each store turns it into its own restriction (FAISS
ids and a BM25 mask for the folder, a filter expression for Milvus).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rag.errors import ConfigError
from rag.types import Article


@dataclass(frozen=True)
class Filters:
    """Restrict a search to some articles, sources or a date range (inclusive, ISO dates)."""

    article_ids: frozenset[str] = frozenset()
    sources: frozenset[str] = frozenset()  # substring of the article's url or source path
    date_from: str | None = None
    date_to: str | None = None

    def __post_init__(self) -> None:
        for name in ("date_from", "date_to"):
            value = getattr(self, name)
            if value is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                raise ConfigError(f"{name} must be an ISO date YYYY-MM-DD, got {value!r}")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ConfigError(f"date_from {self.date_from} is after date_to {self.date_to}")

    @property
    def active(self) -> bool:
        return bool(self.article_ids or self.sources or self.date_from or self.date_to)

    def matches(self, article: Article) -> bool:
        if self.article_ids and article.id not in self.article_ids:
            return False
        if self.sources:
            where = f"{article.url or ''} {article.source}".lower()
            if not any(source.lower() in where for source in self.sources):
                return False
        if self.date_from or self.date_to:
            if not article.published:
                return False
            if self.date_from and article.published < self.date_from:
                return False
            if self.date_to and article.published > self.date_to:
                return False
        return True

    def allowed(self, articles: Iterable[Article]) -> set[str]:
        return {a.id for a in articles if self.matches(a)}
