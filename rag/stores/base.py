"""The store seam: what retrieval, answering and the faces use of an index, whichever store holds it.

``Store`` is the surface typed against everywhere above this package: the
articles and chunks (rows are positions in ``chunks``), both searches returning
``(row, score)`` best first, stored vectors, and ``add``/``remove`` returning a
``Change`` that holds the NEW store (a store is never changed in place, so a
server swaps its reference while other threads keep searching the old one).

``StoreKind`` is how a kind of store is opened, created and updated; the folder
store and the Milvus store each provide one, chosen once from ``Settings.store``
by ``rag.stores``. ``StoreBase`` holds what both stores do alike: sorting new
articles from known ones, chunking and embedding them, and the manifest update.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from rag.embedding import ingest
from rag.embedding.ingest import Encode, NewBatch
from rag.settings import Settings
from rag.stores.article_lexical import ArticleBm25
from rag.stores.manifest import FORMAT_VERSION, Manifest, now
from rag.types import Article, Chunk

if TYPE_CHECKING:
    from rag.embedding.embedder import Embedder
    from rag.filters import Filters
    from rag.stores.stats import IndexStats

__all__ = ["Change", "Encode", "Restored", "Store", "StoreBase", "StoreKind", "by_score", "empty_manifest"]
__all__ += ["rows_of_articles"]


class Store(Protocol):
    """An index, in whichever store holds it."""

    settings: Settings
    manifest: Manifest
    articles: dict[str, Article]
    chunks: list[Chunk]
    # The generation this exact index was read from or saved to, where the store has generations.
    generation: str | None

    @property
    def embedder(self) -> Embedder: ...
    def add(self, articles: Iterable[Article], *, progress: bool = False, encode: Encode | None = None) -> Change: ...
    def remove(self, article_id: str) -> Change: ...
    def compact(self) -> Change: ...
    def search_dense(self, vector: np.ndarray, depth: int, filters: Filters | None) -> list[tuple[int, float]]: ...
    def search_lexical(self, query: str, depth: int, filters: Filters | None) -> list[tuple[int, float]]: ...
    def vectors(self, rows: Sequence[int]) -> np.ndarray: ...
    def sentence_vectors(self, chunk: Chunk) -> np.ndarray | None: ...
    def rows_of(self, article_id: str) -> list[int]: ...
    def article_of(self, chunk: Chunk) -> Article: ...
    def search_articles(self, query: str, depth: int, filters: Filters | None) -> list[tuple[str, float]]: ...
    @property
    def newest_date(self) -> str | None: ...
    @property
    def pending(self) -> int: ...  # changes a compaction would fold in (0 where the store compacts itself)


@dataclass(frozen=True)
class Change:
    """What ``Store.add`` or ``Store.remove`` did, and the store that resulted."""

    index: Store
    added: tuple[Article, ...] = ()
    skipped: tuple[Article, ...] = ()  # already indexed with the same content
    removed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Restored:
    """What ``rag index restore`` made live again, and what was live before (if anything)."""

    generation: str
    articles: int
    chunks: int
    previous: str | None


class StoreKind(Protocol):
    """Opening, creating and updating one kind of store; ``rag.stores`` picks the kind once per call."""

    def open(self, settings: Settings, *, check_model: bool = True) -> Store: ...
    def create(
        self,
        articles: Sequence[Article],
        settings: Settings,
        *,
        progress: bool = False,
        encode: Encode | None = None,
        force: bool = False,
    ) -> Store: ...
    def check_target(self, settings: Settings, *, force: bool = False) -> None: ...
    def restore(self, settings: Settings, generation: str) -> Restored: ...
    def update(
        self,
        settings: Settings,
        edit: Callable[[Store], Change],
        *,
        base: Store | None = None,
        check_model: bool = True,
    ) -> Change: ...
    def exists(self, settings: Settings) -> bool: ...
    def live_version(self, settings: Settings) -> str | None: ...
    def stats(self, settings: Settings) -> IndexStats: ...
    def disk_bytes(self, settings: Settings) -> int: ...
    def scratch_settings(self, settings: Settings, folder: Path) -> Settings: ...
    def build_scratch(self, articles: Sequence[Article], settings: Settings, *, progress: bool = False) -> Store: ...
    def close(self, settings: Settings) -> None: ...


class StoreBase:
    """What every store does alike; subclasses add searching, storing and opening."""

    generation: str | None = None

    def __init__(
        self,
        settings: Settings,
        manifest: Manifest,
        articles: dict[str, Article],
        chunks: list[Chunk],
        rows_by_article: dict[str, list[int]] | None = None,
    ):
        self.settings = settings
        self.manifest = manifest
        self.articles = articles
        self.chunks = chunks
        # ``rows_by_article``: given by an append that extended its parent's (a full pass costs 60 ms at 100k).
        self._rows_by_article = rows_by_article if rows_by_article is not None else rows_of_articles(chunks)
        # Whole-article BM25 (rag.stores.article_lexical): built from ``articles`` on first use, in memory
        # for every store; ``add``/``remove`` carry a built one forward instead of rebuilding it.
        self._article_bm25: ArticleBm25 | None = None
        self._article_lock = threading.Lock()

    @property
    def embedder(self) -> Embedder:
        from rag.embedding.factory import embedder_for

        return embedder_for(self.settings)

    def embed_new(
        self, articles: Iterable[Article], *, progress: bool = False, encode: Encode | None = None
    ) -> NewBatch:
        """The articles not yet indexed (by id or content), their chunks and the chunks' vectors."""
        fresh, skipped = ingest.split_new(articles, set(self.articles), set(self.manifest.articles.values()))
        if not fresh:
            return NewBatch((), tuple(skipped), [], None)
        chunks = self.chunk(fresh, progress=progress)
        passages = ingest.embed_chunks(
            chunks, {a.id: a.title for a in fresh}, encode or self.embedder.encode_passages, progress=progress
        )
        return NewBatch(tuple(fresh), tuple(skipped), chunks, passages)

    def chunk(self, articles: Sequence[Article], *, progress: bool = False) -> list[Chunk]:
        """The chunks this index would make of ``articles`` (what ``build`` and ``add`` embed)."""
        return ingest.chunk_articles(articles, self.settings, progress=progress)

    def manifest_for(self, articles: dict[str, Article], chunks: list[Chunk]) -> Manifest:
        return Manifest(
            **{
                **self.manifest.__dict__,
                "articles": {a.id: a.content_hash for a in articles.values()},
                "chunk_count": len(chunks),
                "updated_at": now(),
                "format_version": FORMAT_VERSION,  # what this rag writes, whatever it read
            }
        )

    def rows_of(self, article_id: str) -> list[int]:
        return self._rows_by_article.get(article_id, [])

    @property
    def article_bm25(self) -> ArticleBm25:
        """BM25 over whole articles: saved in the generation, else built on first use (~1 s per 1,000 articles)."""
        with self._article_lock:
            if self._article_bm25 is None:
                self._article_bm25 = ArticleBm25.build(self.articles.values())
            return self._article_bm25

    def carry_articles_from(
        self, parent: StoreBase, *, added: Sequence[Article] = (), removed: Sequence[str] = ()
    ) -> None:
        """Derive this index's article BM25 from ``parent``'s, if that one was built."""
        built = parent._article_bm25
        if built is not None:
            self._article_bm25 = built.removed(removed).added(list(added))

    def search_articles(self, query: str, depth: int, filters: Filters | None) -> list[tuple[str, float]]:
        """Best ``depth`` articles by whole-article BM25, as ``(article_id, score)``."""
        allowed = filters.allowed(self.articles.values()) if filters is not None and filters.active else None
        return self.article_bm25.search(query, depth, allowed)

    @functools.cached_property
    def newest_date(self) -> str | None:
        """The newest article date in the index (what "now" is unless ``Settings.as_of`` says)."""
        dates = [a.published for a in self.articles.values() if a.published]
        return max(dates) if dates else None

    def set_article_bm25(self, built: ArticleBm25 | None) -> None:
        """Use ``built`` (read from disk with the rest of the index) instead of building one on first use."""
        self._article_bm25 = built

    def article_of(self, chunk: Chunk) -> Article:
        return self.articles[chunk.article_id]


def rows_of_articles(chunks: Sequence[Chunk], first_row: int = 0) -> dict[str, list[int]]:
    """Each article's rows among ``chunks`` (numbered from ``first_row``), in order."""
    rows: dict[str, list[int]] = {}
    for row, chunk in enumerate(chunks, start=first_row):
        rows.setdefault(chunk.article_id, []).append(row)
    return rows


def by_score(found: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """``(row, score)`` pairs best first, equal scores by row: one order whichever engine scored them."""
    return sorted(found, key=lambda pair: (-pair[1], pair[0]))


def empty_manifest(settings: Settings) -> Manifest:
    from rag.embedding.factory import embedder_for

    embedder = embedder_for(settings)
    return Manifest(
        model=settings.model,
        dimension=embedder.dimension,
        chunk_tokens=settings.chunk_tokens,
        overlap_sentences=settings.overlap_sentences,
        articles={},
        chunk_count=0,
        built_at=now(),
        updated_at=now(),
        # Informational: either backend searches the other's vectors (cosine >= 0.99), so loading checks model only.
        extra={"embedding": {"backend": embedder.backend, "precision": embedder.precision}},
    )
