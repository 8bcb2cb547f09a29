"""The index in Milvus: an ``Index`` whose vectors, BM25 and filter fields live in a collection.

One collection holds a row per chunk: the chunk (JSON), its dense vector, a
``terms`` field with BM25's input and the sparse vector Milvus' BM25 function
makes of it, the filter fields (article id, lower-cased url + source, published
date) and its late-chunked sentence vectors (int8, base64). A second collection,
``<name>_articles``, holds the articles, and the manifest is a collection property.

Both searches of a hybrid query run inside Milvus; their two ranked lists are fused
in Python by ``rag.retrieval.fusion.reciprocal_rank_fusion``, as for the FAISS folder, so both
stores return the same passages (Milvus' own RRF ranker breaks ties in another order).
``terms`` is ``rag.text.terms.tokenize`` (stop words out, Snowball stems) joined by spaces:
Milvus' analyzers have no stemmer matching ours. Milvus scores are negated on some
paths, hence ``abs``; ranks, which is all RRF uses, agree with bm25s.

Articles and chunks are also kept in memory (rows are positions in ``chunks``, as for
FAISS). Unlike the folder, a write changes the collection at once: an old
``MilvusIndex`` object keeps its article list but may see rows added since, which
its searches skip. Each change is flushed before it returns.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np

from rag.errors import IndexStoreError, InputError
from rag.filters import Filters
from rag.settings import Settings, StoreSpec
from rag.stores.base import Change, Encode, Store, StoreBase, by_score, empty_manifest
from rag.stores.manifest import built_precision
from rag.stores.milvus import schema
from rag.text.terms import tokenize
from rag.types import Article, Chunk

log = logging.getLogger(__name__)


class MilvusIndex(StoreBase):
    """The Milvus store: searches run in the collection; articles and chunks are also kept in memory."""

    def __init__(self, settings: Settings, manifest, articles: dict[str, Article], chunks: list[Chunk]):
        super().__init__(settings, manifest, articles, chunks)
        self.spec = settings.store_spec
        self._client = schema.client(self.spec)
        self._row_of = {c.id: i for i, c in enumerate(chunks)}

    # -- opening and writing ----------------------------------------------------------------

    @classmethod
    def empty(cls, settings: Settings) -> MilvusIndex:
        """Drop whatever the configured collection held and create it empty."""
        manifest = empty_manifest(settings)
        schema.create(settings.store_spec, manifest)
        return cls(settings, manifest, {}, [])

    @classmethod
    def build(
        cls, articles: Iterable[Article], settings: Settings, *, progress: bool = False, encode: Encode | None = None
    ) -> Store:
        """A fresh collection holding ``articles`` (whatever it held before is dropped)."""
        return cls.empty(settings).add(articles, progress=progress, encode=encode).index

    @classmethod
    def open(cls, settings: Settings, *, check_model: bool = True) -> MilvusIndex:
        spec = settings.store_spec
        manifest, articles, chunks = schema.read_all(spec)
        if manifest.model != settings.model:
            raise IndexStoreError(
                f"index in {spec.label()} was built with embedding model {manifest.model!r}, but "
                f"{settings.model!r} is configured; set RAG_MODEL={manifest.model} or rebuild it with: "
                f"rag index build --store {settings.store}"
            )
        if check_model and empty_manifest(settings).dimension != manifest.dimension:
            raise IndexStoreError(
                f"index in {spec.label()} has dimension {manifest.dimension}, unlike the "
                f"model's; rebuild it with: rag index build --store {settings.store}"
            )
        settings = settings.replace(
            chunk_tokens=manifest.chunk_tokens,
            overlap_sentences=manifest.overlap_sentences,
            precision=built_precision(manifest, settings.precision),
        )
        return cls(settings, manifest, articles, chunks)

    @classmethod
    def update(
        cls, settings: Settings, edit: Callable[[Store], Change], *, base: Store | None = None, check_model: bool = True
    ) -> Change:
        """Apply ``edit``: it writes to the collection itself, so there is nothing left to commit.

        Milvus Lite lets one process open a database, which makes it its only writer; a
        server accepts writers at once, and two adding the same article may both insert it.
        """
        index = base if isinstance(base, MilvusIndex) else cls.open(settings, check_model=check_model)
        return edit(index)

    def add(self, articles: Iterable[Article], *, progress: bool = False, encode: Encode | None = None) -> Change:
        batch = self.embed_new(articles, progress=progress, encode=encode)
        if not batch.fresh:
            return Change(self, (), batch.skipped)
        # Insertion order, which orders rows on open: a clock, not a count, so it never repeats after a removal.
        first = time.time_ns()
        schema.insert(
            self.spec,
            [(a, first + i) for i, a in enumerate(batch.fresh)],
            batch.chunks,
            batch.passages,
            terms_of([c.text for c in batch.chunks]),
        )
        by_id: dict[str, Article] = {**self.articles, **{a.id: a for a in batch.fresh}}
        index = self._derived(by_id, self.chunks + batch.chunks)
        index.carry_articles_from(self, added=batch.fresh)
        log.info("added %d articles (%d chunks) to %s", len(batch.fresh), len(batch.chunks), self.spec.label())
        return Change(index, batch.fresh, batch.skipped)

    pending = 0  # Milvus compacts its own segments

    def compact(self) -> Change:
        """Nothing to fold: Milvus compacts its own segments."""
        return Change(self)

    def remove(self, article_id: str) -> Change:
        if article_id not in self.articles:
            raise InputError(f"no article with id {article_id!r} in the index (see: rag index stats)")
        schema.delete_article(self.spec, article_id)
        articles = {k: v for k, v in self.articles.items() if k != article_id}
        chunks = [c for c in self.chunks if c.article_id != article_id]
        index = self._derived(articles, chunks)
        index.carry_articles_from(self, removed=(article_id,))
        return Change(index, removed=(article_id,))

    def _derived(self, articles: dict[str, Article], chunks: list[Chunk]) -> MilvusIndex:
        manifest = self.manifest_for(articles, chunks)
        schema.write_manifest(self.spec, manifest)
        return MilvusIndex(self.settings, manifest, articles, chunks)

    def save(self, folder: Path | None = None) -> Path | None:
        """Every change is flushed as it is made; kept so callers need not know the store."""
        return None

    # -- reading --------------------------------------------------------------------------

    def search_dense(self, vector: np.ndarray, depth: int, filters: Filters | None) -> list[tuple[int, float]]:
        expr = self.expression(filters)
        if expr is None or not self.chunks:
            return []
        found = schema.search(self.spec, [np.asarray(vector, np.float32).tolist()], "dense", "IP", depth, expr)
        return self._rows(found, negated=False)

    def search_lexical(self, query: str, depth: int, filters: Filters | None) -> list[tuple[int, float]]:
        expr = self.expression(filters)
        terms = terms_of([query])[0]
        if expr is None or not self.chunks or terms == schema.NO_TERMS:
            return []
        return self._rows(schema.search(self.spec, [terms], "sparse", "BM25", depth, expr), negated=True)

    def _rows(self, found: list[tuple[str, float]], *, negated: bool) -> list[tuple[int, float]]:
        """Rows of the hits this index knows; BM25 scores (> 0) come back negated on some paths."""
        return by_score([(self._row_of[i], abs(s) if negated else s) for i, s in found if i in self._row_of])

    def expression(self, filters: Filters | None) -> str | None:
        """The Milvus filter for ``filters``: "" for none, None when nothing can match."""
        if filters is None or not filters.active:
            return ""
        parts = []
        if filters.article_ids:
            parts.append(f"article_id in [{', '.join(_literal(a) for a in sorted(filters.article_ids))}]")
        if filters.sources:
            parts.append(
                "("
                + " or ".join(f"place like {_literal('%' + _like(s.lower()) + '%')}" for s in sorted(filters.sources))
                + ")"
            )
        if filters.date_from:
            parts.append(f"published >= {_literal(filters.date_from)}")
        if filters.date_to:
            parts.append(f"published <= {_literal(filters.date_to)}")
        if filters.date_from or filters.date_to:
            parts.append('published != ""')  # an article without a date is outside every range
        return " and ".join(parts)

    def vectors(self, rows: Sequence[int]) -> np.ndarray:
        ids = [self.chunks[r].id for r in rows]
        by_id = schema.get(self.spec, ids, "dense")
        return np.stack([np.asarray(by_id[i], dtype=np.float32) for i in ids])

    def sentence_vectors(self, chunk: Chunk) -> np.ndarray | None:
        stored = schema.get(self.spec, [chunk.id], "sentences").get(chunk.id)
        return schema.decode_sentences(stored, self.manifest.dimension) if stored else None


def disk_bytes(spec: StoreSpec) -> int:
    """Bytes of a Milvus Lite database folder (0 for a server: its storage is not ours to measure)."""
    path = Path(spec.uri)
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if spec.lite and path.exists() else 0


def terms_of(texts: Sequence[str]) -> list[str]:
    return [" ".join(tokens) or schema.NO_TERMS for tokens in tokenize(list(texts))]


def _literal(text: str) -> str:
    """A Milvus string literal: the expression grammar takes JSON's escaping of quotes and backslashes."""
    return json.dumps(text, ensure_ascii=False)


def _like(text: str) -> str:
    """``text`` matched literally by LIKE, where % and _ are wildcards."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
