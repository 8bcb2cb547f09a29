"""Reading and writing an ``Index``'s parts in one generation folder.

Loading checks, in order: the manifest's format version, the embedding model,
every file's size and SHA-256, then that vectors, chunks and articles agree
with each other and with the manifest. Anything off is an ``IndexStoreError``
naming the folder and the rebuild command, never a traceback or, worse, a
search over mismatched files.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rag import generations, store
from rag.dense import DenseIndex
from rag.embed import embedder_for
from rag.errors import IndexStoreError
from rag.lexical import Bm25Index
from rag.settings import Settings
from rag.types import Article, Chunk

if TYPE_CHECKING:
    from rag.index import Index

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Parts:
    """What one generation folder holds, loaded and checked."""

    generation: str
    manifest: store.Manifest
    articles: dict[str, Article]
    chunks: list[Chunk]
    dense: DenseIndex
    bm25: Bm25Index


def write(index: Index, gen: Path) -> None:
    """Write every part of ``index`` into the (not yet live) folder ``gen``, manifest last."""
    index.dense.save(gen / store.DENSE)
    index.bm25.save(gen / store.BM25_DIR)
    store.write_jsonl(gen / store.CHUNKS, index.chunks)
    store.write_jsonl(gen / store.ARTICLES, index.articles.values())
    store.write_manifest(gen, index.manifest)


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
        manifest = store.read_manifest(gen, folder)
        store.check_compatible(manifest, folder, settings.model, None)
        store.verify(gen, manifest)
        dense = DenseIndex.load(gen / store.DENSE, settings.ann_threshold)
        chunks = store.read_chunks(gen)
        articles = {a.id: a for a in store.read_articles(gen)}
        bm25 = Bm25Index.load(gen / store.BM25_DIR, len(chunks))
    except (OSError, RuntimeError, ValueError, KeyError) as error:  # faiss raises RuntimeError
        detail = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise store.damaged(gen, f"{type(error).__name__} {detail}".strip()) from None
    if dense.dimension != manifest.dimension:
        raise store.damaged(gen, f"{store.DENSE} has dimension {dense.dimension}, the manifest {manifest.dimension}")
    if not (dense.size == len(chunks) == manifest.chunk_count) or set(articles) != set(manifest.articles):
        raise store.damaged(
            gen, f"{dense.size} vectors, {len(chunks)} chunks and {len(articles)} articles do not match "
            f"the manifest's {manifest.chunk_count} chunks and {len(manifest.articles)} articles"
        )
    if check_model:
        dimension = embedder_for(settings).dimension  # the ONNX backend reads it from config.json
        store.check_compatible(manifest, folder, settings.model, dimension)
    return Parts(gen.name, manifest, articles, chunks, dense, bm25)
