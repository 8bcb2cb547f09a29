"""Dates in questions: which time a question asks about, and how well an article's date fits it.

News questions are often about "now": "Who won the election?" means the latest
election, "this week" and "in March" name a time. ``Settings.as_of`` (or
``--as-of``) says when "now" is, by default the newest article date in the index,
so an old corpus still works. Articles published after "now" do not exist yet and
are left out of the ranking; among the rest, ``date_prior`` gives each article a
score in [0, 1] that ``rag.retrieval.article_rank`` adds, weighted, to its relevance:

* a question naming a time (this week, last month, yesterday, March, in 2024...)
  prefers articles of that window: 1 inside, falling off with distance outside;
* any other question gets a gentle recency prior, so among equally relevant
  stories the newer one (as of "now") is first.

Pure: dates in, numbers out; no clock is read (``as_of`` is always passed in).
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
#: How fast the general recency prior fades: an article this many days old scores 1/e.
RECENCY_DAYS = 365.0
#: Outside a named window, the prior falls to 1/e this many days away from it.
WINDOW_FALLOFF_DAYS = 7.0

_RECENT = re.compile(
    r"\b(recent(ly)?|latest|newest|currently|this (week|month|year)|last (week|month|year)|"
    r"past (week|month|few days)|today|yesterday|tonight|this morning)\b",
    re.IGNORECASE,
)
# "May" alone is too often the verb; months count when followed by a year/day or led by in/of/since/during.
_MONTH = re.compile(
    r"\b(?:(in|of|since|during|early|late|mid)[ -])?("
    + "|".join(MONTHS)
    + r")\b(?:\s+(\d{1,2})(?:st|nd|rd|th)?\b)?(?:,?\s+(\d{4})\b)?",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(?:in|of|during|since)\s+((?:19|20)\d{2})\b", re.IGNORECASE)


@dataclass(frozen=True)
class Window:
    """The time a question is about, inclusive; ``falloff`` days set how fast fit fades outside it."""

    start: date
    end: date
    falloff: float = WINDOW_FALLOFF_DAYS


@functools.lru_cache(maxsize=65536)  # ranking asks it of every candidate article's date on every query
def parse_date(text: str | None) -> date | None:
    """``YYYY-MM-DD`` (or with slashes, or with a time after it) as a date; None if not one."""
    match = re.match(r"(\d{4})[-/](\d{2})[-/](\d{2})", text or "")
    if not match:
        return None
    try:
        return date(*map(int, match.groups()))
    except ValueError:
        return None


def question_window(question: str, as_of: date) -> Window | None:
    """The window a question names, relative to ``as_of``; None when it names no time."""
    found = _RECENT.search(question)
    if found:
        phrase = found.group(0).lower()
        if phrase in ("today", "tonight", "this morning"):
            return Window(as_of - timedelta(days=1), as_of, 2)
        if phrase == "yesterday":
            return Window(as_of - timedelta(days=2), as_of, 2)
        if phrase.endswith(("week", "few days")):
            back = 14 if phrase.startswith("last") else 7
            return Window(as_of - timedelta(days=back), as_of)
        if phrase.endswith("month"):
            back = 62 if phrase.startswith("last") else 31
            return Window(as_of - timedelta(days=back), as_of, 14)
        if phrase.endswith("year"):
            start = date(as_of.year - (1 if phrase.startswith("last") else 0), 1, 1)
            return Window(start, as_of, 60)
        return Window(as_of - timedelta(days=30), as_of, 30)  # recently, latest, newest, currently
    for match in _MONTH.finditer(question):
        lead, name, day, year = match.groups()
        if name.lower() == "may" and not (lead or day or year):
            continue
        month = MONTHS.index(name.lower()) + 1
        if year:
            first = date(int(year), month, 1)
        else:  # the latest such month up to as_of
            first = date(as_of.year if month <= as_of.month else as_of.year - 1, month, 1)
        last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        # A week past the month: reports of late-month events appear in the days after.
        return Window(first, min(last + timedelta(days=7), as_of) if first <= as_of else last)
    year = _YEAR.search(question)
    if year:
        y = int(year.group(1))
        return Window(date(y, 1, 1), date(y, 12, 31), 30)
    return None


def date_prior(published: str | None, as_of: date, window: Window | None) -> float:
    """How well an article of date ``published`` fits the question's time, in [0, 1].

    Undated articles get 0 (no evidence either way; the prior's weight is small next to
    relevance). With a window: 1 inside it, ``exp(-days outside / falloff)`` around it.
    Without: ``exp(-age / RECENCY_DAYS)``, the newer the better.
    """
    day = parse_date(published)
    if day is None:
        return 0.0
    if window is None:
        age = max((as_of - day).days, 0)
        return math.exp(-age / RECENCY_DAYS)
    if window.start <= day <= window.end:
        return 1.0
    away = (window.start - day).days if day < window.start else (day - window.end).days
    return math.exp(-away / window.falloff)


def is_future(published: str | None, as_of: date) -> bool:
    """Published after "now": such an article is not known yet and stays out of the ranking."""
    day = parse_date(published)
    return day is not None and day > as_of
