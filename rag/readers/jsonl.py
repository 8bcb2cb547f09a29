"""JSON Lines feeds: one article per line, and every bad line reported with its number.

A feed is often thousands of records from a scraper, so one broken record is
likely. By default a bad line refuses the whole file (the error names the
first bad line and how many there are), because half a feed indexed without
notice is worse than none. On request (``skip_bad_lines``) the good records
are kept and each bad one comes back as a ``BadLine``, never dropped silently.
Field values are untrusted: only strings, numbers and dates are used as
metadata, and an explicit id may be used by one content only. A numeric id is
kept as written (``12345678901234567890123``, not the float orjson parses it
to, which two different ids can share), and an id may not hold control, bidi or
zero-width characters, backticks or angle brackets: ids are shown in messages
and in the app, where such characters would reorder or break out of the text.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import orjson

from rag.errors import InputError
from rag.readers.clean import make_article
from rag.text.sanitize import shown
from rag.types import Article

log = logging.getLogger(__name__)

MAX_ID_CHARS = 128  # an explicit id is typed in `rag index remove ID`; keep it short
_BAD_ID = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029`<>\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


@dataclass(frozen=True)
class BadLine:
    """A JSON Lines record that was left out: the file, its line number and why."""

    path: str
    line: int
    reason: str  # one line naming file and line, e.g. "bad JSON in feed.jsonl line 3: ..."

    def __str__(self) -> str:
        return self.reason


def read_jsonl(
    text: str, path: Path, limit: int, *, skip_bad_lines: bool = False
) -> tuple[list[Article], list[BadLine]]:
    """The articles of a feed and its bad lines; without ``skip_bad_lines`` any bad line raises."""
    articles: list[Article] = []
    problems: list[BadLine] = []
    first_line: dict[str, tuple[int, str]] = {}  # id -> (line, content hash)
    # Split on "\n" only: JSON strings may hold U+2028 or NEL, which splitlines() breaks on.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{shown(path)} line {number}"
        try:
            article = _from_record(line, where, f"{path.stem} #{number}", str(path), limit)
            seen = first_line.setdefault(article.id, (number, article.content_hash))
            if seen[1] != article.content_hash:
                raise InputError(f"id {article.id!r} in {where} is already used by line {seen[0]} for other content")
        except InputError as err:
            problems.append(BadLine(str(path), number, str(err)))
            continue
        articles.append(article)
    if problems and not skip_bad_lines:
        more = f" (first of {len(problems)} bad lines)" if len(problems) > 1 else ""
        raise InputError(f"{problems[0].reason}{more}")
    for problem in problems:
        log.warning("skipped %s", problem.reason)
    return articles, problems


def _from_record(line: str, where: str, fallback_title: str, source: str, limit: int) -> Article:
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError as err:
        raise InputError(f"bad JSON in {where}: {str(err).splitlines()[0]}") from None
    if not isinstance(record, dict):
        raise InputError(f"bad record in {where}: expected a JSON object")
    body = record.get("text")
    if not isinstance(body, str) or not body.strip():
        raise InputError(f"missing or empty 'text' in {where}")
    # Characters never outnumber UTF-8 bytes, so a long text is refused without encoding it.
    if len(body) > limit or len(body.encode("utf-8", "surrogatepass")) > limit:
        raise InputError(f"text in {where} is over {limit:,} bytes, the article size limit (RAG_MAX_ARTICLE_BYTES)")
    doc_id = first(record, "id", "doc_id")
    if isinstance(doc_id, (int, float)) and not isinstance(doc_id, bool):
        doc_id = _number_as_written(line, doc_id)
    if doc_id is not None and (
        isinstance(doc_id, bool)
        or not isinstance(doc_id, (str, int, float))
        or len(str(doc_id).strip()) > MAX_ID_CHARS
        or _BAD_ID.search(str(doc_id))
    ):
        raise InputError(
            f"bad 'id' in {where}: expected a string or number of at most {MAX_ID_CHARS} characters, "
            "without control, bidi or zero-width characters, backticks or angle brackets"
        )
    try:
        return make_article(
            scalar(record.get("title")) or str(doc_id or fallback_title),
            body,
            url=scalar(record.get("url")),
            published=scalar(first(record, "published", "publish_date", "date")),
            authors=names(first(record, "authors", "author")),
            source=source,
            id=None if doc_id is None else str(doc_id),
        )
    except InputError:
        raise InputError(f"text in {where} is empty after cleaning") from None


def _number_as_written(line: str, parsed: int | float) -> str:
    """A numeric id as its JSON text: orjson turns integers past 64 bits into floats, losing digits."""
    if isinstance(parsed, int):
        return str(parsed)
    record = json.loads(line, parse_int=str, parse_float=str)  # only lines with a non-int numeric id pay
    return str(first(record, "id", "doc_id"))


def first(record: dict, *keys: str) -> object:
    """The first present, non-empty value among alternative field names."""
    for key in keys:
        value = record.get(key)
        if value not in (None, "", [], ()):
            return value
    return None


def scalar(value: object) -> str | None:
    """A string, number or date as stripped text; anything else (lists, maps) as None.

    Why: a list is no title, and str() of a crafted YAML alias tree is exponentially long.
    """
    if isinstance(value, bool) or not isinstance(value, (str, int, float, dt.date)):
        return None
    return str(value).strip() or None


def names(value: object) -> tuple[str, ...]:
    """Authors from a string or a list of strings; other shapes carry no usable names."""
    items = value if isinstance(value, list) else [value]
    return tuple(name for name in map(scalar, items) if name)
