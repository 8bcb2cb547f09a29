"""The Python API, and the one door every face uses: the CLI, the app and ``bench/`` call only these.

This is an edge, like the CLI: when no ``Settings`` are passed it builds them
once from the environment. Each store's index is held once per process
(``rag.stores.holder``), so repeated calls (and the app's many requests) pay the
load once and see other processes' writes. A question is checked once, here,
before anything loads: a bad question costs nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rag.errors import InputError, RagError
from rag.filters import Filters
from rag.readers.files import Reading
from rag.readers.jsonl import BadLine
from rag.settings import Settings
from rag.types import Answer, Article, Hit, Turn

if TYPE_CHECKING:
    from rag.readers.feeds import FeedReading
    from rag.stores import Change
    from rag.stores.base import Store
    from rag.stores.stats import IndexStats

__all__ = [
    "AddReport", "add_articles", "ask", "build_index", "default_settings", "index_stats", "load_index",
    "open_or_build_index", "read_articles", "read_sources", "remove_article", "search", "stream_ask", "sync_feeds",
]


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


def default_settings() -> Settings:
    return Settings.from_env(os.environ)


def read_sources(
    sources: Iterable[str | Path], settings: Settings | None = None, *, skip_bad_lines: bool = False
) -> Reading:
    """Articles from files, folders and URLs, read in full (see ``rag.readers.sources``)."""
    from rag.readers import sources as readers

    settings = settings or default_settings()
    sources = list(sources)
    # A feed's items already indexed (by URL) are not fetched again.
    known = _known_urls(settings) if any(isinstance(s, str) and "://" in s for s in sources) else frozenset()
    return readers.read_sources(sources, settings, skip_bad_lines=skip_bad_lines, known=known)


def _known_urls(settings: Settings) -> frozenset[str]:
    """The URLs of the articles already indexed (none when there is no index yet); no model is loaded."""
    from rag.stores import has_index, open_index

    if not has_index(settings):
        return frozenset()
    articles = open_index(settings, check_model=False).articles.values()
    return frozenset(a.url for a in articles if a.url) | frozenset(a.source for a in articles if "://" in a.source)


def read_articles(paths: Iterable[str | Path], settings: Settings | None = None) -> list[Article]:
    """Every article in ``paths`` (files, folders, URLs); any bad input raises ``InputError``."""
    return list(read_sources(paths, settings).articles)


def build_index(
    paths: Sequence[str | Path] | Reading | None = None,
    settings: Settings | None = None,
    *,
    progress: bool = False,
    skip_bad_lines: bool = False,
    ray: str | None = None,
) -> Store:
    """Read articles (default: the bundled corpus), build a fresh index and save it.

    ``paths`` may also be a ``Reading`` already made by ``read_sources``. The index
    goes to the configured store (``Settings.store``). ``ray`` embeds on Ray Data
    instead of in this process: "" for a local Ray, else the cluster's address.
    """
    from rag.stores import create_index
    from rag.stores.holder import holder_for

    settings = settings or default_settings()
    reading = paths if isinstance(paths, Reading) else read_sources(
        paths or [settings.corpus_dir], settings, skip_bad_lines=skip_bad_lines)
    encode = None
    if ray is not None:
        from rag.embedding.ray import ray_encoder

        encode = ray_encoder(settings, ray or None)
    index = create_index(reading.articles, settings, progress=progress, encode=encode)
    holder_for(settings).replace(index)
    return index


def load_index(settings: Settings | None = None, *, reload: bool = False) -> Store:
    """The index of the configured store (``settings.index_dir`` by default), loaded once per process."""
    from rag.stores.holder import holder_for

    holder = holder_for(settings or default_settings())
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
    for group in ([[s] for s in sources] if each else [list(sources)]):
        try:
            reading = read_sources(group, settings, skip_bad_lines=skip_bad_lines)
        except RagError as error:
            if not each:
                raise
            failures.append((str(group[0]), str(error)))
            continue
        articles.extend(reading.articles)
        bad.extend(reading.bad_lines)
    change = holder_for(settings).add(articles, progress=progress) if articles else None
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
    results = read_feeds(urls, settings, _known_urls(settings))
    articles = [a for r in results if isinstance(r, FeedReading) for a in r.articles]
    change = None
    if articles and has_index(settings):
        change = holder_for(settings).add(articles)
    elif articles:  # the first sync makes the index
        index = build_index(Reading(tuple(articles), ()), settings)
        change = Change(index, tuple(index.articles.values()), tuple(a for a in articles if a.id not in index.articles))
    failures = tuple(r for r in results if isinstance(r, tuple))
    return SyncReport(tuple(r for r in results if isinstance(r, FeedReading)), failures, change)


def remove_article(article_id: str, settings: Settings | None = None) -> Change:
    """Remove one article by id and save (``InputError`` if it is not indexed)."""
    from rag.stores.holder import holder_for

    return holder_for(settings or default_settings()).remove(article_id)


def index_stats(settings: Settings | None = None, *, index: Store | None = None) -> IndexStats:
    """What the configured store holds, without loading the embedding model (or of ``index``, already loaded)."""
    from rag.stores import disk_bytes, store_stats
    from rag.stores.stats import stats_of

    settings = settings or default_settings()
    if index is not None:
        return stats_of(index, settings.store or str(settings.index_dir), disk_bytes(settings))
    return store_stats(settings)


def search(
    question: str,
    k: int = 5,
    *,
    mode: str | None = None,
    filters: Filters | None = None,
    settings: Settings | None = None,
    index: Store | None = None,
) -> list[Hit]:
    """Ranked passages for ``question`` (hybrid dense + BM25 by default)."""
    from rag.retrieval.search import check_question, search_index

    question = check_question(question)
    index = index or load_index(settings)
    return search_index(index, question, k, mode=mode, filters=filters)


def stream_ask(
    question: str,
    history: Sequence[Turn] | None = None,
    *,
    settings: Settings | None = None,
    index: Store | None = None,
) -> Iterator[Answer]:
    """Partial answers while an LLM writes (none for the extractive answerer), then the checked ``Answer`` last."""
    from rag.answer import stream_answer
    from rag.retrieval.search import check_question

    question = check_question(question)
    settings = settings or default_settings()
    index = index or load_index(settings)
    yield from stream_answer(index, question, history or (), settings)


def ask(
    question: str,
    history: Sequence[Turn] | None = None,
    *,
    settings: Settings | None = None,
    index: Store | None = None,
    **options: object,
) -> Answer:
    """A cited answer to ``question``; ``history`` turns make follow-ups work; ``options`` replace settings."""
    settings = settings or default_settings()
    if options:
        settings = settings.replace(**options)
    *_, final = stream_ask(question, history, settings=settings, index=index)  # the checked answer comes last
    return final
