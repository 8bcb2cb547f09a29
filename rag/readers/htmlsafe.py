"""Parsing untrusted HTML within bounds: a cheap pre-scan, then trafilatura in a worker process with a time limit.

lxml and trafilatura take time that grows with the markup, not the text: one
tag with 20,000 attributes (a 200 KB file) takes seconds because the attributes
are compared pairwise, 300,000 empty ``<b>`` tags take 20 s, and the HTML size
limit (10 MB) allowed minutes per file. A news page has a few thousand tags of
a few attributes each, so ``prescan`` refuses, in one pass of a regular
expression and with a one-line message, markup far beyond that: more than
``MAX_TAGS`` tags, ``MAX_ATTRIBUTES`` attributes in all or
``MAX_TAG_ATTRIBUTES`` on one tag, or a line over ``MAX_LINE_CHARS``.

What passes is parsed in a separate process (``forkserver``: a clean child
even when the caller runs threads, as the app does), at a lower CPU priority,
and killed after ``PARSE_SECONDS``: a page the pre-scan did not foresee costs at
most that, the app's own process keeps serving meanwhile, and a crash in the
parser's C code takes down only the child. Starting the child costs about
30 ms per page.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import re
from dataclasses import dataclass

from rag.errors import InputError

log = logging.getLogger(__name__)

MAX_TAGS = 30_000
MAX_ATTRIBUTES = 100_000
MAX_TAG_ATTRIBUTES = 200
MAX_LINE_CHARS = 1_000_000
PARSE_SECONDS = 15.0
WORKER_NICENESS = 5

# A start tag up to its end or the next "<" ([^<>] keeps the scan linear on "<a<a<a...").
_TAG = re.compile(r"<[A-Za-z][^<>]*")
_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")
_ATTRIBUTE = re.compile(r"\s[^\s=/\"'>]+")


@dataclass(frozen=True)
class Extracted:
    """What trafilatura found in a page: the main text (None if none) and its metadata."""

    text: str | None
    title: str | None = None
    author: str | None = None
    url: str | None = None
    date: str | None = None


def prescan(html: str, where: str) -> None:
    """Refuse (``InputError``, one line) markup far beyond any news page's; cheap, linear, pure."""
    longest = max((len(line) for line in html.split("\n")), default=0)
    if longest > MAX_LINE_CHARS:
        raise InputError(
            f"refused {where}: a line of {longest:,} characters (limit {MAX_LINE_CHARS:,}); this is not a news page"
        )
    tags = attributes = 0
    for match in _TAG.finditer(html):
        tags += 1
        if tags > MAX_TAGS:
            raise InputError(f"refused {where}: over {MAX_TAGS:,} HTML tags; this is not a news page")
        tag = match.group()
        if len(tag) < 12:  # "<a b=c d=e>": too short for more than a couple of attributes
            attributes += tag.count("=")
            continue
        count = len(_ATTRIBUTE.findall(_QUOTED.sub('""', tag)))
        if count > MAX_TAG_ATTRIBUTES:
            raise InputError(
                f"refused {where}: a tag with {count:,} attributes (limit {MAX_TAG_ATTRIBUTES}); "
                "this is not a news page"
            )
        attributes += count
    if attributes > MAX_ATTRIBUTES:
        raise InputError(f"refused {where}: over {MAX_ATTRIBUTES:,} HTML attributes; this is not a news page")


def extract_here(html: str, url: str | None) -> Extracted:
    """trafilatura in this process (the worker's body; tests of the extraction itself may call it)."""
    import trafilatura

    text = trafilatura.extract(html, url=url, include_comments=False)
    meta = trafilatura.extract_metadata(html, default_url=url) if text and text.strip() else None
    if meta is None:
        return Extracted(text)
    return Extracted(text, meta.title, meta.author, meta.url, meta.date)


def _work(connection, html: str, url: str | None) -> None:
    try:
        os.nice(WORKER_NICENESS)  # the app's requests come first
    except OSError:
        pass
    try:
        connection.send(("ok", extract_here(html, url)))
    except Exception as error:  # lxml and trafilatura raise many types on malformed markup
        connection.send(("error", type(error).__name__))
    finally:
        connection.close()


_CONTEXT = None


def _context():
    global _CONTEXT
    if _CONTEXT is None:
        _CONTEXT = multiprocessing.get_context("forkserver")
        _CONTEXT.set_forkserver_preload(["rag.readers.htmlsafe", "trafilatura"])
    return _CONTEXT


def extract(html: str, url: str | None, where: str, seconds: float = PARSE_SECONDS) -> Extracted:
    """Pre-scan ``html``, then extract it in a worker killed after ``seconds``; ``InputError`` on refusal."""
    prescan(html, where)
    context = _context()
    receiver, sender = context.Pipe(duplex=False)
    worker = context.Process(target=_work, args=(sender, html, url), daemon=True)
    worker.start()
    sender.close()
    try:
        if not receiver.poll(seconds):
            raise InputError(f"refused {where}: parsing its HTML took over {seconds:g} s")
        status, value = receiver.recv()
    except (EOFError, OSError):
        raise InputError(f"cannot parse the HTML of {where}: the parser stopped") from None
    finally:
        receiver.close()
        if worker.is_alive():
            worker.kill()
        worker.join(5)
    if status == "error":
        raise InputError(f"cannot parse the HTML of {where}: {value}")
    return value
