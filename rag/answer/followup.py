"""Rewrite a follow-up question into a standalone one, by rule (the offline path).

"Where did he travel?" after "Who warned Russia?" → "Where did William Burns
travel?": pronouns are replaced by the entities of the previous turn, people
from the previous answer first (that is who "he" usually means), then from the
previous question. Questions with no pronoun to resolve are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.answer.lexicon import ROLES
from rag.answer.markers import strip_markers
from rag.answer.text import name_spans
from rag.types import Turn

_PERSON = re.compile(r"\b(he|she|him|they|them)\b", re.IGNORECASE)
_POSSESSIVE = re.compile(r"\b(his|her|their)\b", re.IGNORECASE)
_PLACE = re.compile(r"\b(there)\b", re.IGNORECASE)
_THING = re.compile(r"\b(it|this|that)\b(?!\s+(?:is|was)\s+\w+ing)", re.IGNORECASE)


def rewrite_followup(question: str, history: Sequence[Turn]) -> str:
    if not history:
        return question
    previous = history[-1]
    answer = strip_markers(previous.answer)
    people = _people(answer) + _people(previous.question)
    places = _places(answer) + _places(previous.question)
    rewritten = question
    if people:
        rewritten = _PERSON.sub(people[0], rewritten)
        rewritten = _POSSESSIVE.sub(f"{people[0]}'s", rewritten)
    if places:
        rewritten = _PLACE.sub(places[0], rewritten)
    if rewritten == question and (_THING.search(question) or _PERSON.search(question)):
        # Nothing to substitute: carry the previous question along as context for retrieval.
        rewritten = f"{question} ({previous.question})"
    return rewritten


def _people(text: str) -> list[str]:
    """Multi-word names, the shape of a person's name in news prose."""
    names = []
    for span in name_spans(text):
        tokens = [t for t in span.text.split() if t.lower() not in ROLES and not t.isupper()]
        if len(tokens) >= 2:
            names.append(" ".join(tokens))
    return names


def _places(text: str) -> list[str]:
    return [m.group(2) for m in re.finditer(r"\b(in|to|at|from|visited)\s+([A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)*)", text)]
