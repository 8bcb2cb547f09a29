"""Reading articles for the API: files, folders, URLs and feeds, with the settings from the environment."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from rag.readers.files import Reading
from rag.settings import Settings
from rag.types import Article


def default_settings() -> Settings:
    return Settings.from_env(os.environ)


def resolve_settings(
    settings: Settings | str | os.PathLike | None = None, index_dir: str | os.PathLike | None = None
) -> Settings:
    """``Settings`` from what a caller passed: ``Settings``, an index folder, or nothing (the environment).

    A folder (``"index"``, a ``Path``), as a positional argument or as ``index_dir=``,
    means the index in that folder, whatever ``RAG_STORE`` says. Anything else is a
    ``TypeError`` naming what was given.
    """
    if isinstance(settings, (str, os.PathLike)):
        if index_dir is not None:
            raise TypeError("pass the index folder once: as settings or as index_dir=, not both")
        settings, index_dir = None, settings
    if settings is not None and not isinstance(settings, Settings):
        raise TypeError(
            f"settings must be a rag.Settings or an index folder (str or os.PathLike), not {type(settings).__name__}"
        )
    if index_dir is not None and not isinstance(index_dir, (str, os.PathLike)):
        raise TypeError(f"index_dir must be a folder path (str or os.PathLike), not {type(index_dir).__name__}")
    settings = settings or default_settings()
    return settings if index_dir is None else settings.replace(index_dir=Path(index_dir), store="")


def read_sources(
    sources: Iterable[str | Path], settings: Settings | None = None, *, skip_bad_lines: bool = False
) -> Reading:
    """Articles from files, folders and URLs, read in full (see ``rag.readers.sources``)."""
    from rag.readers import sources as readers

    settings = settings or default_settings()
    sources = list(sources)
    # A feed's items already indexed (by URL) are not fetched again.
    known = known_urls(settings) if any(isinstance(s, str) and "://" in s for s in sources) else frozenset()
    return readers.read_sources(sources, settings, skip_bad_lines=skip_bad_lines, known=known)


def known_urls(settings: Settings) -> frozenset[str]:
    """The URLs of the articles already indexed (none when there is no index yet); no model is loaded."""
    from rag.stores import has_index, open_index

    if not has_index(settings):
        return frozenset()
    articles = open_index(settings, check_model=False).articles.values()
    return frozenset(a.url for a in articles if a.url) | frozenset(a.source for a in articles if "://" in a.source)


def read_articles(paths: Iterable[str | Path], settings: Settings | None = None) -> list[Article]:
    """Every article in ``paths`` (files, folders, URLs); any bad input raises ``InputError``."""
    return list(read_sources(paths, settings).articles)
