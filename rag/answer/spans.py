"""The short answer inside a sentence: the span that answers the question, by question type. Pure.

A who-question leads with a name (with its role: "CIA director William Burns"),
where with a place, when with a date, how many with a number, and what/which
with the noun phrase that carries the answer ("the legitimacy of Ukraine's
borders", ``rag.answer.phrases``). "Who is <a name>?" leads with that name and
the title the sentence gives it, before the name or set after it ("Michael
Kofman, an expert on the Russian military with CNA"). The extractive answer
opens with it and the scorer checks for it.
"""

from __future__ import annotations

import re

from rag.answer.amounts import amounts
from rag.answer.lexicon import ROLES, STOPWORDS
from rag.answer.phrases import mostly_asked, other_span
from rag.answer.places import asked_kind, new_names_of_kind
from rag.answer.qtypes import asking
from rag.answer.text import (
    WORD,
    Span,
    event_dates,
    person_spans,
    place_spans,
    stem,
    words,
)


def answer_span(sentence: str, question: str, qtype: str) -> Span | None:
    """The short answer inside ``sentence``: a name for who, a place for where, a number for how many, a date for when."""
    asked = {stem(w) for w in words(question)}
    finders = {
        "person": person_spans,
        "place": place_spans,
        "number": lambda text: amounts(text, question),  # not "two officials" for "how many migrants"
        "date": lambda text: event_dates(text, question),
    }
    if any(form.match(asking(question)) for form in (_WHO_IS_NAME, _NAMES_JOB)):
        # "Who is Volodymyr Zelensky?" ("What is Kendall-Taylor's job?") asks what the named one is, never
        # for someone else: the name with the title the sentence gives it, before or after, or no short answer.
        named = [s for s in person_spans(sentence) if mostly_asked(s.text, asked)]
        titled = [with_role(sentence, s) for s in named]
        before = (t for t, s in zip(titled, named) if t.start < s.start)
        apposed = (a for s in named for a in (_apposed(sentence, s), _apposed_before(sentence, s)) if a)
        return next(before, None) or next(apposed, None)
    if qtype not in finders:
        return other_span(sentence, question, asked)
    kind = asked_kind(question) if qtype == "place" else None
    # "Which country ...?" is answered by a country's name wherever it stands, not only after "in"/"to".
    listed = new_names_of_kind(sentence, kind, question) if kind else []
    candidates = listed or [s for s in finders[qtype](sentence) if not mostly_asked(s.text, asked)]
    if not candidates:
        return None
    # Anchors: where the question's own content words occur in the sentence (whole words, by stem).
    anchors = [
        m.start() for m in WORD.finditer(sentence) if m.group(0).lower() not in STOPWORDS and stem(m.group(0)) in asked
    ]

    asks_title = qtype == "person" and bool(_WHO_IS.match(asking(question)))

    def holds_title(span: Span) -> bool:
        """A word of the question stands in the title the sentence gives the name ("Kremlin spokesperson Dmitry Peskov")."""
        title_start = with_role(sentence, span).start
        return any(title_start <= a < span.start for a in anchors)

    def fitness(span: Span) -> tuple[float, float, float]:
        if not anchors:
            return 0.0, 0.0, -span.start
        nearest = min(anchors, key=lambda a: abs(a - span.start))
        # "Who is the Kremlin spokesperson?": the one the sentence gives that title, not the subject
        # named before it ("Vladimir Putin, Kremlin spokesperson ...").
        title = 1.0 if asks_title and holds_title(span) else 0.0
        # "Who warned Russia?": the answer is the subject, named before the verb it asks about.
        subject = 1.0 if qtype == "person" and span.start < nearest else 0.0
        return title, subject, -abs(nearest - span.start)

    best = max(candidates, key=fitness)
    return with_role(sentence, best) if qtype == "person" else best


_WHO_IS = re.compile(r"^\s*who\s+(?:is|was|are|were)\b", re.I)
_WHO_IS_NAME = re.compile(r"^\s*(?i:who\s+(?:is|was))\s+[A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*)*\s*\??\s*$")
_NAMES_JOB = re.compile(
    r"^\s*(?i:what\s+(?:is|was))\s+[A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*)*[’']s\s+(?:job|role|title|position)\s*\??\s*$"
)
# "Michael Kofman, an expert on the Russian military with CNA, said": what a name is, set after it.
_APPOSITION = re.compile(
    r",\s+((?:an?|the|his|her|its|their|former|then)\s+|(?=[a-z]))[^,;:.!?“”\"()—–]{3,100}?(?=[,;.!?”\"—–]|\s+(?:and\s+)?(?:who|which|whose)\b|$)"
)
# "spoke with his Russian counterpart, Nikolai Patrushev, on Wednesday": what a name is, set before it.
_APPOSITION_BEFORE = re.compile(r"\b(?:his|her|its|their|the|an?)\s+[^,;:.!?“”\"()—–]{2,80}?[a-z],\s+$")
_ROLE_TIMES = frozenset({"former", "acting", "outgoing", "incoming", "then", "late"})


def _apposed(sentence: str, name: Span) -> Span | None:
    """The name and the phrase set after it that says what its bearer is ("…, director of …"), else None."""
    found = _APPOSITION.match(sentence, name.end)
    if not found or not (found.group(1) or found.group(0).lstrip(", ").split()[0] in ROLES):
        return None
    return Span(name.start, found.end(), sentence[name.start : found.end()])


def _apposed_before(sentence: str, name: Span) -> Span | None:
    """The phrase set before the name that says what its bearer is, and the name ("his Russian counterpart,
    Nikolai Patrushev"), when a comma or the sentence's end closes the name; else None."""
    found = _APPOSITION_BEFORE.search(sentence[: name.start])
    if not found or not re.match(r"\s*(?:[,.;]|$)", sentence[name.end :]):
        return None
    return Span(found.start(), name.end, sentence[found.start() : name.end])


def with_role(sentence: str, span: Span) -> Span:
    """Widen a name to take in its title: 'William Burns' -> 'CIA director William Burns'."""
    start = span.start
    seen_role = False
    for m in reversed(list(re.finditer(r"[\w.’'-]+", sentence[: span.start]))[-4:]):
        token = m.group(0)
        if sentence[m.end() : start].strip():
            break  # punctuation between: 'Putin, Kremlin spokesperson Peskov' is two people
        if token.lower() in ROLES:
            seen_role = True
        elif seen_role and token.lower() in _ROLE_TIMES:
            start = m.start()  # "former Russian President Dmitry Medvedev": no longer the president
            break
        elif not (seen_role and token[:1].isupper() and token.lower() not in STOPWORDS):
            break  # titles read 'CIA director', 'Defense Minister': capitalised words before a role
        start = m.start()
    return Span(start, span.end, sentence[start : span.end])
