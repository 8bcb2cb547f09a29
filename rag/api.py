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

from rag.errors import RagError
from rag.filters import Filters
from rag.readers.files import Reading
from rag.readers.jsonl import BadLine
from rag.settings import Settings
from rag.types import Answer, Article, Hit, Turn

if TYPE_CHECKING:
    from rag.stores import Change
    from rag.stores.base import Store
    from rag.stores.stats import IndexStats

__all__ = [
    "AddReport", "add_articles", "ask", "build_index", "default_settings", "index_stats", "load_index",
    "open_or_build_index", "read_articles", "read_sources", "remove_article", "search", "stream_ask",
]


@dataclass(frozen=True)
class AddReport:
    """What ``add_articles`` did: the index change (None when nothing could be read) and what was left out."""

    change: Change | None
    failures: tuple[tuple[str, str], ...] = ()  # (source, reason) of each source that could not be read
    bad_lines: tuple[BadLine, ...] = ()  # JSON Lines records skipped with skip_bad_lines


def default_settings() -> Settings:
    return Settings.from_env(os.environ)


def read_sources(
    sources: Iterable[str | Path], settings: Settings | None = None, *, skip_bad_lines: bool = False
) -> Reading:
    """Articles from files, folders and URLs, read in full (see ``rag.readers.sources``)."""
    from rag.readers import sources as readers

    return readers.read_sources(sources, settings or default_settings(), skip_bad_lines=skip_bad_lines)


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
