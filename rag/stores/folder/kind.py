"""How the folder store is opened, created and updated: the ``StoreKind`` of ``Settings.store == ""``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from rag.errors import IndexStoreError
from rag.settings import Settings
from rag.stores.base import Change, Encode, Restored, Store
from rag.stores.folder import generations, genscan, layout
from rag.stores.folder.index import Index
from rag.stores.stats import ArticleRow, IndexStats
from rag.types import Article


class FolderKind:
    def open(self, settings: Settings, *, check_model: bool = True) -> Store:
        return Index.load(settings, check_model=check_model)

    def create(
        self,
        articles: Sequence[Article],
        settings: Settings,
        *,
        progress: bool = False,
        encode: Encode | None = None,
        force: bool = False,
    ) -> Store:
        genscan.check_target(settings.index_dir, force=force)  # before minutes of embedding
        index = Index.build(articles, settings, progress=progress, encode=encode)
        index.save(settings.index_dir, force=force)
        return index

    def check_target(self, settings: Settings, *, force: bool = False) -> None:
        genscan.check_target(settings.index_dir, force=force)

    def restore(self, settings: Settings, generation: str) -> Restored:
        from rag.stores.folder.restore import restore

        return restore(settings.index_dir, generation, settings.lock_timeout)

    def update(
        self,
        settings: Settings,
        edit: Callable[[Store], Change],
        *,
        base: Store | None = None,
        check_model: bool = True,
    ) -> Change:
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
    """What the live generation of ``folder`` holds, read from its files alone (no model).

    Every file is checked against the manifest's size and SHA-256 (one read of the
    generation), so a truncated or edited index is reported as damaged, not healthy.
    """
    for attempt in (1, 2, 3):
        gen = generations.locate(folder)  # resolved once: a concurrent write cannot mix generations
        try:
            manifest, articles, per_article = _read(gen, folder)
            break
        except IndexStoreError:  # two writes in a row can collect the generation resolved above
            if attempt == 3 or generations.current(folder) == gen:
                raise
    rows = tuple(ArticleRow(a.id, a.title, a.url or a.source, a.published, per_article[a.id]) for a in articles)
    size = generations.disk_bytes(folder)
    return IndexStats(
        str(folder),
        manifest.model,
        manifest.dimension,
        manifest.format_version,
        manifest.chunk_tokens,
        manifest.overlap_sentences,
        len(manifest.articles),
        manifest.chunk_count,
        manifest.built_at,
        manifest.updated_at,
        size,
        rows,
        len(manifest.log),
    )


def _read(gen: Path, folder: Path) -> tuple[layout.Manifest, list[Article], Counter]:
    """The manifest, articles and chunks per article of ``gen``, every file checked against the manifest."""
    try:
        manifest = layout.read_manifest(gen, folder)
        layout.verify(gen, manifest)
        per_article = Counter(c.article_id for c in layout.read_chunks(gen))
        articles = {a.id: a for a in layout.read_articles(gen)}
        for entry in manifest.log:  # what loading replays, without the vectors
            if entry.add is not None:
                articles.update((a.id, a) for a in layout.read_articles(gen / entry.add))
                per_article.update(c.article_id for c in layout.read_chunks(gen / entry.add))
            elif entry.remove is not None:
                articles.pop(entry.remove, None)
                per_article.pop(entry.remove, None)
        return manifest, list(articles.values()), per_article
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:  # a file that will not parse
        detail = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise layout.damaged(gen, f"{type(error).__name__} {detail}".strip()) from None
