"""News feeds (RSS/Atom) in: each item's page is fetched and read as an article, new items only.

``rag index add URL`` hands every URL to ``read_url``: a page is read as one
article, a feed (by its content type, or an XML body whose root is ``<rss>``,
``<feed>`` or ``<rdf:RDF>``) as the articles its items link to. Feeds are
parsed by ``feedparser`` from the bytes already downloaded (it never fetches
anything itself), and every item page is fetched by ``rag.readers.fetch`` under the same
SSRF guard and size and time limits as any URL. Items whose link is already the
URL of an indexed article are not fetched again; an item page that cannot be
read is reported and skipped, so one dead link does not stop the rest.
``rag index sync FEEDS.txt`` (``sync_feeds``) does this for a list of feeds.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urljoin

from rag.errors import InputError, RagError
from rag.readers.fetch import FEED_TYPES, Page, fetch_page, page_article
from rag.settings import Settings
from rag.types import Article

log = logging.getLogger(__name__)

MAX_ITEMS = 200  # per feed and run: a feed is news of the last days, not an archive
_XML_TYPES = ("text/xml", "application/xml", "text/plain", "")
_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF)[\s>]")


@dataclass(frozen=True)
class FeedReading:
    """One feed's run: the articles read, the links already indexed, the items that failed."""

    url: str
    articles: tuple[Article, ...] = ()
    already: tuple[str, ...] = ()
    failures: tuple[tuple[str, str], ...] = ()  # (item link, reason)


def is_feed(page: Page) -> bool:
    kind = page.content_type.split(";")[0].strip().lower()
    return kind in FEED_TYPES or (kind in _XML_TYPES and bool(_FEED_ROOT.search(page.body[:4096])))


def feed_links(body: bytes, base_url: str) -> list[str]:
    """The item links of an RSS/Atom document, absolute, first occurrence only (pure)."""
    import feedparser

    parsed = feedparser.parse(io.BytesIO(body))  # a stream: feedparser must not treat text as a URL
    if parsed.bozo and not parsed.entries:
        raise InputError(f"not a readable RSS/Atom feed: {base_url} ({type(parsed.bozo_exception).__name__})")
    links = [urljoin(base_url, e.get("link", "").strip()) for e in parsed.entries if e.get("link", "").strip()]
    return list(dict.fromkeys(links))


def read_feed(page: Page, settings: Settings, known: frozenset[str] = frozenset()) -> FeedReading:
    """Fetch each new item of the feed in ``page``; links in ``known`` are skipped unfetched."""
    links = feed_links(page.body, page.url)
    if len(links) > MAX_ITEMS:
        log.warning("feed %s has %d items; reading the first %d", page.url, len(links), MAX_ITEMS)
        links = links[:MAX_ITEMS]
    articles: list[Article] = []
    failures: list[tuple[str, str]] = []
    already = tuple(link for link in links if link in known)
    for link in links:
        if link in known:
            continue
        try:
            articles.append(page_article(fetch_page(link, settings), settings))
        except RagError as error:
            log.warning("skipped feed item %s: %s", link, error)
            failures.append((link, str(error)))
    return FeedReading(page.url, tuple(articles), already, tuple(failures))


def read_url(url: str, settings: Settings, known: frozenset[str] = frozenset()) -> list[Article]:
    """A page as one article, or a feed as its items' articles, skipping the ``known`` URLs (``rag index add URL``)."""
    page = fetch_page(url, settings)
    if not is_feed(page):
        return [page_article(page, settings)]
    reading = read_feed(page, settings, known)
    if reading.already:
        log.info("feed %s: %d item(s) already indexed, not fetched again", url, len(reading.already))
    if not reading.articles:
        raise InputError(
            f"nothing new in the feed {url}: {len(reading.already)} item(s) already indexed, "
            f"{len(reading.failures)} unreadable"
        )
    return list(reading.articles)


def read_feed_list(text: str) -> list[str]:
    """Feed URLs from a FEEDS.txt: one per line; blank lines and ``#`` comments ignored (pure)."""
    urls = [line.split("#", 1)[0].strip() for line in text.splitlines()]
    return list(dict.fromkeys(u for u in urls if u))


def sync_feeds(urls: Iterable[str], settings: Settings, known: frozenset[str]) -> list[FeedReading | tuple[str, str]]:
    """Read every feed (a failed feed is ``(url, reason)``), skipping the ``known`` (already indexed) URLs."""
    out: list[FeedReading | tuple[str, str]] = []
    for url in urls:
        try:
            page = fetch_page(url, settings)
            if not is_feed(page):
                raise InputError(f"not an RSS/Atom feed: {url} is {page.content_type.split(';')[0] or 'untyped'!r}")
            reading = read_feed(page, settings, known)
            known = known | {a.url for a in reading.articles if a.url}  # two feeds sharing an item fetch it once
            out.append(reading)
        except RagError as error:
            out.append((url, str(error)))
    return out


@dataclass(frozen=True)
class SyncReport:
    """What ``rag index sync`` did: one line per added article and per feed, and the exit status."""

    lines: tuple[str, ...]
    added: int
    failed_feeds: int
