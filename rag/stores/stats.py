"""What an index holds: counts, model, chunking, size and one row per article.

Stats must not need the embedding model, so ``rag index stats`` answers in a
fraction of a second and works even when the configured model differs. The
folder store reads them from its files (``rag.stores.folder.kind``), other
stores from a loaded index (``stats_of``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class ArticleRow:
    id: str
    title: str
    source: str
    published: str | None
    chunks: int


@dataclass(frozen=True)
class IndexStats:
    folder: str
    model: str
    dimension: int
    format_version: int
    chunk_tokens: int
    overlap_sentences: int
    articles: int
    chunks: int
    built_at: str
    updated_at: str
    disk_bytes: int
    rows: tuple[ArticleRow, ...]
    log: int = 0  # adds and removes since the base files were written (``rag index compact`` folds them)

    def to_dict(self) -> dict:
        return asdict(self)


def stats_of(index, where: str, size: int) -> IndexStats:
    """``IndexStats`` of a loaded index (a store with no manifest file to read, such as Milvus)."""
    m = index.manifest
    rows = tuple(
        ArticleRow(a.id, a.title, a.url or a.source, a.published, len(index.rows_of(a.id)))
        for a in index.articles.values()
    )
    return IndexStats(
        where,
        m.model,
        m.dimension,
        m.format_version,
        m.chunk_tokens,
        m.overlap_sentences,
        len(index.articles),
        len(index.chunks),
        m.built_at,
        m.updated_at,
        size,
        rows,
        index.pending,
    )
