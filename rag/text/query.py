"""Query expansion by rule, for questions whose answer never shares their words.

"Who wrote this article?" has no word in common with the line that answers it
("Amy Mackinnon is a national security and intelligence reporter…"): news
credits its authors with bylines and bios, so authorship questions are widened
with the vocabulary those use. Pure and deliberately small: each rule names a
question pattern that users ask and the article convention that answers it.
"""

from __future__ import annotations

import re

_AUTHORSHIP = re.compile(
    r"\b(who\s+(wrote|writes|authored|reported|penned)|author(s|ed)?\b|written\s+by|byline|reporter\s+of)",
    re.IGNORECASE,
)
AUTHOR_TERMS = "reporter correspondent writer journalist editor columnist contributor author byline"


def is_authorship(question: str) -> bool:
    return bool(_AUTHORSHIP.search(question))


def expand_query(question: str) -> str:
    """The question plus the words its answer is likely to use instead."""
    if is_authorship(question):
        return f"{question} {AUTHOR_TERMS}"
    return question


_CREDIT = re.compile(
    rf"^(?:by\s+[A-Z]|[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)+\s+(?:is|was)\s+(?:a|an|the)\b[^.]*\b(?:{'|'.join(AUTHOR_TERMS.split())})s?\b)"
)


def is_credit(sentence: str) -> bool:
    """A byline ('By Jane Doe') or an author bio ('Jane Doe is a … reporter at …')."""
    return bool(_CREDIT.search(sentence.strip()))
