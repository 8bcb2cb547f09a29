"""Reading article files and web pages into cleaned ``Article`` objects.

This is the I/O edge of ingestion: it knows file formats (plain text, Markdown
with front matter, HTML, JSON Lines) and turns each into title, text and
metadata, then hands off to ``rag.readers.clean.make_article`` so every article is
cleaned and identified the same way. Anything unusable fails loudly with a
one-line ``InputError`` naming the file, because a silently skipped article is
a question that can never be answered. The one leniency is opt-in: with
``skip_bad_lines`` the good records of a JSON Lines file are kept and each bad
one is returned in the ``Reading`` with its line number, never dropped silently.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from rag.errors import InputError
from rag.readers.clean import make_article
from rag.readers.htmlsafe import extract
from rag.readers.jsonl import BadLine, names, read_jsonl, scalar
from rag.readers.textfile import read_text
from rag.settings import Settings
from rag.text.sanitize import shown
from rag.types import Article

log = logging.getLogger(__name__)

SUPPORTED_EXTENSIONS = (".txt", ".md", ".html", ".htm", ".jsonl", ".pdf", ".docx")
_SUPPORTED = ", ".join(SUPPORTED_EXTENSIONS)
# A saved news page is mostly markup and inline script: its HTML may be this many times
# the article size limit, and the text extracted from it is then held to the limit.
HTML_MARKUP_FACTOR = 10

_MD_HEADING = re.compile(r"^#{1,6}\s+")
_MD_BLOCK_START = re.compile(r"^(?:#{1,6}\s|[-*+]\s|\d+[.)]\s|>|\||```)")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


@dataclass(frozen=True)
class Reading:
    """What reading produced: the articles, and the bad JSONL lines skipped on request."""

    articles: tuple[Article, ...]
    bad_lines: tuple[BadLine, ...] = ()


def read_path(path: Path, *, max_bytes: int | None = None) -> list[Article]:
    """Read one article file, or every supported file under a directory (sorted); strict."""
    return list(read_path_report(path, max_bytes=max_bytes).articles)


def read_path_report(path: Path, *, max_bytes: int | None = None, skip_bad_lines: bool = False) -> Reading:
    """Like ``read_path``; with ``skip_bad_lines`` bad JSONL records are reported, not fatal.

    ``max_bytes`` (default ``Settings.max_article_bytes``) bounds each article: a bigger
    .txt/.md/.html file or JSONL record text is refused with a message naming the limit.
    """
    path = Path(path)
    limit = Settings.max_article_bytes if max_bytes is None else max_bytes
    bad: list[BadLine] = []
    try:
        if not path.exists():
            raise InputError(f"no such file or directory: {shown(path)}")
        if not path.is_dir():
            return Reading(tuple(_read_file(path, limit, skip_bad_lines, bad)), tuple(bad))
        files = sorted(
            p
            for p in path.rglob("*")
            if p.is_file()
            and p.suffix.lower() in SUPPORTED_EXTENSIONS
            # Hidden files are editor swap files, .DS_Store and the like, not articles.
            and not any(part.startswith(".") for part in p.relative_to(path).parts)
        )
        articles = [article for file in files for article in _read_file(file, limit, skip_bad_lines, bad)]
    except OSError as err:  # unreadable, name too long, permission denied, ...
        raise InputError(f"cannot read {shown(path)}: {err.strerror or type(err).__name__}") from None
    except ValueError:  # e.g. a NUL byte in the path
        raise InputError(f"cannot read {shown(path)}: not a valid path") from None
    if not articles and not bad:
        raise InputError(f"no articles found in {shown(path)} (supported: {_SUPPORTED})")
    log.info("read %d articles from %d files under %s", len(articles), len(files), path)
    return Reading(tuple(articles), tuple(bad))


def _read_file(path: Path, limit: int, skip_bad_lines: bool, bad: list[BadLine]) -> list[Article]:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_EXTENSIONS:
        raise InputError(f"unsupported file type {suffix or '(none)'!r}: {shown(path)} (supported: {_SUPPORTED})")
    # A FIFO or device named x.txt would block or never end; only regular files are read.
    if not path.is_file():
        raise InputError(f"not a regular file: {shown(path)}")
    if suffix in (".pdf", ".docx"):
        from rag.readers.documents import read_document  # pypdf / python-docx load only for such files

        return [read_document(path, limit)]
    if suffix in (".html", ".htm"):
        text = read_text(
            path,
            limit * HTML_MARKUP_FACTOR,
            limit_name=f"the HTML size limit ({HTML_MARKUP_FACTOR} x the article size limit)",
        )
    else:
        text = read_text(path, None if suffix == ".jsonl" else limit)
    if suffix == ".txt":
        return [_from_txt(text, path)]
    if suffix == ".md":
        return [_from_md(text, path)]
    if suffix in (".html", ".htm"):
        return [read_html(text, source=str(path), max_bytes=limit)]
    articles, problems = read_jsonl(text, path, limit, skip_bad_lines=skip_bad_lines)
    bad.extend(problems)
    return articles


def _from_txt(text: str, path: Path) -> Article:
    # Layout: title line, standfirst line, body. The standfirst is the article's
    # own summary, so it stays as the first paragraph of the text.
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise InputError(f"empty file: {shown(path)}")
    return make_article(lines[first], "\n".join(lines[first + 1 :]), source=str(path))


def _from_md(text: str, path: Path) -> Article:
    import frontmatter  # here, not at the top: `rag ask` reads no files and starts faster without it

    try:
        post = frontmatter.loads(text)
        meta = dict(post.metadata)
    except Exception as err:  # the YAML parser raises many types; all mean bad front matter
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise InputError(f"bad front matter in {shown(path)}: {shown(reason)}") from None
    body = post.content
    title = scalar(meta.get("title")) or ""
    if not title:
        match = re.search(r"^#\s+(.+?)\s*#*\s*$", body, flags=re.MULTILINE)
        if match:
            title = match.group(1)
            body = body[: match.start()] + body[match.end() :]
        else:
            title = path.stem
    return make_article(
        title,
        _markdown_to_text(body),
        url=scalar(meta.get("url")),
        published=_date_or_text(meta.get("published") or meta.get("date")),
        authors=names(meta.get("authors") or meta.get("author")),
        source=str(path),
    )


def _markdown_to_text(body: str) -> str:
    """One paragraph per line: Markdown hard-wraps paragraphs, the rest of the project does not."""
    paragraphs: list[str] = []
    joinable = False
    for raw in body.splitlines():
        line = raw.strip()
        if not line:
            joinable = False
            continue
        block_start = bool(_MD_BLOCK_START.match(line))
        line = _MD_LINK.sub(r"\1", _MD_HEADING.sub("", line))
        if joinable and not block_start:
            paragraphs[-1] += " " + line
        else:
            paragraphs.append(line)
        # A heading is a paragraph of its own; lines after it start a new one.
        joinable = not raw.lstrip().startswith("#")
    return "\n".join(paragraphs)


def read_html(html: str, *, url: str | None = None, source: str = "", max_bytes: int | None = None) -> Article:
    """Extract the main text and metadata of an HTML page (scripts, styles and comments excluded)."""
    where = shown(source or url or "HTML input")
    limit = Settings.max_article_bytes if max_bytes is None else max_bytes
    if len(html) > limit * HTML_MARKUP_FACTOR:
        raise InputError(
            f"{where} is over {limit * HTML_MARKUP_FACTOR:,} characters of HTML, the HTML size "
            f"limit ({HTML_MARKUP_FACTOR} x the article size limit, RAG_MAX_ARTICLE_BYTES)"
        )
    # Pre-scanned, then parsed in a worker process with a time limit (rag.readers.htmlsafe): markup can cost
    # minutes of CPU for a few hundred kilobytes.
    meta = extract(html, url, where)
    text = meta.text
    if not text or not text.strip():
        raise InputError(f"no article text found in {where}")
    if len(text.encode("utf-8", "surrogatepass")) > limit:
        raise InputError(f"the text of {where} is over {limit:,} bytes, the article size limit (RAG_MAX_ARTICLE_BYTES)")
    title = meta.title or (Path(source).stem if source else url) or "untitled"
    lines = text.splitlines()
    # trafilatura keeps the page's <h1>; the title is stored separately.
    if lines and " ".join(lines[0].split()) == " ".join(title.split()):
        text = "\n".join(lines[1:])
    # trafilatura joins several authors with "; ".
    authors = [a for a in (meta.author or "").split(";")]
    return make_article(
        title,
        text,
        url=url or meta.url,
        published=meta.date,
        authors=authors,
        source=source or (url or ""),
    )


def _date_or_text(value: object) -> object:
    """YAML front matter gives dates as date objects; keep those, and text as text."""
    return value if isinstance(value, dt.date) else scalar(value)
