"""Cleaning of article text, and the one constructor every ``Article`` goes through.

Scraped news text carries site furniture (subscribe buttons, comment prompts,
"More from ..." teaser lists) and scraping glitches (a lead paragraph repeated).
Both pollute retrieval and citations, so they are removed here by general rules,
never by matching one site's strings. The rules are conservative: a line that
reads like prose is kept, because losing real article text is worse than keeping
a stray button label. Everything here is pure (no disk, network or model), so
the same input always yields the same text, hash and id.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Iterable

from rag.errors import InputError
from rag.text.sanitize import shown, strip_controls
from rag.types import Article

# Boilerplate is found in the last part of a page; a marker earlier than this
# share of the text is more likely a real sentence than a section heading.
TAIL_START = 0.6
# A furniture line (heading, button, teaser) is short; prose paragraphs are not.
SHORT_LINE_WORDS = 8
# A tail holding a paragraph this long is real text (e.g. an epilogue), so no cut.
PROSE_WORDS = 40
# Longer titles are cut: real headlines are under 200 characters.
MAX_TITLE_CHARS = 300

# Headings that open a block of site furniture at the end of a page.
_SECTION_MARKER = re.compile(
    r"^(?:more (?:from|on|in|stories|articles|news)\b.*"
    r"|related(?: articles| stories| content| coverage| posts| news| reading| topics)?"
    r"|read more|read next|recommended(?: for you| reading| stories| articles)?"
    r"|most (?:popular|read|viewed|shared)|trending(?: now| stories)?|popular now"
    r"|you (?:may|might) also like|don'?t miss|also read|editors'? picks"
    r"|join the conversation|sign up\b.*|subscribe\b.*|newsletters?\b.*"
    r"|comments?|\d+ comments?|view comments|show comments|leave a comment"
    r"|share this(?: article| story| post| page)?|advertisement|sponsored(?: content)?"
    r"|topics|tags)$"
)

# Whole short lines that are buttons, prompts or labels wherever they appear.
_FURNITURE_LINE = re.compile(
    r"^(?:subscribe(?: now| today| here)?|subscribe to .*|sign (?:in|up|out)\b.*"
    r"|log ?(?:in|out)|register|already a subscriber|not your account|create (?:an )?account"
    r"|(?:view|show|hide|load|see) (?:all )?comments|comments?|\d+ comments?|leave a comment"
    r"|join the conversation|share(?: this)?(?: article| story| post| page)?(?: on \w+)?"
    r"|share on \w+|tweet|email|print|copy link|save(?: article)?|bookmark"
    r"|advertisement|sponsored(?: content)?|ad|click here\b.*|follow us\b.*"
    r"|read more|continue reading|read next|back to top|skip to (?:main )?content"
    r"|accept (?:all )?cookies|manage cookies|cookie (?:settings|policy)|listen to (?:this )?article"
    r"|newsletters?|sign up for (?:our|the) newsletter.*)$"
)

# "Subscribe Subscribe": a label rendered twice by a broken button.
_REPEATED_WORD = re.compile(r"^\W*(\w+)(?:\s+\1)+\W*$", re.IGNORECASE)
# ".Subscribe": one word glued to leading punctuation is an icon/button remnant.
_PUNCT_LABEL = re.compile(r"^[^\w\s\"'“‘(\[]+\w+$")
# "Jane Doe is a reporter at X." is an author bio: content, never furniture.
_BIO = re.compile(
    r"^[A-Z][\w.'’-]*(?: [\w.'’-]+){0,4} (?:is|was|has been) (?:an? |the )?.{0,120}?"
    r"\b(?:reporter|correspondent|writer|editor|columnist|journalist|contributor|analyst|"
    r"author|producer|fellow|professor|chief)\b"
)


def _key(line: str) -> str:
    """Lower-case a line and trim the punctuation around it, for lexicon matching."""
    return re.sub(r"\s+", " ", line.strip(" \t.,:;!?·•»›|>-–—*_#\"'“”‘’()[]")).lower()


def _words(line: str) -> int:
    return len(line.split())


def _is_bio(line: str) -> bool:
    return bool(_BIO.match(line))


def _is_inline_furniture(line: str) -> bool:
    """True for a short button/prompt line that is boilerplate wherever it sits."""
    if _words(line) >= SHORT_LINE_WORDS or _is_bio(line):
        return False
    stripped = line.strip()
    if _REPEATED_WORD.match(stripped) or _PUNCT_LABEL.match(stripped):
        return True
    return bool(_FURNITURE_LINE.match(_key(stripped)))


def _cut_tail(lines: list[str]) -> list[str]:
    """Drop a trailing furniture block that starts at a section marker.

    Why: "More from X" teaser lists and comment prompts sit at the end of a page.
    A candidate cut is taken only if everything after it is short lines and no
    author bio, so an article that merely mentions "Comments" keeps its text.
    """
    total = sum(len(line) + 1 for line in lines)
    offset = 0
    for i, line in enumerate(lines):
        at = offset
        offset += len(line) + 1
        if at < TAIL_START * total or _words(line) >= SHORT_LINE_WORDS:
            continue
        if not _SECTION_MARKER.match(_key(line)):
            continue
        rest = lines[i + 1 :]
        if all(_words(r) <= PROSE_WORDS and not _is_bio(r) for r in rest):
            return lines[:i]
    return lines


def clean_text(text: str) -> str:
    """Return article text as one paragraph per line with boilerplate and repeats removed."""
    # Same characters must give the same hash, whatever the source's encoding habits.
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = strip_controls(text)
    # Blank lines carry no meaning once each paragraph is one line; dropping them
    # also collapses any run of 3+ blank lines.
    lines = [" ".join(line.split()) for line in text.split("\n") if line.strip()]
    # Each rule can expose another (a cut tail moves the 60% mark), so apply them
    # until nothing changes: cleaning already-clean text must not change its hash.
    while True:
        before = len(lines)
        lines = _cut_tail(_drop_inline_furniture(_drop_repeats(lines)))
        if len(lines) == before:
            return "\n".join(lines)


def _drop_repeats(lines: list[str]) -> list[str]:
    """Keep the first of exactly repeated paragraphs: scrapers often duplicate the lead."""
    seen: set[str] = set()
    kept: list[str] = []
    for line in lines:
        if line not in seen:
            seen.add(line)
            kept.append(line)
    return kept


def _drop_inline_furniture(lines: list[str]) -> list[str]:
    """Drop buttons and prompts wherever they sit (ad slots, share bars mid-article)."""
    return [line for line in lines if not _is_inline_furniture(line)]


def _norm_title(title: str) -> str:
    # A title rides along with every chunk of its article into the embedder, so a
    # crafted megabyte "title" is cut rather than copied into thousands of chunks.
    return " ".join(strip_controls(unicodedata.normalize("NFC", title[: MAX_TITLE_CHARS * 4])).split())[
        :MAX_TITLE_CHARS
    ].rstrip()


def content_hash(title: str, text: str) -> str:
    """sha256 of normalised title and text: the identity of an article's content."""
    data = _norm_title(title) + "\n" + text
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def article_id(content_hash: str) -> str:
    """A short, stable id: 16 hex chars (64 bits) make a collision negligible for a news corpus."""
    return content_hash[:16]


_DATE_PREFIX = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:$|[T ])")
_DATE_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y")


def normalise_date(value: object) -> str | None:
    """ISO ``YYYY-MM-DD`` for a recognisable date, else None: a date is never guessed."""
    if isinstance(value, dt.date):  # YAML front matter yields date/datetime objects
        return value.strftime("%Y-%m-%d")
    value = value.strip() if isinstance(value, str) else ""
    match = _DATE_PREFIX.match(value)
    for fmt in _DATE_FORMATS if value and not match else ():
        try:
            return dt.datetime.strptime(value, fmt).date().isoformat()
        except ValueError:
            continue
    try:
        return dt.date(*(int(g) for g in match.groups())).isoformat() if match else None
    except ValueError:  # e.g. 2021-02-30
        return None


def _authors(authors: str | Iterable[str] | None) -> tuple[str, ...]:
    # A bare string is one author, not a sequence of characters.
    items = [authors] if isinstance(authors, str) else list(authors or ())
    return tuple(a for a in (" ".join(str(x).split()) for x in items) if a)


def make_article(
    title: str,
    text: str,
    *,
    url: str | None = None,
    published: object = None,
    authors: str | Iterable[str] | None = (),
    source: str = "",
    id: str | None = None,  # noqa: A002 - mirrors the Article field name
) -> Article:
    """Clean ``text`` and build the ``Article``; raise ``InputError`` if nothing is left."""
    title = _norm_title(title or "")
    cleaned = clean_text(text or "")
    if not cleaned:
        where = shown(source) or title or "article"
        raise InputError(f"article from {where} is empty after cleaning")
    digest = content_hash(title, cleaned)
    explicit = str(id).strip() if id is not None else ""
    return Article(
        id=explicit or article_id(digest),
        title=title,
        text=cleaned,
        content_hash=digest,
        url=(url or "").strip() or None,
        published=normalise_date(published),
        authors=_authors(authors),
        source=source,
    )
