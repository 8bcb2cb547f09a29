"""Pure text analysis for answering: content-word stems and entity-like spans.

No NER model ships offline, so entities are found by rules that hold well in
edited news prose: runs of capitalised words (with particles such as "de" and
initials) are names, digits and number words are quantities, month and weekday
names are dates. These rules only need to tell a sentence that *can* answer a
"who" question from one that cannot; they are not a general tagger.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import Stemmer

from rag.answer.lexicon import CALENDAR, MONTHS, NUMBER_WORDS, PLACE_CUES, ROLES, STOPWORDS, WEEKDAYS

_STEM = Stemmer.Stemmer("english")
# Letters of any script and digits, with ' ’ - . inside: "Cramér" and "Trần" stay whole (not "Cram", "Tr").
WORD = re.compile(r"[^\W_][\w'’\-.]*[^\W_]|[^\W_]")

# A name token: a dotted acronym ("U.S."), an initial ("J."), or a capitalised word. A run may open with a
# place's short title ("St. Peter's Square", "Mt. Everest"): without it "St" was a name of its own, and
# "Augustine" after "St." a lone sentence-initial word. Only opening a run: "Main St. He left" is two sentences.
_TOKEN = r"(?:[A-Z]\.(?:[A-Z]\.)+|[A-Z]\.(?=\s+[A-Z])|[A-Z][\w’'\-]*)"
_CAP_RUN = re.compile(rf"(?:(?:St|Mt|Ft)\.\s+)?{_TOKEN}(?:\s+(?:(?:de|da|van|von|der|al|bin|del|la|le)\s+)?{_TOKEN})*")
# A range ("100–150") and a clock time ("3:08") are one number: their parts alone answer nothing.
_NUMBER = re.compile(r"(?<!\w)[$£€]?\d[\d,.]*(?::\d\d|[–-]\d[\d,.]*)?(?:\s?(?:%|percent|(?:m|b|tr)illion|thousand))?")
_YEAR = re.compile(r"\b(?:1[5-9]|20)\d\d\b")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


def fold(word: str) -> str:
    """The word without its diacritics ("Cramér" -> "Cramer"): writers and wires differ on accents."""
    if word.isascii():
        return word
    return "".join(ch for ch in unicodedata.normalize("NFKD", word) if not unicodedata.combining(ch))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return _STEM.stemWord(fold(word.lower().strip(".'’-")))


def words(text: str) -> list[str]:
    return WORD.findall(text)


@lru_cache(maxsize=16384)
def content_stems(text: str) -> tuple[str, ...]:
    """Stems of the words that carry meaning: 'Who warned Russia?' -> ('warn', 'russia').

    Cached: one question's ranking, selector, scorer and support check read the same sentences."""
    return tuple([stem(w) for w in WORD.findall(text) if len(w) > 1 and w.lower() not in STOPWORDS or w.isdigit()])


@lru_cache(maxsize=16384)
def name_spans(text: str) -> tuple[Span, ...]:
    """Runs of capitalised words (and dotted acronyms/initials), minus a lone sentence-initial word.

    Cached: the keys, the selector and the type checks each read one candidate's names (~3 scans a sentence)."""
    spans = []
    for m in _CAP_RUN.finditer(text):
        tokens = m.group(0).split()
        sentence_initial = _opens_sentence(text, m.start())
        if sentence_initial and tokens[0].lower() in STOPWORDS:
            tokens = tokens[1:]
        if not tokens or (len(tokens) == 1 and sentence_initial):
            continue
        start = m.end() - len(" ".join(tokens)) if text[m.start() : m.end()].endswith(" ".join(tokens)) else m.start()
        spans.append(Span(start, m.end(), text[start : m.end()]))
    return tuple(spans)


def _opens_sentence(text: str, at: int) -> bool:
    """Is ``at`` the start of the text or of a sentence (after ``.!?`` or an opening quote, then spaces)?

    Looks back from ``at`` only: matching a pattern anchored at the end of ``text[:at]`` rescans the
    whole prefix for every capitalised run, which made long passages quadratic."""
    i = at - 1
    while i >= 0 and text[i].isspace():
        i -= 1
    return at == 0 or (i >= 0 and text[i] in '.!?“"')


def _is_demonym(token: str) -> bool:
    return bool(re.fullmatch(r"[A-Z][a-z]+(?:ian|ean|ese|ish)s?", token)) and token not in _NAMEY


_NAMEY = frozenset({"Ali", "Eric", "Patrick", "Ulrich", "Heinrich", "Dominic", "Yannick", "Naomi"})


def person_spans(text: str) -> list[Span]:
    """Name-shaped spans: two or more name words, or one word right after a role ('director Burns')."""
    out = []
    for span in name_spans(text):
        tokens = span.text.split()
        # Drop leading titles, acronyms and demonyms: 'U.S. Defense Secretary Lloyd Austin' -> 'Lloyd Austin'.
        roles = [i for i, t in enumerate(tokens) if t.lower() in ROLES]
        tokens = tokens[roles[-1] + 1 :] if roles else tokens
        while tokens and (
            tokens[0].lower() in ROLES
            or tokens[0].rstrip(".").replace(".", "").isupper()
            or _is_demonym(tokens[0])
            or tokens[0].lower() in _ORG_WORDS
        ):
            tokens = tokens[1:]
        before = [w.lower() for w in text[: span.start].split()[-3:]]
        # The run may open with an office's domain: "Secretary of State Marco Rubio". Two words could
        # be the domain alone ("Vice President of Football Operations"): they stay.
        if _after_office(before) and not roles and len(tokens) >= 3:
            tokens = tokens[1:]
        if not tokens or any(t.lower() in _ORG_WORDS for t in tokens) or (not roles and _ends_org(text, span)):
            continue
        if len(tokens) >= 2 or before[-1:] and before[-1] in ROLES:
            start = span.end - len(" ".join(tokens))
            out.append(Span(start, span.end, text[start : span.end]))
    return out


def _ends_org(text: str, span: Span) -> bool:
    """ "Center for a New American Security", "Council on Foreign Relations": the end of an organisation's name."""
    before = [w for w in text[: span.start].split()[-3:] if w not in ("a", "an", "the")]
    return (
        len(before) >= 2 and before[-1] in ("for", "on") and before[-2].istitle() and before[-2].lower() in _ORG_WORDS
    )


def _after_office(before: list[str]) -> bool:
    """Do the (lower-case) words before a name end "<role> of" or "<role> of the" ("Chancellor of the Exchequer")?"""
    tail = before[:-1] if before[-1:] == ["the"] else before
    return len(tail) >= 2 and tail[-1] == "of" and tail[-2] in ROLES


_ORG_WORDS = frozenset(
    """council department ministry house office committee agency party union company bank court
    university center centre institute program programme association sea ocean river republic
    government parliament congress senate army navy force forces news times post journal""".split()
)


def place_spans(text: str) -> list[Span]:
    """Capitalised spans right after a locative word: 'to Moscow', 'in Geneva'."""
    return [
        s
        for s in name_spans(text)
        if (text[: s.start].split()[-1:] or [""])[0].lower() in PLACE_CUES
        and s.text.split()[0].lower().rstrip(".") not in CALENDAR
    ]


_MONTH_NAMES = "|".join(m.capitalize() for m in MONTHS) + r"|Sept?\."
_DATE = re.compile(
    rf"\b(?:(?:{'|'.join(w.capitalize() for w in WEEKDAYS)}),?\s+)?"
    rf"(?:\d{{1,2}}\s+(?:{_MONTH_NAMES})(?:\s+\d{{4}})?"  # 4 July 1776
    rf"|(?:{_MONTH_NAMES})\.?(?:\s+\d{{1,2}}(?:st|nd|rd|th)?)?(?:,?\s+\d{{4}})?"  # July 4, 1776 / July 1776
    rf"|(?:early|mid|late)?-?(?:1[5-9]|20)\d\ds?"  # 1776, the 1990s
    rf"|(?:{'|'.join(w.capitalize() for w in WEEKDAYS)})"
    # Eras and spans of time: "9000 BP", "~74,000 (BP", "AD 800", "22,000 years ago", "the 15th century".
    r"|\d[\d,]*\s*\(?(?:BP|BCE?|AD|CE)|(?:AD|BC)\s+\d{1,4}|\d[\d,]*\s+years\s+ago"
    r"|\d{1,2}(?:st|nd|rd|th)[-\s]centur(?:y|ies))\b"
)


@lru_cache(maxsize=16384)
def date_spans(text: str) -> tuple[Span, ...]:
    """Dates: 'July 4, 1776', '4 July', 'June 2021', '1991', 'the 1990s', 'Thursday'.

    Cached, as ``number_spans``: the type checks, amounts and selector each scan one sentence for them."""
    return tuple(Span(m.start(), m.end(), m.group(0)) for m in _DATE.finditer(text) if m.group(0).strip())


def event_dates(text: str, question: str) -> list[Span]:
    """The dates that can answer "when": not the day a thing was said ("Peskov confirmed to reporters
    on Wednesday" says nothing of when the meeting is), unless the question asks when it was said."""
    return [d for d in date_spans(text) if not dates_a_saying(text, d, question)]


_SAID = re.compile(
    r"\b(?:said|says|told|tells|confirmed|announced|added|stated|wrote|reported|tweeted|posted)\b"
    r"(?:\s+[\w’'.-]+){0,4}?,?\s+(?:on\s+|last\s+)?$"
)
_ASKS_SAYING = re.compile(
    r"\b(?:say|says|said|tell|tells|told|confirm\w*|announc\w*|add|added|stated|writes?|wrote|report\w*|tweet\w*"
    r"|speak|speaks|spoke|spoken|comment\w*|remark\w*)\b",
    re.I,
)


def dates_a_saying(text: str, date: Span, question: str) -> bool:
    """Is ``date`` the day of the saying verb right before it, for a question not about a saying?"""
    return not _ASKS_SAYING.search(question) and bool(_SAID.search(text, max(0, date.start - 60), date.start))


@lru_cache(maxsize=16384)
def number_spans(text: str) -> tuple[Span, ...]:
    return tuple(Span(m.start(), m.end(), m.group(0).rstrip(".,")) for m in _NUMBER.finditer(text))


def count_spans(text: str) -> list[Span]:
    """Amounts that can answer "how many/how much": numbers and number words ("six", "two
    million"), but not a year ("its 2014 invasion" says nothing of how much aid was sent; "2000
    guests" counts guests) or a day of a date ("January 27, 1967")."""
    dates = date_spans(text)

    def is_count(s: Span) -> bool:
        after = _NEXT_WORD.match(text, s.end)
        if after and after.group(1).endswith("s") and not after.group(1).endswith("ss"):
            return True  # a number right before a plural counts it
        return not (_YEAR.fullmatch(s.text) or any(d.start <= s.start and s.end <= d.end for d in dates))

    digits = [s for s in number_spans(text) if is_count(s)]
    shares = [Span(m.start(), m.end(), m.group(0)) for m in _FRACTION.finditer(text)]
    spoken = [Span(m.start(), m.end(), m.group(0)) for m in _NUMBER_WORDS.finditer(text)]
    # "$2 billion" once, "two-thirds" once
    spoken = [w for w in spoken if not any(d.start <= w.start < d.end for d in digits + shares)] + shares
    return sorted(digits + spoken, key=lambda s: s.start)


_NEXT_WORD = re.compile(r"\s+([a-z]+)\b")
# Number words, run together ("two million", "five to ten"); "one" and "half" are too often not amounts.
_SPOKEN = "|".join(w for w in NUMBER_WORDS if w not in {"one", "half", "percent"})
_NUMBER_WORDS = re.compile(rf"\b(?:{_SPOKEN})(?:(?:\s+|-|\s+to\s+)(?:{_SPOKEN}))*\b", re.I)
# "How much of the greenhouse effect ...?" is answered by a share: "over half the", "a two-thirds majority",
# "a quarter of". A bare "half" is too often no amount ("the second half"), so the share must be of something.
_FRACTION = re.compile(
    r"\b(?:(?:over|more than|less than|nearly|almost|about|roughly|around)\s+)?(?:(?:one|two|three)[-\s])?"
    r"(?:half|thirds?|quarters?)(?=\s+(?:of|the|majority|its|their)\b)",
    re.I,
)
