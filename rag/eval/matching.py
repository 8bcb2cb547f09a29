"""Does a text hold a gold answer: SQuAD-style normalisation, token F1 and substring match. Pure.

Both evaluations use it: ``rag eval answers`` (does the answer, or a cited quote,
hold the gold answer) and ``rag eval retrieval`` (does a retrieved passage hold
it, the answer-string view of recall that open-domain QA reports beside labelled
documents).
"""

from __future__ import annotations

import re
import string
from collections import Counter

_PUNCTUATION = frozenset(string.punctuation)


def normalize(text: str) -> str:
    text = text.lower().replace("’", "'")
    text = "".join(ch for ch in text if ch not in _PUNCTUATION)
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def token_f1(prediction: str, gold: str) -> float:
    pred, ref = normalize(prediction).split(), normalize(gold).split()
    common = sum((Counter(pred) & Counter(ref)).values())
    if not common:
        return 0.0
    precision, recall = common / len(pred), common / len(ref)
    return 2 * precision * recall / (precision + recall)


def contains(text: str, answers: tuple[str, ...]) -> bool:
    haystack = normalize(text)
    return any(normalize(a) and normalize(a) in haystack for a in answers)
