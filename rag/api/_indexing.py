"""Building, loading and changing the index for the API, through the process-wide holder of each store."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rag.api._reading import default_settings, known_urls, read_articles, read_sources, resolve_settings
from rag.errors import InputError, RagError
from rag.readers.files import Reading
from rag.readers.jsonl import BadLine
from rag.settings import Settings
from rag.types import Article

if TYPE_CHECKING:
    from rag.readers.feeds import FeedReading
    from rag.stores import Change, Restored, Store
    from rag.stores.stats import IndexStats


@dataclass(frozen=True)
class AddReport:
    """What ``add_articles`` did: the index change (None when nothing could be read) and what was left out."""

    change: Change | None
    failures: tuple[tuple[str, str], ...] = ()  # (source, reason) of each source that could not be read
    bad_lines: tuple[BadLine, ...] = ()  # JSON Lines records skipped with skip_bad_lines


@dataclass(frozen=True)
class SyncReport:
    """What ``sync_feeds`` did: each feed's reading, the feeds that failed, and the index change."""

    feeds: tuple[FeedReading, ...]
    failures: tuple[tuple[str, str], ...]  # (feed url, reason)
    change: Change | None  # None when no feed had anything new


def build_index(
    paths: Sequence[str | Path] | str | Path | Reading | None = None,
    settings: Settings | str | os.PathLike | None = None,
    *,
    index_dir: str | os.PathLike | None = None,
    progress: bool = False,
    skip_bad_lines: bool = False,
    ray: str | None = None,
    force: bool = False,
) -> Store:
    """Read articles (default: the bundled corpus), build a fresh index and save it.

    ``paths`` may also be a ``Reading`` already made by ``read_sources``. The index
    goes to the configured store (``Settings.store``), or to the folder given as
    ``settings`` or ``index_dir``. ``ray`` embeds on Ray Data
    instead of in this process: "" for a local Ray, else the cluster's address. A folder
    holding files other than an index's is refused unless ``force`` (which never deletes them).
    """
    from rag.stores import create_index
    from rag.stores.holder import holder_for

    if isinstance(paths, (str, os.PathLike)):  # one path, not the characters of a string
        paths = [paths]
    settings = resolve_settings(settings, index_dir)
    reading = (
        paths
        if isinstance(paths, Reading)
        else read_sources(paths or [settings.corpus_dir], settings, skip_bad_lines=skip_bad_lines)
    )
    encode = None
    if ray is not None:
        from rag.embedding.ray import ray_encoder

        encode = ray_encoder(settings, ray or None)
    index = create_index(reading.articles, settings, progress=progress, encode=encode, force=force)
    holder_for(settings).replace(index)
    return index


def load_index(settings: Settings | str | os.PathLike | None = None, *, reload: bool = False) -> Store:
    """The index in a folder (``load_index("index")``) or the store ``Settings`` name, loaded once per process."""
    from rag.stores.holder import holder_for

    holder = holder_for(resolve_settings(settings))
    if reload:
        holder.reload()
    return holder.index


def open_or_build_index(settings: Settings | None = None, *, progress: bool = True) -> Store:
    """The configured index, built from ``settings.corpus_dir`` when the store holds none yet (the app's first start)."""
    from rag.stores.holder import holder_for

    settings = settings or default_settings()
    return holder_for(settings).load_or_build(lambda: read_articles([settings.corpus_dir], settings), progress=progress)


def add_articles(
    sources: Iterable[str | Path],
    settings: Settings | None = None,
    *,
    skip_bad_lines: bool = False,
    each: bool = False,
    progress: bool = False,
) -> AddReport:
    """Add the new articles of ``sources`` to the index and save it; already indexed content is skipped.

    By default every source is read before the index is touched and any bad one raises,
    so a bad file never costs what is indexed. With ``each`` (the chat's uploads) a source
    that cannot be read is reported in ``AddReport.failures`` and the others are added.
    """
    from rag.stores.holder import holder_for

    settings = settings or default_settings()
    articles: list[Article] = []
    failures: list[tuple[str, str]] = []
    bad: list[BadLine] = []
    for group in [[s] for s in sources] if each else [list(sources)]:
        try:
            reading = read_sources(group, settings, skip_bad_lines=skip_bad_lines)
        except RagError as error:
            if not each:
                raise
            failures.append((str(group[0]), str(error)))
            continue
        articles.extend(reading.articles)
        bad.extend(reading.bad_lines)
    change = holder_for(settings).add(articles, progress=progress, settings=settings) if articles else None
    return AddReport(change, tuple(failures), tuple(bad))


def sync_feeds(feeds_file: str | Path, settings: Settings | None = None) -> SyncReport:
    """Add the new items of every feed listed in ``feeds_file`` in one update (``rag index sync``).

    The index is created on the first sync; a feed that fails is reported, the others still land.
    """
    from rag.readers.feeds import FeedReading, read_feed_list
    from rag.readers.feeds import sync_feeds as read_feeds
    from rag.readers.textfile import read_text
    from rag.stores import Change, has_index
    from rag.stores.holder import holder_for

    settings = settings or default_settings()
    urls = read_feed_list(read_text(Path(feeds_file), None))
    if not urls:
        raise InputError(f"no feed URLs in {feeds_file}")
    results = read_feeds(urls, settings, known_urls(settings))
    articles = [a for r in results if isinstance(r, FeedReading) for a in r.articles]
    change = None
    if articles and has_index(settings):
        change = holder_for(settings).add(articles)
    elif articles:  # the first sync makes the index
        index = build_index(Reading(tuple(articles), ()), settings)
        change = Change(index, tuple(index.articles.values()), tuple(a for a in articles if a.id not in index.articles))
    failures = tuple(r for r in results if isinstance(r, tuple))
    return SyncReport(tuple(r for r in results if isinstance(r, FeedReading)), failures, change)


def restore_index(generation: str, settings: Settings | None = None) -> Restored:
    """Make generation ``generation`` of the index folder live again after checking every file."""
    from rag.stores import restore_generation
    from rag.stores.holder import holder_for

    settings = settings or default_settings()
    restored = restore_generation(settings, generation)
    holder_for(settings).reload()
    return restored


def check_build_target(settings: Settings | None = None, *, force: bool = False) -> None:
    """Refuse, before anything is read, a build over unlinked generations or into a folder of other files."""
    from rag.stores import check_target

    check_target(settings or default_settings(), force=force)


def remove_article(article_id: str, settings: Settings | None = None) -> Change:
    """Remove one article by id and save (``InputError`` if it is not indexed)."""
    from rag.stores.holder import holder_for

    settings = settings or default_settings()
    return holder_for(settings).remove(article_id, settings=settings)


def compact_index(settings: Settings | None = None) -> Change:
    """Rewrite the index as one segment: adds and removes folded in, BM25 statistics exact again."""
    from rag.stores.holder import holder_for

    settings = settings or default_settings()
    return holder_for(settings).compact(settings=settings)


def index_stats(settings: Settings | None = None, *, index: Store | None = None) -> IndexStats:
    """What the configured store holds, without loading the embedding model (or of ``index``, already loaded)."""
    from rag.stores import disk_bytes, store_stats
    from rag.stores.stats import stats_of

    settings = settings or default_settings()
    if index is not None:
        return stats_of(index, settings.store or str(settings.index_dir), disk_bytes(settings))
    return store_stats(settings)
