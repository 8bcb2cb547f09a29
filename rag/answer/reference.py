"""Who "the two leaders" are: the people a sentence counts but does not name. Pure.

Articles name two people and then say "the two leaders", so the sentence that answers
"Where did Biden and Putin hold their summit?" ("… an in-person summit between the two
leaders in Geneva in June") shares none of the question's names, and read alone it
loses to a sentence that names both and answers nothing. The ranking, the selector
and the scorer read a sentence's words together with the names found here; the quote
stays the sentence itself.

Deliberately narrow. Giving "he" / "she" the last person named before it was tried:
the selector's out-of-fold top-1 fell on both dev sets (bench/README.md, session 29).
"""

from __future__ import annotations

import re

from rag.answer.text import person_spans

_GROUP = re.compile(
    r"\b(?:the|both)\s+(two|three)\s+(?:leaders|presidents|men|women|candidates|rivals|officials)\b", re.I
)
_HOW_MANY = {"two": 2, "three": 3}


def referred_names(sentence: str, before: str) -> str:
    """The names ``sentence`` counts without stating them, from the passage text ``before`` it; "" if none."""
    group = _GROUP.search(sentence)
    if not group:
        return ""
    # The ones the passage keeps naming, not whoever was quoted last ("Kremlin spokesperson Dmitry Peskov").
    # Ties go to the nearest.
    people = list(dict.fromkeys(s.text for s in reversed(person_spans(before))))
    people.sort(key=lambda name: -before.count(name.split()[-1]))
    return " ".join(people[: _HOW_MANY[group.group(1).lower()]])
