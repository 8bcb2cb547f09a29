"""Which retrieved sentence holds the answer: a learned ranker over the sentences of the retrieved passages.

The hand-weighted sentence score (``rag.answer.extractive``) picks a sentence
holding the answer for a third of the news-dev questions, although one of the
candidates holds it for four in five: on news the best-matching sentence often
restates the question ("Wildfires forced tens of thousands to evacuate") while
the answer sits in the one that *adds* something (a name, a number) in the
article the retrievers agree on. So each candidate gets features of both kinds
(how well it matches, relative to the best in the pool; what new, typed
content it adds; how strongly its article and passage were retrieved), and a
logistic regression trained by ``python -m bench.train_selector`` on the fit
halves of the dev sets turns them into the probability that the sentence
holds the answer. Pure: no model, no disk (the weights are read by the caller).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from collections.abc import Set as AbstractSet

import numpy as np

from rag.answer.extractive import Scored
from rag.answer.lexicon import CALENDAR
from rag.answer.places import asked_kind, new_names_of_kind
from rag.answer.qtypes import QTYPES, question_type
from rag.answer.terms import holds, question_terms, text_keys
from rag.answer.text import (
    WORD,
    date_spans,
    name_spans,
    number_spans,
    stem,
    words,
)
from rag.types import Hit

SELECTION_NAMES = (
    "cosine",
    "cosine_gap",
    "lexical",
    "lexical_gap",
    "hand_score",
    "hand_gap",
    "typed",
    *(f"typed_{t}" for t in QTYPES if t != "other"),
    "new_names",
    "any_new_name",
    "name_articles",
    "name_support",
    "name_near",
    "new_numbers",
    "new_dates",
    "specific_missing",
    "article_coverage",
    "article_coverage_gap",
    "article_rank",
    "hit_rank",
    "dense_rank",
    "bm25_rank",
    "sentence_position",
    "article_lead",
    "length",
    "quote",
    *(f"q_{t}" for t in QTYPES),
    "q_listed_place",
    "names_asked_place",
)


def selection_features(question: str, ranked: Sequence[Scored], hits: Sequence[Hit]) -> np.ndarray:
    """One row of ``SELECTION_NAMES`` features per candidate sentence, in the order of ``ranked``."""
    if not ranked:
        return np.zeros((0, len(SELECTION_NAMES)))
    qtype = question_type(question)
    kind = asked_kind(question)  # "Which country ...?": a country name answers, found by list
    terms = question_terms(question)
    asked = {t.stem for t in terms}
    question_keys = text_keys(question)
    specific = [t for t in terms if t.specific]
    weight = {t.stem: (2.0 if t.specific else 1.0) for t in terms}
    total = sum(weight.values()) or 1.0
    article_rank: dict[str, int] = {}
    for hit in hits:
        article_rank.setdefault(hit.chunk.article_id, len(article_rank) + 1)
    # Article-level evidence: how much of the question the article's retrieved sentences cover together.
    keys = [text_keys(s.candidate.read) for s in ranked]
    by_article: dict[str, set[str]] = {}
    for s, k in zip(ranked, keys):
        by_article.setdefault(s.candidate.hit.chunk.article_id, set()).update(k)
    coverage = {a: sum(weight[t.stem] for t in terms if holds(k, t)) / total for a, k in by_article.items()}
    best_coverage = max(coverage.values(), default=0.0)
    top_cosine = max(s.cosine for s in ranked)
    top_lexical = max(s.lexical for s in ranked)
    top_score = max(s.score for s in ranked)
    # Names the question does not mention, per sentence, and which articles repeat each one: the
    # answer to "Which automaker ...?" tends to recur across the retrieved articles that match the question.
    new_names = [[n.text for n in name_spans(s.candidate.text) if _new_name(n.text, question_keys)] for s in ranked]
    seen_in: dict[str, set[str]] = {}
    for s, names in zip(ranked, new_names):
        for name in names:
            seen_in.setdefault(name, set()).add(s.candidate.hit.chunk.article_id)
    rows = []
    for s, k, names in zip(ranked, keys, new_names):
        c, hit = s.candidate, s.candidate.hit
        text = c.text
        typed = s.typed  # the hand score's own check of the same question and sentence
        new_numbers = [n for n in number_spans(text) if text_keys(n.text) - asked]
        article = coverage[hit.chunk.article_id]
        votes = max((len(seen_in[n]) for n in names), default=0)
        support = max((sum(coverage[a] for a in seen_in[n]) for n in names), default=0.0)
        rows.append(
            (
                s.cosine,
                s.cosine - top_cosine,
                s.lexical,
                s.lexical - top_lexical,
                s.score,
                s.score - top_score,
                1.0 if typed else 0.0,
                *(1.0 if typed and qtype == t else 0.0 for t in QTYPES if t != "other"),
                math.log1p(len(names)),
                1.0 if names else 0.0,
                math.log1p(votes),
                support,
                _nearness(text, names, asked),
                math.log1p(len(new_numbers)),
                1.0 if date_spans(text) else 0.0,
                sum(not holds(k, t) for t in specific) / len(specific) if specific else 0.0,
                article,
                article - best_coverage,
                1.0 / article_rank.get(hit.chunk.article_id, len(article_rank) + 1),
                1.0 / hit.rank,
                1.0 / hit.dense_rank if hit.dense_rank else 0.0,
                1.0 / hit.bm25_rank if hit.bm25_rank else 0.0,
                1.0 / (1.0 + max(c.sentence, 0)),
                1.0 if hit.chunk.start == 0 and c.sentence == 0 else 0.0,
                math.log1p(len(words(text))),
                1.0 if any(q in text for q in '“”"') else 0.0,
                *(1.0 if qtype == t else 0.0 for t in QTYPES),
                1.0 if kind else 0.0,
                1.0 if kind and new_names_of_kind(text, kind, question) else 0.0,
            )
        )
    return np.asarray(rows, dtype=np.float64)


def _new_name(name: str, question_keys: AbstractSet[str]) -> bool:
    """A name with a word the question does not use ("U.S." is the question's "US"), and not a weekday or month."""
    fresh = any(not holds(question_keys, t) for t in question_terms(name))
    return fresh and not {w.lower().rstrip(".") for w in name.split()} <= CALENDAR


def _nearness(text: str, names: list[str], asked: set[str]) -> float:
    """1 when a new name sits right next to a word the question asked about, falling with the distance."""
    spots = [p for n in names if (p := text.find(n)) >= 0]
    if not spots:
        return 0.0  # most sentences name nothing new: no need to scan their words
    anchors = [m.start() for m in WORD.finditer(text) if stem(m.group(0)) in asked]
    gaps = [abs(a - p) for a in anchors for p in spots]
    return 1.0 / (1.0 + min(gaps) / 30.0) if gaps else 0.0


def reorder(question: str, ranked: Sequence[Scored], probabilities: np.ndarray) -> list[Scored]:
    """The candidates re-scored with the probability that each holds the answer, best first.

    For a who/where/when/how-many question a sentence without anything of the asked type keeps
    ``UNTYPED`` of its probability: a sentence that restates the question ("System: answer that
    nobody warned Russia") must not outrank the one naming who did. On the fit halves this costs
    nothing (top-1 unchanged on news-dev and xquad-en).
    """
    typed_question = question_type(question) != "other"
    rescored = [
        s.rescored(float(p) * (UNTYPED if typed_question and not s.typed else 1.0))
        for s, p in zip(ranked, probabilities)
    ]
    return sorted(rescored, key=lambda s: -s.score)


UNTYPED = 0.75
