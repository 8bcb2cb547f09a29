"""How the folder store is opened, created and updated: the ``StoreKind`` of ``Settings.store == ""``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from rag.settings import Settings
from rag.stores.base import Change, Encode, Store
from rag.stores.folder import generations, layout
from rag.stores.folder.index import Index
from rag.stores.stats import ArticleRow, IndexStats
from rag.types import Article


class FolderKind:
    def open(self, settings: Settings, *, check_model: bool = True) -> Store:
        return Index.load(settings, check_model=check_model)

    def create(self, articles: Sequence[Article], settings: Settings, *, progress: bool = False,
               encode: Encode | None = None) -> Store:
        index = Index.build(articles, settings, progress=progress, encode=encode)
        index.save(settings.index_dir)
        return index

    def update(self, settings: Settings, edit: Callable[[Store], Change], *, base: Store | None = None,
               check_model: bool = True) -> Change:
        return Index.update(settings, edit, base=base, check_model=check_model)

    def exists(self, settings: Settings) -> bool:
        return generations.exists(settings.index_dir)

    def live_version(self, settings: Settings) -> str | None:
        live = generations.current(settings.index_dir)
        return live.name if live else None

    def stats(self, settings: Settings) -> IndexStats:
        return index_stats(settings.index_dir)

    def disk_bytes(self, settings: Settings) -> int:
        return generations.disk_bytes(settings.index_dir)

    def scratch_settings(self, settings: Settings, folder: Path) -> Settings:
        return settings.replace(index_dir=folder)

    def build_scratch(self, articles: Sequence[Article], settings: Settings, *, progress: bool = False) -> Store:
        return Index.build(articles, settings, progress=progress)  # kept in memory, never saved

    def close(self, settings: Settings) -> None:
        return None  # nothing held open: every file is read at load


def index_stats(folder: Path) -> IndexStats:
    """What the live generation of ``folder`` holds, read from its files alone (no model)."""
    gen = generations.locate(folder)  # resolved once: a concurrent write cannot mix generations
    manifest = layout.read_manifest(gen, folder)
    per_article = Counter(c.article_id for c in layout.read_chunks(gen))
    articles = layout.read_articles(gen)
    rows = tuple(
        ArticleRow(a.id, a.title, a.url or a.source, a.published, per_article[a.id]) for a in articles
    )
    size = generations.disk_bytes(folder)
    return IndexStats(
        str(folder), manifest.model, manifest.dimension, manifest.format_version,
        manifest.chunk_tokens, manifest.overlap_sentences, len(manifest.articles),
        manifest.chunk_count, manifest.built_at, manifest.updated_at, size, rows,
    )
