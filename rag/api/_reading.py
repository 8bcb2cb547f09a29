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
