"""News feeds: an RSS feed and its three item pages served on 127.0.0.1 by the test, synced with the real model.

Private (loopback) URLs are allowed by the ``--allow-private-urls`` flag here only;
without it the same feed is refused by the SSRF guard.
"""

from __future__ import annotations

import pytest

from rag.cli import main
from rag.readers.feeds import feed_links, is_feed, read_feed_list
from rag.readers.fetch import Page
from tests.conftest import SEED
from tests.test_fetch import Site

STORIES = [
    (
        "Harbour Bridge Opens to Traffic",
        (
            "Mayor Ines Duarte cut the ribbon of the Harbour Bridge on Saturday "
            "morning, watched by several thousand residents who had waited three years for the crossing."
        ),
    ),
    (
        "Library Extends Opening Hours",
        (
            "The central library will stay open until ten in the evening from next "
            "month, the city's culture office announced on Wednesday after a survey of readers."
        ),
    ),
    (
        "River Festival Draws Record Crowds",
        (
            "More than forty thousand visitors came to the river festival this "
            "weekend, the organisers said, the largest attendance since the festival began in 1998."
        ),
    ),
]


def page(title: str, text: str) -> bytes:
    body = f"<p>{text}</p><p>{text.replace('the', 'this')}</p>"
    return (
        f"<html><head><title>{title}</title></head><body><nav>Home News</nav>"
        f"<article><h1>{title}</h1>{body}</article></body></html>"
    ).encode()


def rss(base: str, items: list[tuple[str, str]]) -> bytes:
    entries = "".join(f"<item><title>{t}</title><link>{base}{path}</link></item>" for t, path in items)
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>City News</title>'
        f"<link>{base}/</link>{entries}</channel></rss>"
    ).encode()


@pytest.fixture
def news_site():
    site = Site({})
    base = site.url("")
    items = [(title, f"/story-{n}") for n, (title, _) in enumerate(STORIES)]
    site.routes.update(
        {
            f"/story-{n}": (200, {"Content-Type": "text/html; charset=utf-8"}, page(*story))
            for n, story in enumerate(STORIES)
        }
    )
    site.routes["/feed.xml"] = (200, {"Content-Type": "application/rss+xml"}, rss(base, items))
    yield site
    site.close()


# -- pure ---------------------------------------------------------------------------------------------


def test_feed_detection_and_links():
    body = rss("http://news.example", [("A", "/a"), ("B", "/b"), ("A again", "/a")])
    assert is_feed(Page("http://x/f", "application/rss+xml", body))
    assert is_feed(Page("http://x/f", "text/xml; charset=utf-8", body))  # typed as plain XML: sniffed
    assert not is_feed(Page("http://x/p", "text/html", b"<html><body>rss</body></html>"))
    assert feed_links(body, "http://news.example/feed") == ["http://news.example/a", "http://news.example/b"]
    atom = (
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>'
        b'<entry><title>E</title><link href="/e1"/><id>1</id></entry></feed>'
    )
    assert feed_links(atom, "http://news.example/atom") == ["http://news.example/e1"]


def test_feed_list_ignores_blanks_comments_and_repeats():
    text = "# my feeds\nhttp://a/feed.xml\n\n  http://b/rss  # nightly\nhttp://a/feed.xml\n"
    assert read_feed_list(text) == ["http://a/feed.xml", "http://b/rss"]


# -- real HTTP on loopback, the real model ---------------------------------------------------------------


def test_sync_adds_the_three_items_once(news_site, tmp_path, capsys):
    feeds = tmp_path / "FEEDS.txt"
    feeds.write_text(f"# city news\n{news_site.url('/feed.xml')}\n")
    index = ["--index-dir", str(tmp_path / "index")]
    assert main(["index", "sync", str(feeds), "--allow-private-urls", *index]) == 0
    out = capsys.readouterr().out
    assert "added 3 article(s) from 1 feed(s)" in out
    assert all(f"  {title}" in out for title, _ in STORIES)
    served = news_site.paths()
    assert sorted(served) == ["/feed.xml", "/story-0", "/story-1", "/story-2"]

    assert main(["index", "sync", str(feeds), "--allow-private-urls", *index]) == 0
    out = capsys.readouterr().out
    assert "added 0 article(s)" in out and "3 already indexed" in out
    assert news_site.paths()[len(served) :] == ["/feed.xml"]  # known items are not fetched again

    assert main(["ask", "Who cut the ribbon of the Harbour Bridge?", *index]) == 0
    assert "Ines Duarte" in capsys.readouterr().out


def test_index_add_reads_a_feed_and_then_has_nothing_new(news_site, tmp_path, capsys):
    index = ["--index-dir", str(tmp_path / "index")]
    url = news_site.url("/feed.xml")
    assert main(["index", "build", str(SEED), *index]) == 0  # `add` extends an index
    capsys.readouterr()
    assert main(["index", "add", url, "--allow-private-urls", *index]) == 0
    out = capsys.readouterr().out
    assert sum(line.startswith("added ") for line in out.splitlines()) == 3
    assert main(["index", "add", url, "--allow-private-urls", *index]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: nothing new in the feed") and err.count("\n") == 1


def test_without_the_flag_a_loopback_feed_is_refused(news_site, tmp_path, capsys):
    feeds = tmp_path / "FEEDS.txt"
    feeds.write_text(news_site.url("/feed.xml") + "\n")
    assert main(["index", "sync", str(feeds), "--index-dir", str(tmp_path / "index")]) == 1
    out = capsys.readouterr().out
    assert "failed  " in out and "not a public address (loopback)" in out and "added 0 article(s)" in out
    assert news_site.paths() == []
