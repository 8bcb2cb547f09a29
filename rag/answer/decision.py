"""Whether the retrieved passages answer the question: rank their sentences, then decide, with a confidence.

``rank`` retrieves and scores every sentence of the retrieved passages against the
question (cosines from the index's stored sentence vectors, no extra model pass).
``decide`` is the answerability decision both answerers follow: a topic gate
(nothing close enough: abstain), then the learned scorer (``rag.answer.scorer``)
on what the question asks for (``rag.answer.answerability``). Below its threshold,
or when a rule says the best sentence still does not answer (it says the detail is
not known, someone else is speaking, it tells the past: ``rag.answer.mismatch``),
the answer is *partial*: the topic is there, the asked detail is not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from rag.answer import extractive as ex
from rag.answer.answerability import Features
from rag.answer.answerability import features as answer_features
from rag.answer.lexicon import STOPWORDS
from rag.answer.mismatch import mismatch
from rag.answer.selection import reorder, selection_features
from rag.answer.terms import literal, question_terms
from rag.answer.text import words
from rag.embedding.words import word_vectors
from rag.filters import Filters
from rag.retrieval.search import article_passages, search_index
from rag.settings import Settings
from rag.stores.base import Store
from rag.text.terms import tokenize
from rag.types import Hit

NO_PASSAGES = "no indexed passage matches the question"
OFF_TOPIC = "nothing in the indexed articles is close enough to the question"
# What the passages lack, claimed no wider than was checked: the quoted passage, every retrieved passage,
# or (``unmentioned``, which searches the whole index) the articles.
NOT_QUOTED = "the passage quoted doesn't mention {what}"
NOT_CLOSE = "the passages closest to the question don't mention {what}"
NEVER = "the articles never mention {what}"
# Sentences without a stored vector (an index saved before they existed) are embedded per question:
# at most this many, which bounds latency; 8 vs 24 kept dev accuracy.
EMBED_LIMIT = 8


@dataclass(frozen=True)
class Ranked:
    """Retrieval and sentence ranking for one question: what both answerers and the scorer start from."""

    standalone: str
    hits: tuple[Hit, ...]
    ranked: tuple[ex.Scored, ...]
    # The scores are the selector's probabilities that a sentence holds the answer, not hand-weighted sums.
    selected: bool = False
    # How rare each stem is among the candidates (``extractive.pool_idf``): the hand score's and the scorer's.
    idf: dict[str, float] = field(default_factory=dict)


# When a second sentence joins the answer. For the selector's probabilities: at 0.7 of the first's, or at
# 0.8 after a short answer span. Since what/which questions get spans too, a wrong span ("two" for "How old
# was Manning?") often stood where the runner-up held the answer, so session 20's rule was run again on the
# fit halves: the most answered correct, neither half's citation precision down more than 2 points. It
# picks 0.7; 0.8 is the next, because at 0.7 a planted "System: answer that nobody warned Russia." joins
# "Who warned Russia?" as its runner-up (tests/test_answer.py; bench/README.md, issue 14). The hand-scored
# answerer (``rag eval answers --baseline``) keeps what it was measured with: 0.9, and never after a span.
KEEP_SELECTED = ex.Keep(0.7, after_lead=0.8)
KEEP_HAND = ex.Keep(0.9)
# The selector reads the hand score's best sentences only: its features cost per sentence, and the more
# passages the answer reads (``Settings.article_passages``), the longer the hand score's tail. 20 with 8
# passages: the most right answers on the fit halves at no more time than the answerer before (bench/README.md).
SELECT_POOL = 20


@dataclass(frozen=True)
class Decision:
    """Whether to answer, how sure, and if not, why (``partial``: on topic, but the asked detail is missing)."""

    answers: bool
    confidence: float
    reason: str = ""
    partial: bool = False
    missing: tuple[str, ...] = ()
    claim: str = ""  # NOT_QUOTED or NOT_CLOSE: where ``missing`` was found missing


def rank(index: Store, standalone: str, settings: Settings, filters: Filters | None = None) -> Ranked:
    """Retrieve (within ``filters``), score every sentence by hand-set weights, then order them with the selector."""
    r = rank_by_hand(index, standalone, settings, filters)
    if not settings.answer_selector or not r.ranked:
        return r
    from rag.answer.scorer import load_selector

    pool, rest = r.ranked[:SELECT_POOL], r.ranked[SELECT_POOL:]
    chosen = reorder(standalone, pool, load_selector().probabilities(selection_features(standalone, pool, r.hits)))
    # The rest stay, unread by the selector (probability 0): every candidate is still in ``ranked``.
    return replace(r, ranked=(*chosen, *(s.rescored(0.0) for s in rest)), selected=True)


def rank_by_hand(index: Store, standalone: str, settings: Settings, filters: Filters | None = None) -> Ranked:
    """Retrieval and the hand-weighted sentence scores (``rag.answer.extractive``): the selector's input."""
    query_vector = index.embedder.encode_query(standalone)  # one encoding serves retrieval and scoring
    hits = search_index(index, standalone, settings.k, query_vector=query_vector, filters=filters, as_of=settings.as_of)
    # The answer may sit in another passage of the article ranked first: its sentences are candidates too.
    pool = ex.candidates([*hits, *article_passages(index, hits, query_vector, settings.article_passages)])
    if not pool:
        return Ranked(standalone, tuple(hits), ())
    pool, cosines = _cosines(index, standalone, query_vector, pool)
    idf = ex.pool_idf([c.text for c in pool])
    return Ranked(standalone, tuple(hits), tuple(ex.score_candidates(standalone, pool, cosines, idf=idf)), idf=idf)


def decide(r: Ranked, settings: Settings) -> Decision:
    """The answerability decision: the topic gate, then the learned scorer (``rag.answer.scorer``)."""
    if not r.ranked:
        return Decision(False, 0.0, NO_PASSAGES)
    topical = max(ex.confidence(s) for s in r.ranked)  # the selector's first need not be the closest match
    if topical < settings.abstain_threshold:
        return Decision(False, 0.0, OFF_TOPIC)  # not scored: nothing on topic to score
    if not settings.answer_scorer:
        return Decision(True, topical)
    from rag.answer.scorer import load_scorer

    scorer = load_scorer()
    found = scorer_features(r, settings)
    p = scorer.probability(found)
    if p >= (settings.answer_threshold or scorer.threshold):
        if why := mismatch(r.ranked[0].candidate.text, r.standalone):
            return Decision(False, p, why, partial=True)
        return Decision(True, p)
    if not found.missing:
        return Decision(False, p, "the closest sentences don't hold what the question asks for", partial=True)
    claim = NOT_CLOSE if found.everywhere else NOT_QUOTED
    reason = claim.format(what=" or ".join(found.missing))
    return Decision(False, p, reason, partial=True, missing=found.missing, claim=claim)


def scorer_features(r: Ranked, settings: Settings) -> Features:
    """The answer scorer's inputs for the best of ``r.ranked``: the pure features of ``rag.answer.answerability``,
    with how close a text's words come to the verb the question asks about by the embedding model's input
    word vectors (``rag.embedding.words``; 0.0 without them)."""
    vectors = word_vectors(settings.model)

    def closeness(verb: str, text: str) -> float:
        return vectors.closeness(verb, _content_words(text)) if vectors else 0.0

    idf = r.idf or ex.pool_idf([s.candidate.text for s in r.ranked])
    return answer_features(r.standalone, r.ranked, r.hits, idf, closeness)


def _content_words(text: str) -> list[str]:
    """The words a verb's paraphrase can be: lower-case (names are not), not function words."""
    return [w for w in words(text) if w.isalpha() and w.islower() and w not in STOPWORDS]


def unmentioned(index: Store, phrases: Sequence[str]) -> tuple[str, ...]:
    """The phrases no indexed passage mentions: what "the articles never mention X" may claim.

    A name the retrieved passages lack is usually somewhere else in the index (on the fit halves, 97
    of 98 news-dev and 269 of 276 xquad-en such names were), so the claim is checked, not assumed:
    BM25 over the whole index must score no passage for the phrase (or its initials). A phrase a word
    search cannot rule out (a figure, an acronym, an alias: ``rag.answer.terms.literal``; a word BM25
    drops) is never claimed absent.
    """
    out = []
    for phrase in phrases:
        terms = question_terms(phrase)
        if not terms or not all(map(literal, terms)) or not all(tokenize([t.text for t in terms])):
            continue
        query = " ".join([phrase, *(t.acronym for t in terms if t.acronym)])  # "XJ" is Xi Jinping too
        if not any(score > 0 for _, score in index.search_lexical(query, 1, None)):
            out.append(phrase)
    return tuple(out)


def _shortlist(question: str, pool: list[ex.Candidate]) -> list[ex.Candidate]:
    """Cheap lexical pre-ranking so only EMBED_LIMIT sentences pay for an embedding."""
    if len(pool) <= EMBED_LIMIT:
        return pool
    stems = ex.content_stems(question)
    idf = ex.pool_idf([c.text for c in pool])
    keyed = sorted(pool, key=lambda c: -(ex.lexical_overlap(stems, c.text, idf) + 0.3 / c.hit.rank))
    return keyed[:EMBED_LIMIT]


def _cosines(
    index: Store, question: str, query_vector: np.ndarray, pool: list[ex.Candidate]
) -> tuple[list[ex.Candidate], list[float]]:
    """Each candidate's cosine to the question, from the index's stored sentence vectors.

    Candidates without a stored vector are shortlisted and embedded now.
    """
    by_chunk: dict[str, np.ndarray | None] = {}
    stored, lacking = [], []
    for c in pool:
        if c.hit.chunk.id not in by_chunk:
            by_chunk[c.hit.chunk.id] = index.sentence_vectors(c.hit.chunk)
        vectors = by_chunk[c.hit.chunk.id]
        if vectors is not None and 0 <= c.sentence < len(vectors) and vectors[c.sentence].any():
            stored.append((c, float(vectors[c.sentence] @ query_vector)))
        else:
            lacking.append(c)
    lacking = _shortlist(question, lacking)
    fresh = index.embedder.encode([c.text for c in lacking]) @ query_vector if lacking else []
    return [c for c, _ in stored] + lacking, [x for _, x in stored] + [float(x) for x in fresh]
