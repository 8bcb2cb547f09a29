"""Articles from what a user names: files, folders and URLs, read in full before any index is touched.

Every way in (CLI, Python, the chat's uploads) reads through here, so one
article id used by two different texts is refused the same way everywhere, and
a URL goes through ``rag.readers.fetch``'s SSRF guard and limits whatever the
face. ``Settings`` give the size limits.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rag.errors import InputError
from rag.readers.files import Reading, read_path_report
from rag.readers.jsonl import BadLine
from rag.settings import Settings
from rag.text.sanitize import shown
from rag.types import Article


def read_source(source: str | Path, settings: Settings, known: frozenset[str] = frozenset()) -> list[Article]:
    """Articles from a file, a folder, or a URL (fetched within ``rag.readers.fetch``'s SSRF guard and limits)."""
    if isinstance(source, str) and "://" in source:
        from rag.readers.feeds import read_url

        # Any scheme goes to the fetcher, so file:// and the like are refused there, not read as paths.
        # A feed URL gives the articles of its items not yet indexed (rag.readers.feeds).
        return read_url(source, settings, known)
    return list(read_path_report(Path(source), max_bytes=settings.max_article_bytes).articles)


def read_articles(paths: Iterable[str | Path], settings: Settings) -> list[Article]:
    """Every article in ``paths`` (files, folders, URLs); any bad input raises ``InputError``."""
    return list(read_sources(paths, settings).articles)


def read_sources(
    sources: Iterable[str | Path],
    settings: Settings,
    *,
    skip_bad_lines: bool = False,
    known: frozenset[str] = frozenset(),
) -> Reading:
    """Articles from files, folders and URLs, read in full before any index is touched.

    ``skip_bad_lines`` keeps the good records of a JSON Lines file and returns each bad
    one in ``Reading.bad_lines`` (line number and reason); by default one bad line
    refuses its whole file. Two sources giving one explicit id to different content
    are refused, as the index could not tell their chunks apart.
    """
    articles: list[Article] = []
    bad: list[BadLine] = []
    for source in sources:
        if isinstance(source, str) and "://" in source:
            articles.extend(read_source(source, settings, known))
            continue
        reading = read_path_report(Path(source), max_bytes=settings.max_article_bytes, skip_bad_lines=skip_bad_lines)
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
