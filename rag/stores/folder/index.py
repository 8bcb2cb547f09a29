"""The hybrid index: articles, their chunks, a FAISS index and a BM25 index, kept aligned.

An ``Index`` is never changed in place. ``add`` and ``remove`` return a new
``Index`` (sharing what did not change), so a server can swap its reference
atomically while other threads keep searching the old one. Only new chunks
are embedded on ``add``; both searches keep new rows beside the old ones and
removed rows as tombstones, and the index's ``Journal`` records the change so
that saving writes only it (``rag.stores.folder.journal``). ``compact`` folds
everything back into one structure with exact BM25 statistics.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np

from rag.errors import InputError
from rag.filters import Filters
from rag.settings import Settings
from rag.stores.article_lexical import ArticleBm25
from rag.stores.base import Change, Encode, Store, StoreBase, by_score, empty_manifest, rows_of_articles
from rag.stores.folder import bulk, generations, genscan, layout, persist
from rag.stores.folder.dense import DenseIndex
from rag.stores.folder.journal import Journal, Segment
from rag.stores.lexical import Bm25Index
from rag.text.sentences import with_spans
from rag.types import Article, Chunk

log = logging.getLogger(__name__)


class Index(StoreBase):
    """The folder store: FAISS and bm25s beside the chunk and article lists of one generation."""

    def __init__(
        self,
        settings: Settings,
        manifest: layout.Manifest,
        articles: dict[str, Article],
        chunks: list[Chunk],
        dense: DenseIndex,
        bm25: Bm25Index,
        *,
        generation: str | None = None,
        journal: Journal | None = None,
        rows_by_article: dict[str, list[int]] | None = None,
    ):
        super().__init__(settings, manifest, articles, chunks, rows_by_article)
        # The generation folder this exact index was loaded from or saved to (None: not on disk).
        self.generation = generation
        self.dense = dense
        self.bm25 = bm25
        # Where its base files are on disk and what changed since: what a save has to write.
        self.journal = journal or Journal()

    # -- building -------------------------------------------------------------------------

    @classmethod
    def build(
        cls, articles: Iterable[Article], settings: Settings, *, progress: bool = False, encode: Encode | None = None
    ) -> Index:
        """Index ``articles`` from scratch, in bounded memory (``rag.stores.folder.bulk``)."""
        index = cls.empty(settings)
        built = bulk.build(articles, index, progress=progress, encode=encode or index.embedder.encode_passages)
        result = index._derive(built.articles, built.chunks, built.dense, built.bm25, Journal())
        result.set_article_bm25(built.article_bm25)
        return result

    @classmethod
    def empty(cls, settings: Settings) -> Index:
        manifest = empty_manifest(settings)
        return cls(
            settings, manifest, {}, [], DenseIndex.empty(manifest.dimension, settings.ann_threshold), Bm25Index(None, 0)
        )

    def add(self, articles: Iterable[Article], *, progress: bool = False, encode: Encode | None = None) -> Change:
        """Index the articles not already here; ``encode`` replaces the local embedder (``rag.embedding.ray``)."""
        batch = self.embed_new(articles, progress=progress, encode=encode)
        if not batch.fresh or batch.passages is None:
            return Change(self, (), batch.skipped)
        passages = batch.passages
        segment = Segment(batch.fresh, tuple(batch.chunks), passages.vectors, passages.sentences)
        index = self._appended(segment, self.journal.added(segment))
        log.info("added %d articles (%d chunks), skipped %d", len(batch.fresh), len(batch.chunks), len(batch.skipped))
        return Change(index, batch.fresh, batch.skipped)

    def _appended(self, segment: Segment, journal: Journal) -> Index:
        dense = self.dense.added(segment.vectors, segment.sentences)
        chunks = self.chunks + list(segment.chunks)
        articles_by_id = {**self.articles, **{a.id: a for a in segment.articles}}
        texts = [c.text for c in segment.chunks]
        bm25 = self.bm25.added(texts) if self.chunks else Bm25Index.build([c.text for c in chunks])
        # New articles only (ids already here are skipped), so the parent's row lists are shared, not changed.
        rows = {**self._rows_by_article, **rows_of_articles(segment.chunks, len(self.chunks))}
        index = self._derive(articles_by_id, chunks, dense, bm25, journal, rows)
        index.carry_articles_from(self, added=segment.articles)
        return index

    def remove(self, article_id: str) -> Change:
        if article_id not in self.articles:
            raise InputError(f"no article with id {article_id!r} in the index (see: rag index stats)")
        rows = self._rows_by_article.get(article_id, [])
        dense = self.dense.removed(rows)
        gone = set(rows)
        chunks = [c for i, c in enumerate(self.chunks) if i not in gone]
        articles = {k: v for k, v in self.articles.items() if k != article_id}
        bm25 = self.bm25.removed(rows)
        index = self._derive(articles, chunks, dense, bm25, self.journal.removed(article_id))
        index.carry_articles_from(self, removed=(article_id,))
        return Change(index, removed=(article_id,))

    def compact(self) -> Change:
        """The same articles in one FAISS index and one BM25 matrix with exact statistics; an empty log."""
        chunks = [with_spans(c) for c in self.chunks]  # chunks of an index before format 4 gain their spans
        dense, bm25 = self.dense.compacted(), Bm25Index.build([c.text for c in chunks])
        index = self._derive(self.articles, chunks, dense, bm25, Journal())
        index.set_article_bm25(ArticleBm25.build(self.articles.values()))
        return Change(index)

    @property
    def pending(self) -> int:
        """Log entries a compaction would fold into the base files."""
        return len(self.journal.entries)

    def _derive(
        self,
        articles: dict[str, Article],
        chunks: list[Chunk],
        dense: DenseIndex,
        bm25: Bm25Index,
        journal: Journal,
        rows_by_article: dict[str, list[int]] | None = None,
    ) -> Index:
        manifest = self.manifest_for(articles, chunks)
        return Index(
            self.settings, manifest, articles, chunks, dense, bm25, journal=journal, rows_by_article=rows_by_article
        )

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

    def vectors(self, rows: Sequence[int]) -> np.ndarray:
        return self.dense.vectors(rows)

    def sentence_vectors(self, chunk: Chunk) -> np.ndarray | None:
        """(k, d) vectors of ``split_sentences(chunk.text)``, zeros where missing; None if not stored."""
        rows = self.rows_of(chunk.article_id)
        candidates = ([rows[chunk.index]] if chunk.index < len(rows) else []) + rows
        row = next((r for r in candidates if self.chunks[r].id == chunk.id), None)
        return None if row is None else self.dense.sentence_row(row)

    # -- persistence ----------------------------------------------------------------------

    def save(self, folder: Path | None = None, *, force: bool = False) -> Path:
        """Write this index as a new generation of ``folder`` and make it live; returns that generation.

        Refused when ``folder`` has generations but no live link, or (unless ``force``) holds
        files that are not an index's (``genscan.check_target``).
        """
        folder = Path(folder or self.settings.index_dir)
        genscan.check_target(folder, force=force)  # before the lock file is created in someone else's folder
        with generations.write_lock(folder, self.settings.lock_timeout):
            return self._commit(folder, force=force)

    def _commit(self, folder: Path, *, force: bool = False) -> Path:
        # The caller holds the writer lock.
        written: list[Journal] = []
        gen = generations.commit(folder, lambda tmp: written.append(persist.write(self, tmp)), force=force)
        self.generation = gen.name  # where this (unchanged) index now lives
        self.journal = written[0].written(gen)  # ``commit`` renamed the folder it was written in
        return gen

    @classmethod
    def update(
        cls,
        settings: Settings,
        edit: Callable[[Store], Change],
        *,
        base: Store | None = None,
        check_model: bool = True,
    ) -> Change:
        """Apply ``edit`` to the newest saved index and save its result, as the folder's only writer.

        The index is (re)read AFTER the writer lock is taken, so two processes adding at
        once each build on the other's result; ``base`` is reused when it is still live.
        """
        folder = settings.index_dir
        with generations.write_lock(folder, settings.lock_timeout):
            live = generations.current(folder)
            index: Store
            if base is not None and live is not None and base.generation == live.name:
                index = base
            else:
                index = cls.load(settings, check_model=check_model)
            change = edit(index)
            if change.index is not index:
                assert isinstance(change.index, Index)  # a folder index's edits give folder indexes
                change.index._commit(folder)
        return change

    @classmethod
    def load(cls, settings: Settings, folder: Path | None = None, *, check_model: bool = True) -> Index:
        """Load the live generation of ``folder``; ``IndexStoreError`` if it is missing, damaged or foreign."""
        folder = Path(folder or settings.index_dir)
        parts = persist.load(settings, folder, check_model=check_model)
        settings = settings.replace(
            chunk_tokens=parts.manifest.chunk_tokens,
            overlap_sentences=parts.manifest.overlap_sentences,
            precision=layout.built_precision(parts.manifest, settings.precision),
        )
        gen = folder / parts.generation
        index = cls(settings, parts.manifest, parts.articles, parts.chunks, parts.dense, parts.bm25)
        index.set_article_bm25(parts.article_bm25)
        for entry, segment in parts.log:  # the same steps the writer took, without embedding anything again
            if segment is not None:
                index = index._appended(segment, index.journal)
            elif entry.remove is not None and entry.remove in index.articles:
                index = index.remove(entry.remove).index  # type: ignore[assignment]
        manifest = parts.manifest
        if len(index.chunks) != manifest.chunk_count or set(index.articles) != set(manifest.articles):
            raise layout.damaged(
                gen,
                f"{len(index.chunks)} chunks and {len(index.articles)} articles after its log do not match the "
                f"manifest's {manifest.chunk_count} chunks and {len(manifest.articles)} articles",
            )
        index.manifest = manifest
        index.generation = parts.generation
        index.journal = Journal(gen, manifest.log)
        return index
