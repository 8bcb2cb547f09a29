"""Reading PDF and Word (.docx) files into ``Article``s that remember their pages and paragraphs.

PDF text comes from ``pypdf`` (BSD), DOCX text from ``python-docx`` (MIT); both
are pure Python and small, so they are base dependencies, imported only when
such a file is read (a one-line ``InputError`` says what to install if one is
missing). The article text is the pages (or paragraphs) in order, cleaned like
any article; ``Article.locations`` records where each page or paragraph starts
in that text, so a citation's offset names its page ("p. 3", see ``rag.text.pages``).
A PDF without a text layer (a scan) is refused with one line, never indexed empty.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from pathlib import Path

from rag.errors import InputError
from rag.readers.clean import clean_text, make_article
from rag.text.sanitize import shown
from rag.types import Article

log = logging.getLogger(__name__)

DOCUMENT_EXTENSIONS = (".pdf", ".docx")
# A PDF or DOCX file carries fonts, images and layout: it may be this many times the
# article size limit; the text taken from it is then held to the limit itself.
DOCUMENT_FACTOR = 10
_SENTENCE_END = re.compile(r"[.!?:;\"”’)\]]$")


def read_document(path: Path, limit: int) -> Article:
    """The article in a .pdf or .docx file; ``InputError`` for anything unusable."""
    size = path.stat().st_size
    if size > limit * DOCUMENT_FACTOR:
        raise InputError(
            f"{shown(path)} is {size:,} bytes; the document size limit is {limit * DOCUMENT_FACTOR:,} "
            f"bytes ({DOCUMENT_FACTOR} x the article size limit, RAG_MAX_ARTICLE_BYTES)"
        )
    if path.suffix.lower() == ".pdf":
        title, parts = _pdf_pages(path)
        unit = "page"
    else:
        title, parts = _docx_paragraphs(path)
        unit = "paragraph"
    return document_article(title or path.stem, parts, unit, source=str(path), limit=limit)


def document_article(title: str, parts: list[str], unit: str, *, source: str, limit: int) -> Article:
    """Clean the parts as one article and record where each part starts in its text (pure)."""
    cleaned = [clean_text(p) for p in parts]
    article = make_article(title, "\n".join(c for c in cleaned if c), source=source)
    if len(article.text.encode("utf-8", "surrogatepass")) > limit:
        raise InputError(
            f"the text of {shown(source)} is over {limit:,} bytes, the article size limit (RAG_MAX_ARTICLE_BYTES)"
        )
    return replace(article, locations=part_starts(article.text, cleaned), location_unit=unit)


def part_starts(text: str, parts: list[str]) -> tuple[int, ...]:
    """Where each cleaned part begins in ``text`` (cleaning may have dropped repeated lines).

    A part is located by its first line found whole in ``text`` after the previous part's
    start; a part with nothing left (an empty page) starts where the next one does.
    """
    starts: list[int | None] = []
    cursor = 0
    for part in parts:
        found = None
        for line in part.split("\n") if part else ():
            at = text.find(line, cursor)
            while at > 0 and text[at - 1] != "\n":  # only a whole line counts
                at = text.find(line, at + 1)
            if at >= 0:
                found = at
                break
        starts.append(found)
        if found is not None:
            cursor = found + 1
    filled: list[int] = []  # a part not found starts where the next one does
    following = len(text)
    for start in reversed(starts):
        following = following if start is None else start
        filled.append(following)
    return tuple(reversed(filled))


def _pdf_pages(path: Path) -> tuple[str, list[str]]:
    try:
        from pypdf import PdfReader
    except ImportError:
        raise InputError(f"reading {shown(path)} needs pypdf: pip install pypdf") from None
    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise InputError(f"{shown(path)} is a password-protected PDF; save an unprotected copy first")
        pages = [page.extract_text() or "" for page in reader.pages]
        title = (reader.metadata.title if reader.metadata else None) or ""
    except InputError:
        raise
    except Exception as err:  # pypdf raises many types on damaged files
        log.debug("pypdf failed on %s", path, exc_info=True)
        raise InputError(f"cannot read the PDF {shown(path)}: {type(err).__name__}") from None
    if not any(p.strip() for p in pages):
        raise InputError(
            f"{shown(path)} has no text layer ({len(pages)} page(s) of images, e.g. a scan); "
            "run OCR on it (e.g. ocrmypdf) and add the result"
        )
    pages = [_unwrap(p) for p in pages]
    return title.strip() or _first_line(pages), pages


def _unwrap(page: str) -> str:
    """PDF lines are layout lines: join the ones that end mid-sentence, mend hyphenated words."""
    page = re.sub(r"(\w)-\n(?=[a-z])", r"\1", page)
    out: list[str] = []
    for line in (line.strip() for line in page.split("\n")):
        if not line:
            continue
        if out and not _SENTENCE_END.search(out[-1]) and not line[:1].isdigit():
            out[-1] += " " + line
        else:
            out.append(line)
    return "\n".join(out)


def _first_line(pages: list[str]) -> str:
    text = next(p for p in pages if p.strip())
    return text.strip().split("\n", 1)[0][:200]


def _docx_paragraphs(path: Path) -> tuple[str, list[str]]:
    try:
        import docx
    except ImportError:
        raise InputError(f"reading {shown(path)} needs python-docx: pip install python-docx") from None
    try:
        document = docx.Document(str(path))
        paragraphs = [p.text for p in document.paragraphs]
        title = document.core_properties.title or ""
    except Exception as err:  # not a zip, not a Word document, damaged XML
        log.debug("python-docx failed on %s", path, exc_info=True)
        raise InputError(f"cannot read the Word document {shown(path)}: {type(err).__name__}") from None
    paragraphs = [p for p in paragraphs if p.strip()]
    if not paragraphs:
        raise InputError(f"no text in the Word document {shown(path)}")
    # Without a title property the first paragraph is the title; it stays in the text too, so
    # paragraph numbers count every non-empty paragraph, as a reader of the document would.
    return title.strip() or paragraphs[0].strip()[:200], paragraphs
