"""Pure retrieval logic: rank fusion, near-duplicate collapse and filters.

Dense and BM25 scores live on different scales, so they are fused by rank
(reciprocal rank fusion), which needs no calibration. The same wire story is
often indexed twice under different URLs; word-shingle overlap finds such
chunks so a reader sees one copy, not five.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rag.errors import ConfigError
from rag.types import Article, Hit

_WORD = re.compile(r"\w+")


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[int]], k: int = 60, weights: Sequence[float] | None = None
) -> list[tuple[int, float]]:
    """Fuse ranked id lists into ``(id, score)`` pairs, best first; ties keep first-seen order."""
    weights = weights or [1.0] * len(rankings)
    scores: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights):
        for rank, item in enumerate(ranking):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank + 1)
    return sorted(scores.items(), key=lambda pair: -pair[1])


def shingles(text: str, size: int = 3) -> frozenset[tuple[str, ...]]:
    words = _WORD.findall(text.lower())
    if len(words) < size:
        return frozenset([tuple(words)]) if words else frozenset()
    return frozenset(tuple(words[i : i + size]) for i in range(len(words) - size + 1))


def jaccard(a: frozenset, b: frozenset) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def collapse_near_duplicates(hits: Sequence[Hit], threshold: float = 0.9) -> list[Hit]:
    """Keep the best-ranked of each group of near-identical chunks, re-numbering ranks."""
    kept: list[Hit] = []
    kept_shingles: list[frozenset] = []
    for hit in hits:
        sh = shingles(hit.chunk.text)
        if any(jaccard(sh, other) >= threshold for other in kept_shingles):
            continue
        kept.append(hit)
        kept_shingles.append(sh)
    return [_with_rank(hit, i + 1) for i, hit in enumerate(kept)]


def _with_rank(hit: Hit, rank: int) -> Hit:
    from dataclasses import replace

    return hit if hit.rank == rank else replace(hit, rank=rank)


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
