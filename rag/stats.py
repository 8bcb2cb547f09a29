"""What an index folder holds, read from its manifest and article list alone.

Stats must not need the embedding model, so ``rag index stats`` answers in a
fraction of a second and works even when the configured model differs.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

from rag import generations, store
from rag.sanitize import shown


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

    def to_dict(self) -> dict:
        return asdict(self)


def index_stats(folder: Path) -> IndexStats:
    gen = generations.locate(folder)  # resolved once: a concurrent write cannot mix generations
    manifest = store.read_manifest(gen, folder)
    per_article = Counter(c.article_id for c in store.read_chunks(gen))
    articles = store.read_articles(gen)
    rows = tuple(
        ArticleRow(a.id, a.title, a.url or a.source, a.published, per_article[a.id]) for a in articles
    )
    size = generations.disk_bytes(folder)
    return IndexStats(
        str(folder), manifest.model, manifest.dimension, manifest.format_version,
        manifest.chunk_tokens, manifest.overlap_sentences, len(manifest.articles),
        manifest.chunk_count, manifest.built_at, manifest.updated_at, size, rows,
    )


def stats_of(index, where: str, size: int) -> IndexStats:
    """``IndexStats`` of a loaded index (a store with no manifest file to read, such as Milvus)."""
    m = index.manifest
    rows = tuple(ArticleRow(a.id, a.title, a.url or a.source, a.published, len(index.rows_of(a.id)))
                 for a in index.articles.values())
    return IndexStats(where, m.model, m.dimension, m.format_version, m.chunk_tokens, m.overlap_sentences,
                      len(index.articles), len(index.chunks), m.built_at, m.updated_at, size, rows)


def render_stats(stats: IndexStats) -> str:
    lines = [
        f"index      {stats.folder}  (format v{stats.format_version})",
        f"model      {stats.model}  ({stats.dimension} dims)",
        f"chunking   {stats.chunk_tokens} tokens, overlap {stats.overlap_sentences} sentence(s)",
        f"articles   {stats.articles}",
        f"chunks     {stats.chunks}",
        f"on disk    {stats.disk_bytes / 1e6:.1f} MB",
        f"built      {stats.built_at}   updated {stats.updated_at}",
    ]
    for row in stats.rows[:50]:
        lines.append(f"  {shown(row.id)}  {row.chunks:>4} chunks  {row.published or '----------'}  {shown(row.title[:70])}")
    if len(stats.rows) > 50:
        lines.append(f"  … and {len(stats.rows) - 50} more")
    return "\n".join(lines)
