"""Fit/report split of a question set: tune on one half, quote the other.

Grid searches on the set one reports on are not evidence, so every dev set is cut
in two, deterministically and in code. Dated questions (news quizzes) are split
by time: the earlier half of the days is ``fit``, the later half ``report``, as a
system tuned today is used on tomorrow's news. Undated questions (xquad) are split
by article, so no article's paragraphs serve both halves: the article name (the
part of a gold id before ``#``) is hashed with CRC-32, even hashes fit, odd report.
Pure: no disk, no model.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from typing import TypeVar

from rag.errors import InputError

PARTS = ("all", "fit", "report")
_DATE = re.compile(r"(\d{4})[-/](\d{2})[-/](\d{2})")

Q = TypeVar("Q")


def iso_date(raw: str | None) -> str | None:
    """``2025/01/03`` or ``2025-01-03`` (possibly followed by a time) as ``2025-01-03``."""
    match = _DATE.match(raw or "")
    return "-".join(match.groups()) if match else None


def article_key(doc_ids: Sequence[str]) -> str:
    """The article a question is about: its first relevant id (sorted) before any ``#paragraph``."""
    return min(doc_ids).split("#")[0] if doc_ids else ""


def split_questions(questions: Sequence[Q], part: str) -> list[Q]:
    """The ``part`` (``all``, ``fit`` or ``report``) of ``questions``, in their original order.

    Questions need ``date`` (ISO or slashed, or None) and ``relevant`` (doc ids). When
    every question is dated the split is by day: all questions of a day land in the
    same half, the cut falling at the median question's day (that day goes to
    ``report``). Otherwise the split is by article hash.
    """
    if part not in PARTS:
        raise InputError(f"split must be one of {', '.join(PARTS)}; got {part!r}")
    if part == "all" or not questions:
        return list(questions)
    found = [iso_date(getattr(q, "date", None)) for q in questions]
    dates = [d for d in found if d is not None]
    if len(dates) == len(found):
        cut = sorted(dates)[len(dates) // 2]
        fit = [d < cut for d in dates]
    else:
        fit = [
            zlib.crc32(article_key(sorted(getattr(q, "relevant"))).encode()) % 2 == 0  # noqa: B009 (Q is generic)
            for q in questions
        ]
    want = part == "fit"
    return [q for q, is_fit in zip(questions, fit) if is_fit == want]
