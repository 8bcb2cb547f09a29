"""Reading and writing an ``Index``'s parts in one generation folder.

Loading checks, in order: the manifest's format version, the embedding model,
every file's size and SHA-256, then that the base files' vectors and chunks
agree (the index checks the rest against the manifest once it has replayed
the generation's log, ``rag.stores.folder.journal``). Anything off is an ``IndexStoreError``
naming the folder and the rebuild command, never a traceback or, worse, a
search over mismatched files.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from rag.embedding.factory import embedder_for
from rag.errors import IndexStoreError
from rag.settings import Settings
from rag.stores.article_lexical import ArticleBm25
from rag.stores.folder import generations, journal, layout
from rag.stores.folder.dense import DenseIndex
from rag.stores.lexical import Bm25Index
from rag.types import Article, Chunk

log = logging.getLogger(__name__)
#: Whole-article BM25 (rag.stores.article_lexical); optional, so generations written before it still load.
ARTICLE_BM25_DIR = "article_bm25"


@dataclass(frozen=True)
class Parts:
    """What one generation folder holds, loaded and checked."""

    generation: str
    manifest: layout.Manifest
    articles: dict[str, Article]
    chunks: list[Chunk]
    dense: DenseIndex
    bm25: Bm25Index
    article_bm25: ArticleBm25 | None = None  # None: a generation written before it was saved
    # The log to replay over the base files, each add with its segment.
    log: tuple[tuple[layout.LogEntry, journal.Segment | None], ...] = ()


class Writable(Protocol):
    """What ``write`` saves of an index (``rag.stores.folder.index.Index`` has it)."""

    manifest: layout.Manifest
    articles: dict[str, Article]
    chunks: list[Chunk]
    dense: DenseIndex
    bm25: Bm25Index
    journal: journal.Journal

    @property
    def article_bm25(self) -> ArticleBm25: ...


def write(index: Writable, gen: Path) -> journal.Journal:
    """Write ``index`` into the (not yet live) folder ``gen``, manifest last; the journal that describes ``gen``.

    An index that descends from a generation still on disk links that one's files and adds
    only its new segments; any other is written whole, with an empty log.
    """
    if index.journal.can_extend():
        sums = journal.write(index.journal, gen)
        layout.write_manifest(gen, replace(index.manifest, log=index.journal.entries), known=sums)
        return index.journal.written(gen)
    index.dense.save(gen / layout.DENSE)
    index.bm25.save(gen / layout.BM25_DIR)
    index.article_bm25.save(gen / ARTICLE_BM25_DIR)  # ~1 s per 1,000 articles, instead of at first search
    layout.write_jsonl(gen / layout.CHUNKS, index.chunks)
    layout.write_jsonl(gen / layout.ARTICLES, index.articles.values())
    layout.write_manifest(gen, replace(index.manifest, log=()))
    return journal.Journal(gen)


def load(settings: Settings, folder: Path, *, check_model: bool = True) -> Parts:
    """The live generation of ``folder``, read once; retried if a writer replaced it meanwhile."""
    attempts = 3
    for attempt in range(1, attempts + 1):
        gen = generations.locate(folder)
        try:
            return read(settings, folder, gen, check_model=check_model)
        except IndexStoreError:
            # Two writers in a row can collect the generation a slow reader resolved.
            if attempt == attempts or generations.current(folder) == gen:
                raise
            log.info("generation %s was replaced while it was being read; reading the new one", gen.name)
    raise AssertionError("unreachable")


def read(settings: Settings, folder: Path, gen: Path, *, check_model: bool = True) -> Parts:
    try:
        manifest = layout.read_manifest(gen, folder)
        layout.check_compatible(manifest, folder, settings.model, None)
        layout.verify(gen, manifest)
        dense = DenseIndex.load(gen / layout.DENSE, settings.ann_threshold)
        chunks = layout.read_chunks(gen)
        articles = {a.id: a for a in layout.read_articles(gen)}
        bm25 = Bm25Index.load(gen / layout.BM25_DIR, len(chunks))
        article_bm25 = ArticleBm25.load(gen / ARTICLE_BM25_DIR) if (gen / ARTICLE_BM25_DIR).is_dir() else None
    except (OSError, RuntimeError, ValueError, KeyError, TypeError) as error:  # faiss raises RuntimeError
        detail = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise layout.damaged(gen, f"{type(error).__name__} {detail}".strip()) from None
    if dense.dimension != manifest.dimension:
        raise layout.damaged(gen, f"{layout.DENSE} has dimension {dense.dimension}, the manifest {manifest.dimension}")
    if dense.size != len(chunks) or (not manifest.log and len(chunks) != manifest.chunk_count):
        raise layout.damaged(
            gen, f"{dense.size} vectors and {len(chunks)} chunks do not match the manifest's {manifest.chunk_count}"
        )
    if not manifest.log and set(articles) != set(manifest.articles):
        raise layout.damaged(gen, f"{len(articles)} articles do not match the manifest's {len(manifest.articles)}")
    if check_model:
        dimension = embedder_for(settings).dimension
        layout.check_compatible(manifest, folder, settings.model, dimension)
    if article_bm25 is not None and set(article_bm25.ids) != set(articles):
        raise layout.damaged(gen, f"{ARTICLE_BM25_DIR} indexes other articles than {layout.ARTICLES}")
    try:
        replay = tuple((e, journal.read_segment(gen / e.add) if e.add else None) for e in manifest.log)
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise layout.damaged(gen, f"its log: {type(error).__name__} {error}".strip()) from None
    return Parts(gen.name, manifest, articles, chunks, dense, bm25, article_bm25, replay)
