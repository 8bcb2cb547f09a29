"""The hybrid index: articles, their chunks, a FAISS index and a BM25 index, kept aligned.

An ``Index`` is never changed in place. ``add`` and ``remove`` return a new
``Index`` (sharing what did not change), so a server can swap its reference
atomically while other threads keep searching the old one. Only new chunks
are embedded on ``add``; BM25 is re-indexed because its statistics are global.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rag import generations, ingest, persist, store
from rag.dense import DenseIndex
from rag.embed import Embedder, embedder_for
from rag.errors import InputError
from rag.fusion import Filters
from rag.ingest import Encode, NewBatch
from rag.lexical import Bm25Index
from rag.settings import Settings
from rag.types import Article, Chunk

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Change:
    """What ``Index.add`` or ``Index.remove`` did, and the index that resulted."""

    index: Index
    added: tuple[Article, ...] = ()
    skipped: tuple[Article, ...] = ()  # already indexed with the same content
    removed: tuple[str, ...] = ()


class Index:
    def __init__(
        self,
        settings: Settings,
        manifest: store.Manifest,
        articles: dict[str, Article],
        chunks: list[Chunk],
        dense: DenseIndex,
        bm25: Bm25Index,
        *,
        generation: str | None = None,
    ):
        self.settings = settings
        # The generation folder this exact index was loaded from or saved to (None: not on disk).
        self.generation = generation
        self.manifest = manifest
        self.articles = articles
        self.chunks = chunks
        self.dense = dense
        self.bm25 = bm25
        self._rows_by_article: dict[str, list[int]] = {}
        for row, chunk in enumerate(chunks):
            self._rows_by_article.setdefault(chunk.article_id, []).append(row)

    @property
    def embedder(self) -> Embedder:
        return embedder_for(self.settings)

    # -- building -------------------------------------------------------------------------

    @classmethod
    def build(
        cls, articles: Iterable[Article], settings: Settings, *, progress: bool = False, encode: Encode | None = None
    ) -> Index:
        empty = cls.empty(settings)
        return empty.add(articles, progress=progress, encode=encode).index

    @classmethod
    def empty(cls, settings: Settings) -> Index:
        manifest = empty_manifest(settings)
        return cls(settings, manifest, {}, [], DenseIndex.empty(manifest.dimension, settings.ann_threshold),
                   Bm25Index(None, 0))

    def add(self, articles: Iterable[Article], *, progress: bool = False, encode: Encode | None = None) -> Change:
        """Index the articles not already here; ``encode`` replaces the local embedder (``rag.distributed``)."""
        batch = self.embed_new(articles, progress=progress, encode=encode)
        if not batch.fresh:
            return Change(self, (), batch.skipped)
        dense = self.dense.added(batch.passages.vectors, batch.passages.sentences)
        chunks = self.chunks + batch.chunks
        articles_by_id = {**self.articles, **{a.id: a for a in batch.fresh}}
        bm25 = self.bm25.added([c.text for c in batch.chunks]) if self.chunks else Bm25Index.build(
            [c.text for c in chunks])
        index = self._derive(articles_by_id, chunks, dense, bm25)
        log.info("added %d articles (%d chunks), skipped %d", len(batch.fresh), len(batch.chunks), len(batch.skipped))
        return Change(index, batch.fresh, batch.skipped)

    def embed_new(self, articles: Iterable[Article], *, progress: bool = False, encode: Encode | None = None) -> NewBatch:
        """The articles not yet indexed (by id or content), their chunks and the chunks' vectors."""
        fresh, skipped = ingest.split_new(articles, set(self.articles), set(self.manifest.articles.values()))
        if not fresh:
            return NewBatch((), tuple(skipped), [], None)
        chunks = self.chunk(fresh, progress=progress)
        passages = ingest.embed_chunks(chunks, {a.id: a.title for a in fresh}, encode or self.embedder.encode_passages,
                                       progress=progress)
        return NewBatch(tuple(fresh), tuple(skipped), chunks, passages)

    def remove(self, article_id: str) -> Change:
        if article_id not in self.articles:
            raise InputError(f"no article with id {article_id!r} in the index (see: rag index stats)")
        rows = set(self._rows_by_article.get(article_id, []))
        dense = self.dense.removed(sorted(rows))
        chunks = [c for i, c in enumerate(self.chunks) if i not in rows]
        articles = {k: v for k, v in self.articles.items() if k != article_id}
        bm25 = self.bm25.removed(sorted(rows))
        return Change(self._derive(articles, chunks, dense, bm25), removed=(article_id,))

    def _derive(
        self, articles: dict[str, Article], chunks: list[Chunk], dense: DenseIndex, bm25: Bm25Index
    ) -> Index:
        return Index(self.settings, self.manifest_for(articles, chunks), articles, chunks, dense, bm25)

    def manifest_for(self, articles: dict[str, Article], chunks: list[Chunk]) -> store.Manifest:
        return store.Manifest(
            **{
                **self.manifest.__dict__,
                "articles": {a.id: a.content_hash for a in articles.values()},
                "chunk_count": len(chunks),
                "updated_at": store.now(),
            }
        )

    def chunk(self, articles: Sequence[Article], *, progress: bool = False) -> list[Chunk]:
        """The chunks this index would make of ``articles`` (what ``build`` and ``add`` embed)."""
        return ingest.chunk_articles(articles, self.settings, progress=progress)

    # -- reading --------------------------------------------------------------------------

    def search_dense(self, vector: np.ndarray, depth: int, filters: Filters | None) -> list[tuple[int, float]]:
        rows, _ = self._restrict(filters)
        return self.dense.search(vector, depth, rows)

    def search_lexical(self, query: str, depth: int, filters: Filters | None) -> list[tuple[int, float]]:
        _, mask = self._restrict(filters)
        # Equal scores (common: short chunks sharing one query word) rank by row, as in every store.
        return by_score(self.bm25.search(query, depth, mask))

    def _restrict(self, filters: Filters | None) -> tuple[np.ndarray | None, np.ndarray | None]:
        """The rows ``filters`` allow, as FAISS wants them (ids) and as bm25s wants them (a 0/1 mask)."""
        if filters is None or not filters.active:
            return None, None
        allowed = filters.allowed(self.articles.values())
        rows = np.array(sorted(r for a in allowed for r in self.rows_of(a)), dtype=np.int64)
        mask = np.zeros(len(self.chunks), dtype=np.float32)
        mask[rows] = 1.0
        return rows, mask

    def rows_of(self, article_id: str) -> list[int]:
        return self._rows_by_article.get(article_id, [])

    def article_of(self, chunk: Chunk) -> Article:
        return self.articles[chunk.article_id]

    def vectors(self, rows: Sequence[int]) -> np.ndarray:
        return self.dense.vectors(rows)

    def sentence_vectors(self, chunk: Chunk) -> np.ndarray | None:
        """(k, d) vectors of ``split_sentences(chunk.text)``, zeros where missing; None if not stored."""
        sentences = self.dense.sentences
        rows = self.rows_of(chunk.article_id)
        row = next((r for r in ([rows[chunk.index]] if chunk.index < len(rows) else []) + rows
                    if self.chunks[r].id == chunk.id), None)
        if sentences is None or row is None or row >= sentences.rows:
            return None
        return sentences.row(row)

    # -- persistence ----------------------------------------------------------------------

    def save(self, folder: Path | None = None) -> Path:
        """Write this index as a new generation of ``folder`` and make it live; returns that generation."""
        folder = Path(folder or self.settings.index_dir)
        with generations.write_lock(folder, self.settings.lock_timeout):
            return self._commit(folder)

    def _commit(self, folder: Path) -> Path:
        # The caller holds the writer lock.
        gen = generations.commit(folder, lambda tmp: persist.write(self, tmp))
        self.generation = gen.name  # where this (unchanged) index now lives
        return gen

    @classmethod
    def update(
        cls, settings: Settings, edit: Callable[[Index], Change], *, base: Index | None = None,
        check_model: bool = True,
    ) -> Change:
        """Apply ``edit`` to the newest saved index and save its result, as the folder's only writer.

        The index is (re)read AFTER the writer lock is taken, so two processes adding at
        once each build on the other's result; ``base`` is reused when it is still live.
        """
        folder = settings.index_dir
        with generations.write_lock(folder, settings.lock_timeout):
            live = generations.current(folder)
            if base is not None and live is not None and base.generation == live.name:
                index = base
            else:
                index = cls.load(settings, check_model=check_model)
            change = edit(index)
            if change.index is not index:
                change.index._commit(folder)
        return change

    @classmethod
    def load(cls, settings: Settings, folder: Path | None = None, *, check_model: bool = True) -> Index:
        """Load the live generation of ``folder``; ``IndexStoreError`` if it is missing, damaged or foreign."""
        parts = persist.load(settings, Path(folder or settings.index_dir), check_model=check_model)
        settings = settings.replace(
            chunk_tokens=parts.manifest.chunk_tokens, overlap_sentences=parts.manifest.overlap_sentences
        )
        return cls(settings, parts.manifest, parts.articles, parts.chunks, parts.dense, parts.bm25,
                   generation=parts.generation)


def by_score(found: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """``(row, score)`` pairs best first, equal scores by row: one order whichever engine scored them."""
    return sorted(found, key=lambda pair: (-pair[1], pair[0]))


def empty_manifest(settings: Settings) -> store.Manifest:
    embedder = embedder_for(settings)
    return store.Manifest(
        model=settings.model,
        dimension=embedder.dimension,
        chunk_tokens=settings.chunk_tokens,
        overlap_sentences=settings.overlap_sentences,
        articles={},
        chunk_count=0,
        built_at=store.now(),
        updated_at=store.now(),
        # Informational: either backend searches the other's vectors (cosine >= 0.99), so loading checks model only.
        extra={"embedding": {"backend": embedder.backend, "precision": embedder.precision}},
    )

