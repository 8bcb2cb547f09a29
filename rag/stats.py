"""What an index folder holds, read from its manifest and article list alone.

Stats must not need the embedding model, so ``rag index stats`` answers in a
fraction of a second and works even when the configured model differs. It does
check every file against the manifest's size and SHA-256 (one read of the
generation), so a truncated or edited index is reported as damaged, not healthy.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

from rag import generations, store
from rag.errors import IndexStoreError
from rag.types import Article


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
    for attempt in (1, 2, 3):
        gen = generations.locate(folder)  # resolved once: a concurrent write cannot mix generations
        try:
            manifest, articles, per_article = _read(gen, folder)
            break
        except IndexStoreError:  # two writes in a row can collect the generation resolved above
            if attempt == 3 or generations.current(folder) == gen:
                raise
    rows = tuple(
        ArticleRow(a.id, a.title, a.url or a.source, a.published, per_article[a.id]) for a in articles
    )
    size = generations.disk_bytes(folder)
    return IndexStats(
        str(folder), manifest.model, manifest.dimension, manifest.format_version,
        manifest.chunk_tokens, manifest.overlap_sentences, len(manifest.articles),
        manifest.chunk_count, manifest.built_at, manifest.updated_at, size, rows,
    )


def _read(gen: Path, folder: Path) -> tuple[store.Manifest, list[Article], Counter]:
    """The manifest, articles and chunks per article of ``gen``, every file checked against the manifest."""
    try:
        manifest = store.read_manifest(gen, folder)
        store.verify(gen, manifest)
        per_article = Counter(c.article_id for c in store.read_chunks(gen))
        return manifest, store.read_articles(gen), per_article
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:  # a file that will not parse
        detail = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise store.damaged(gen, f"{type(error).__name__} {detail}".strip()) from None


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
        lines.append(f"  {row.id}  {row.chunks:>4} chunks  {row.published or '----------'}  {row.title[:70]}")
    if len(stats.rows) > 50:
        lines.append(f"  … and {len(stats.rows) - 50} more")
    return "\n".join(lines)
