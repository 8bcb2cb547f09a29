"""The Python API: ``build_index``, ``load_index``, ``search`` and ``ask``.

This is an edge, like the CLI: when no ``Settings`` are passed it builds them
once from the environment. Loaded indexes are kept per folder for the life of
the process, so repeated calls (and the app's many requests) pay the load once.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

from rag.articles import Reading, read_path_report
from rag.errors import InputError
from rag.fusion import Filters
from rag.sanitize import shown
from rag.settings import Settings
from rag.types import Answer, Article, Hit, Turn

_loaded: dict[str, object] = {}
_lock = threading.Lock()


def default_settings() -> Settings:
    return Settings.from_env(os.environ)


def read_source(source: str | Path, settings: Settings | None = None) -> list[Article]:
    """Articles from a file, a folder, or a URL (fetched within ``rag.fetch``'s SSRF guard and limits)."""
    if isinstance(source, str) and "://" in source:
        from rag.fetch import fetch_url

        # Any scheme goes to fetch_url, so file:// and the like are refused there, not read as paths.
        return [fetch_url(source, settings or default_settings())]
    return list(read_path_report(Path(source), max_bytes=_article_limit(settings)).articles)


def read_articles(paths: Iterable[str | Path], settings: Settings | None = None) -> list[Article]:
    """Every article in ``paths`` (files, folders, URLs); any bad input raises ``InputError``."""
    return list(read_sources(paths, settings).articles)


def read_sources(
    sources: Iterable[str | Path], settings: Settings | None = None, *, skip_bad_lines: bool = False
) -> Reading:
    """Articles from files, folders and URLs, read in full before any index is touched.

    ``skip_bad_lines`` keeps the good records of a JSON Lines file and returns each bad
    one in ``Reading.bad_lines`` (line number and reason); by default one bad line
    refuses its whole file. Two sources giving one explicit id to different content
    are refused, as the index could not tell their chunks apart.
    """
    articles: list[Article] = []
    bad = []
    for source in sources:
        if isinstance(source, str) and "://" in source:
            articles.extend(read_source(source, settings))
            continue
        reading = read_path_report(Path(source), max_bytes=_article_limit(settings), skip_bad_lines=skip_bad_lines)
        articles.extend(reading.articles)
        bad.extend(reading.bad_lines)
    if not articles:
        raise InputError("no articles found in the given paths" + (f" ({len(bad)} bad lines skipped)" if bad else ""))
    by_id: dict[str, Article] = {}
    for article in articles:
        other = by_id.setdefault(article.id, article)
        if other.content_hash != article.content_hash:
            raise InputError(
                f"article id {article.id!r} is used by {shown(other.source)} and {shown(article.source)} "
                "for different content"
            )
    return Reading(tuple(articles), tuple(bad))


def _article_limit(settings: Settings | None) -> int:
    return (settings or default_settings()).max_article_bytes


def build_index(
    paths: Sequence[str | Path] | Reading | None = None,
    settings: Settings | None = None,
    *,
    progress: bool = False,
    skip_bad_lines: bool = False,
    encode=None,
):
    """Read articles (default: the bundled corpus), build a fresh index and save it.

    ``paths`` may also be a ``Reading`` already made by ``read_sources``. With
    ``skip_bad_lines`` (see ``read_sources``) skipped lines are logged as warnings.
    The index goes to the configured store (``Settings.store``); ``encode`` replaces
    the local embedder (``rag.distributed.ray_encoder``).
    """
    from rag.stores import create_index

    settings = settings or default_settings()
    reading = paths if isinstance(paths, Reading) else read_sources(
        paths or [settings.corpus_dir], settings, skip_bad_lines=skip_bad_lines)
    articles = reading.articles
    index = create_index(articles, settings, progress=progress, encode=encode)
    _remember(settings, index)
    return index


def load_index(settings: Settings | None = None, *, reload: bool = False):
    """The index of the configured store (``settings.index_dir`` by default), loaded once per process."""
    from rag.stores import open_index

    settings = settings or default_settings()
    key = _key(settings)
    with _lock:
        if reload or key not in _loaded:
            _loaded[key] = open_index(settings)
        return _loaded[key]


def _key(settings: Settings) -> str:
    return settings.store or str(settings.index_dir.resolve())


def _remember(settings: Settings, index) -> None:
    with _lock:
        _loaded[_key(settings)] = index


def search(
    question: str,
    k: int = 5,
    *,
    mode: str | None = None,
    filters: Filters | None = None,
    settings: Settings | None = None,
    index=None,
) -> list[Hit]:
    """Ranked passages for ``question`` (hybrid dense + BM25 by default)."""
    from rag.retrieve import check_question, search_index

    question = check_question(question)  # before loading anything: a bad question costs nothing
    index = index or load_index(settings)
    as_of = settings.as_of if settings is not None else None
    return search_index(index, question, k, mode=mode, filters=filters, as_of=as_of)


def ask(
    question: str,
    history: Sequence[Turn] | None = None,
    *,
    settings: Settings | None = None,
    index=None,
    **options,
) -> Answer:
    """A cited answer to ``question``; ``history`` turns make follow-ups work."""
    from rag.answer import answer_question
    from rag.retrieve import check_question

    question = check_question(question)  # before loading anything: a bad question costs nothing
    settings = settings or default_settings()
    if options:
        settings = settings.replace(**options)
    index = index or load_index(settings)
    return answer_question(index, question, history or (), settings)
