"""Does the chosen sentence answer what the question asks? Features for the learned answer scorer.

A quoted sentence always "supports" itself, and an on-topic sentence is always
similar to the question, so similarity alone cannot tell "What did Xi Jinping say
about the summit?" (no Xi in the article) from a question the article answers.
What can: the question's *specific* content (names, numbers, dates, rare words)
must be found in the chosen sentence or at least its passage; the question type
must be met by a span near the words it matched ("how many troops" needs a number
close to "troops"); a clear winner beats a near tie; and the dense and lexical
retrievers should agree on the passage. These are turned into numbers here, from
what answering already computed (no model, no disk); ``rag.answer.scorer`` turns
them into a probability. The feature order is part of the scorer file's contract.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from rag.answer.amounts import amounts, asks_amount
from rag.answer.lexicon import STOPWORDS
from rag.answer.numerals import figures
from rag.answer.opposites import asks_opposite, negation_unmet
from rag.answer.qtypes import QTYPES, asked_verb, asking, question_type
from rag.answer.spans import answer_span
from rag.answer.terms import Term, holds, parts, plain, question_terms, term_key, text_keys
from rag.answer.text import (
    WORD,
    content_stems,
    name_spans,
)
from rag.types import Hit

NAMES = (
    "cosine",
    "lexical",
    "score",
    "margin",
    "cosine_gap",
    "typed",
    "type_unmet",
    "span",
    "span_near",
    "focus_missing_sentence",
    "focus_missing_passage",
    "specific",
    "specific_missing_sentence",
    "specific_missing_passage",
    "specific_missing_hits",
    "any_specific_missing_passage",
    "any_specific_missing_hits",
    "terms_missing_passage",
    "terms_missing_sentence",
    "content_missing_passage",
    "rarest_missing_passage",
    "content_missing_hits",
    "best_single_coverage",
    "split_gap",
    "dense_top",
    "bm25_top",
    "hit_rank",
    "question_terms",
    "sentence_terms",
    "opposite_sentence",
    "opposite_passage",
    "negation_unmet",
    "count_unmet",
    "verb_missing_sentence",
    "verb_missing_passage",
    "verb_support_sentence",
    "verb_support_passage",
    *(f"q_{t}" for t in QTYPES),
)


#: How close a text's words come to a word, from 0 to 1 (``rag.answer.decision`` gives the model's word vectors).
Closeness = Callable[[str, str], float]


@dataclass(frozen=True)
class Features:
    """The scorer's inputs, in ``NAMES`` order, plus the specific terms the passages lack (for the reply):
    every retrieved passage (``everywhere``), else the best sentence's own passage."""

    values: tuple[float, ...]
    missing: tuple[str, ...] = ()
    everywhere: bool = False

    def as_dict(self) -> dict[str, float]:
        return dict(zip(NAMES, self.values))


def features(
    question: str, ranked: Sequence, hits: Sequence[Hit], idf: dict[str, float], closeness: Closeness
) -> Features:
    """Features of the best of ``ranked`` (``rag.answer.extractive.Scored``, best first).

    ``idf`` is the pool IDF the ranking used: how rare each stem is among the retrieved sentences.
    ``closeness(verb, text)`` is how close the text's words come to the verb the question asks about
    (``rag.answer.qtypes.asked_verb``): the model's word vectors, given by ``rag.answer.decision``; it is
    asked only of a text that lacks the verb itself.
    """
    best = ranked[0]
    second = ranked[1] if len(ranked) > 1 else None
    sentence, hit = best.candidate.text, best.candidate.hit
    terms = question_terms(question)
    in_sentence, in_passage = text_keys(best.candidate.read), passage_keys(hit)
    # The best sentence's own passage counts as read when it came from more of its article
    # (``Settings.article_passages``): what "the closest passages" lack, it must lack too.
    read = hits if any(h.chunk.id == hit.chunk.id for h in hits) else [*hits, hit]
    per_hit = [passage_keys(h) for h in read]
    in_hits = set().union(*per_hit) if per_hit else set()
    specific = [t for t in terms if t.specific]
    top_idf = max(idf.values(), default=1.0)

    def missing(pool: AbstractSet[str], wanted: Sequence[Term]) -> float:
        return sum(not holds(pool, t) for t in wanted) / len(wanted) if wanted else 0.0

    def weighted_missing(pool: AbstractSet[str]) -> float:
        total = sum(idf.get(t.stem, top_idf) for t in terms)
        return sum(idf.get(t.stem, top_idf) for t in terms if not holds(pool, t)) / total if total else 0.0

    lacking = [t for t in terms if not holds(in_passage, t)]
    rarest = max((idf.get(t.stem, top_idf) for t in lacking), default=0.0) / top_idf if top_idf else 0.0
    qtype = question_type(question)
    span = answer_span(sentence, question, qtype)
    values = (
        best.cosine,
        best.lexical,
        best.score,
        best.score - second.score if second else best.score,
        best.cosine - max((s.cosine for s in ranked[1:]), default=0.0),
        1.0 if best.typed else 0.0,
        1.0 if qtype != "other" and not span else 0.0,  # "how many troops" and no number to give
        1.0 if span else 0.0,
        _nearness(sentence, span, terms) if span else 0.0,
        *_focus_missing(question, in_sentence, in_passage),
        math.log1p(len(specific)),
        missing(in_sentence, specific),
        missing(in_passage, specific),
        missing(in_hits, specific),
        1.0 if any(not holds(in_passage, t) for t in specific) else 0.0,
        1.0 if any(not holds(in_hits, t) for t in specific) else 0.0,
        math.log1p(len(lacking)),
        math.log1p(sum(not holds(in_sentence, t) for t in terms)),
        weighted_missing(in_passage),
        rarest,
        weighted_missing(in_hits),
        # Terms found only across different passages ("Trevor Martin" in one, "quadrangles" in another)
        # mean no single passage is about what was asked.
        1.0 - min((weighted_missing(keys) for keys in per_hit), default=1.0),
        min((weighted_missing(keys) for keys in per_hit), default=1.0) - weighted_missing(in_hits),
        1.0 / hit.dense_rank if hit.dense_rank else 0.0,
        1.0 / hit.bm25_rank if hit.bm25_rank else 0.0,
        1.0 / hit.rank,
        math.log1p(len(terms)),
        math.log1p(len(content_stems(sentence))),
        asks_opposite(question, sentence),
        asks_opposite(question, hit.chunk.text),
        negation_unmet(question, sentence),
        _count_unmet(question, sentence),
        *_verb_support(question, (sentence, in_sentence), (hit.chunk.text, in_passage), closeness),
        *(1.0 if qtype == t else 0.0 for t in QTYPES),
    )
    everywhere = _missing_phrases(question, in_hits)
    gone = everywhere or _missing_phrases(question, in_passage)
    return Features(tuple(float(v) for v in values), gone, bool(everywhere))


def passage_keys(hit: Hit) -> AbstractSet[str]:
    """A passage is read under its article's title: "Super Bowl 50" need not be restated in it."""
    return text_keys(hit.chunk.text) | text_keys(hit.title)


_FOCUS = re.compile(r"^\s*(?:how (?:many|much)|which|what|whose|what kind of|what type of)\s+([A-Za-z][\w'’-]*)", re.I)


def _focus_missing(question: str, in_sentence: AbstractSet[str], in_passage: AbstractSet[str]) -> tuple[float, float]:
    """Is the word the question is about ("troops" in "how many troops", the verb of "who warned") absent?"""
    asked = asking(question)  # not the scene a news quiz sets first
    match = _FOCUS.match(asked)
    if match and match.group(1).lower() not in STOPWORDS:
        focus = match.group(1)
    else:
        focus = next((w for w in parts(asked) if w.lower() not in STOPWORDS and len(w) > 1), "")
    if not focus:
        return 0.0, 0.0
    focus_key = term_key(focus)
    return (0.0 if focus_key in in_sentence else 1.0), (0.0 if focus_key in in_passage else 1.0)


def _verb_support(
    question: str,
    sentence: tuple[str, AbstractSet[str]],
    passage: tuple[str, AbstractSet[str]],
    closeness: Closeness,
) -> tuple[float, float, float, float]:
    """Does the sentence (passage), given as (text, keys), say what the question asks happened: its verb,
    or a word close to it?

    A sentence that names everything the question names but not what it asks happened ("... the migrant
    crisis on Belarus's border with Poland" for "How did Poland respond ...?") is on topic and answers
    nothing. As (verb missing from the sentence, from the passage, support in the sentence, in the
    passage); a question whose verb is not found is taken as met."""
    verb = asked_verb(question)
    if not verb:
        return 0.0, 0.0, 1.0, 1.0
    key = term_key(verb)
    (sentence_text, sentence_keys), (passage_text, passage_keys_) = sentence, passage
    said, in_passage = key in sentence_keys, key in passage_keys_
    return (
        0.0 if said else 1.0,
        0.0 if in_passage else 1.0,
        1.0 if said else closeness(verb, sentence_text),
        1.0 if in_passage else closeness(verb, passage_text),
    )


def _missing_phrases(question: str, found: AbstractSet[str]) -> tuple[str, ...]:
    """Names and numbers of the question none of whose words are in ``found``: ('Xi Jinping',), ('NATO',)."""
    phrases = [s.text for s in name_spans(question)] + figures(question)
    out = []
    for phrase in phrases:
        terms = question_terms(phrase)
        if terms and not any(holds(found, t) for t in terms):
            out.append(plain(phrase.rstrip(".,")))  # "NATO's secretary general": "NATO" is missing
    return tuple(dict.fromkeys(out))


def _count_unmet(question: str, sentence: str) -> float:
    """1 when "how many troops" or "how much aid" meets a sentence with no amount of it: "two officials"
    counts something else, a year or a date is no amount (``rag.answer.spans.amounts``)."""
    return 1.0 if asks_amount(question) and not amounts(sentence, question) else 0.0


def _nearness(sentence: str, span, terms: Sequence[Term]) -> float:
    """1 when the answer span sits next to a word the question asked about, falling with the word distance."""
    keys = {t.stem for t in terms}
    positions = [
        m.start() for m in WORD.finditer(sentence) if any(term_key(p) in keys for p in m.group(0).split("-") if p)
    ]
    if not positions:
        return 0.0
    # Characters between the span and the closest asked-about word; about six characters a word.
    gap = min(span.start - p if p < span.start else max(0, p - span.end) for p in positions)
    return 1.0 / (1.0 + gap / 30.0)
