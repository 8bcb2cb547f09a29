"""Reading article files and web pages into cleaned ``Article`` objects.

This is the I/O edge of ingestion: it knows file formats (plain text, Markdown
with front matter, HTML, JSON Lines) and turns each into title, text and
metadata, then hands off to ``rag.clean.make_article`` so every article is
cleaned and identified the same way. Anything unusable fails loudly with a
one-line ``InputError`` naming the file, because a silently skipped article is
a question that can never be answered.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import frontmatter
import orjson
import trafilatura

from rag.clean import make_article
from rag.errors import InputError
from rag.types import Article

log = logging.getLogger(__name__)

SUPPORTED_EXTENSIONS = (".txt", ".md", ".html", ".htm", ".jsonl")
_SUPPORTED = ", ".join(SUPPORTED_EXTENSIONS)

_MD_HEADING = re.compile(r"^#{1,6}\s+")
_MD_BLOCK_START = re.compile(r"^(?:#{1,6}\s|[-*+]\s|\d+[.)]\s|>|\||```)")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


def read_path(path: Path) -> list[Article]:
    """Read one article file, or every supported file under a directory (sorted)."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"no such file or directory: {path}")
    if path.is_dir():
        files = sorted(
            p
            for p in path.rglob("*")
            if p.is_file()
            and p.suffix.lower() in SUPPORTED_EXTENSIONS
            # Hidden files are editor swap files, .DS_Store and the like, not articles.
            and not any(part.startswith(".") for part in p.relative_to(path).parts)
        )
        articles = [article for file in files for article in _read_file(file)]
        if not articles:
            raise InputError(f"no articles found in {path} (supported: {_SUPPORTED})")
        log.info("read %d articles from %d files under %s", len(articles), len(files), path)
        return articles
    return _read_file(path)


def _read_file(path: Path) -> list[Article]:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_EXTENSIONS:
        raise InputError(f"unsupported file type {suffix or '(none)'!r}: {path} (supported: {_SUPPORTED})")
    text = _read_text(path)
    if suffix == ".txt":
        return [_from_txt(text, path)]
    if suffix == ".md":
        return [_from_md(text, path)]
    if suffix in (".html", ".htm"):
        return [read_html(text, source=str(path))]
    return _from_jsonl(text, path)


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    if not data.strip():
        raise InputError(f"empty file: {path}")
    # NUL bytes never occur in text files; they mark images, PDFs, archives.
    if b"\x00" in data:
        raise InputError(f"binary file, not text: {path}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(f"not UTF-8 text: {path} (bad byte at offset {err.start})") from None


def _from_txt(text: str, path: Path) -> Article:
    # Layout: title line, standfirst line, body. The standfirst is the article's
    # own summary, so it stays as the first paragraph of the text.
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if line.strip())
    return make_article(lines[first], "\n".join(lines[first + 1 :]), source=str(path))


def _from_md(text: str, path: Path) -> Article:
    try:
        post = frontmatter.loads(text)
    except Exception as err:  # the YAML parser raises many types; all mean bad front matter
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise InputError(f"bad front matter in {path}: {reason}") from None
    meta = post.metadata
    body = post.content
    title = str(meta.get("title") or "").strip()
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
        url=_str_or_none(meta.get("url")),
        published=meta.get("published") or meta.get("date"),
        authors=meta.get("authors") or meta.get("author") or (),
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


def _from_jsonl(text: str, path: Path) -> list[Article]:
    articles: list[Article] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path} line {number}"
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError as err:
            raise InputError(f"bad JSON in {where}: {str(err).splitlines()[0]}") from None
        if not isinstance(record, dict):
            raise InputError(f"bad record in {where}: expected a JSON object")
        body = record.get("text")
        if not isinstance(body, str) or not body.strip():
            raise InputError(f"missing or empty 'text' in {where}")
        doc_id = _first(record, "id", "doc_id")
        title = str(record.get("title") or "").strip() or str(doc_id or f"{path.stem} #{number}")
        try:
            article = make_article(
                title,
                body,
                url=_str_or_none(record.get("url")),
                published=_first(record, "published", "publish_date", "date"),
                authors=_first(record, "authors", "author") or (),
                source=str(path),
                id=None if doc_id is None else str(doc_id),
            )
        except InputError:
            raise InputError(f"text in {where} is empty after cleaning") from None
        articles.append(article)
    return articles


def read_html(html: str, *, url: str | None = None, source: str = "") -> Article:
    """Extract the main text and metadata of an HTML page (comments excluded)."""
    where = source or url or "HTML input"
    text = trafilatura.extract(html, url=url, include_comments=False)
    if not text or not text.strip():
        raise InputError(f"no article text found in {where}")
    meta = trafilatura.extract_metadata(html, default_url=url)
    title = (meta.title if meta else None) or (Path(source).stem if source else url) or "untitled"
    lines = text.splitlines()
    # trafilatura keeps the page's <h1>; the title is stored separately.
    if lines and " ".join(lines[0].split()) == " ".join(title.split()):
        text = "\n".join(lines[1:])
    # trafilatura joins several authors with "; ".
    authors = [a for a in (meta.author or "").split(";")] if meta else []
    return make_article(
        title,
        text,
        url=url or (meta.url if meta else None),
        published=meta.date if meta else None,
        authors=authors,
        source=source or (url or ""),
    )


def fetch_url(url: str) -> Article:
    """Download a page and read it as an article."""
    if not re.match(r"^https?://", url.strip(), flags=re.IGNORECASE):
        raise InputError(f"not an http(s) URL: {url}")
    downloaded = trafilatura.fetch_url(url.strip())
    if not downloaded:
        raise InputError(f"could not fetch {url}")
    return read_html(downloaded, url=url.strip(), source=url.strip())


def _first(record: dict, *keys: str) -> object:
    """The first present, non-empty value among alternative field names."""
    for key in keys:
        value = record.get(key)
        if value not in (None, "", [], ()):
            return value
    return None


def _str_or_none(value: object) -> str | None:
    if value is None:
        return None
    return str(value).strip() or None
