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

from rag.articles import read_path
from rag.errors import InputError
from rag.fusion import Filters
from rag.settings import Settings
from rag.types import Answer, Article, Hit, Turn

_loaded: dict[Path, object] = {}
_lock = threading.Lock()


def default_settings() -> Settings:
    return Settings.from_env(os.environ)


def read_source(source: str | Path) -> list[Article]:
    """Articles from a file, a folder, or an http(s) URL fetched with trafilatura."""
    if isinstance(source, str) and source.startswith(("http://", "https://")):
        from rag.articles import fetch_url

        return [fetch_url(source)]
    return read_path(Path(source))


def read_articles(paths: Iterable[str | Path]) -> list[Article]:
    articles: list[Article] = []
    for path in paths:
        articles.extend(read_source(path))
    if not articles:
        raise InputError("no articles found in the given paths")
    return articles


def build_index(
    paths: Sequence[str | Path] | None = None,
    settings: Settings | None = None,
    *,
    progress: bool = False,
):
    """Read articles (default: the bundled corpus), build a fresh index and save it."""
    from rag.index import Index

    settings = settings or default_settings()
    articles = read_articles(paths or [settings.corpus_dir])
    index = Index.build(articles, settings, progress=progress)
    index.save(settings.index_dir)
    _remember(settings.index_dir, index)
    return index


def load_index(settings: Settings | None = None, *, reload: bool = False):
    """The index in ``settings.index_dir``, loaded once per process."""
    from rag.index import Index

    settings = settings or default_settings()
    key = settings.index_dir.resolve()
    with _lock:
        if reload or key not in _loaded:
            _loaded[key] = Index.load(settings)
        return _loaded[key]


def _remember(folder: Path, index) -> None:
    with _lock:
        _loaded[folder.resolve()] = index


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
    from rag.retrieve import search_index

    index = index or load_index(settings)
    return search_index(index, question, k, mode=mode, filters=filters)


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

    settings = settings or default_settings()
    if options:
        settings = settings.replace(**options)
    index = index or load_index(settings)
    return answer_question(index, question, history or (), settings)
