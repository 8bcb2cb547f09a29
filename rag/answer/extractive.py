"""The offline answerer's core: pick the sentences that answer a question, and compose a cited answer.

Embedding cosine alone picks the wrong sentence for "Who warned Russia?" (a
sentence about Biden warning Putin outscores the Burns sentence), so a
sentence's score mixes four kinds of evidence, with weights tuned on the dev
sets: cosine to the question, IDF-weighted overlap of the question's content
stems (warn/warned), whether it holds what the question type asks for (a name
for "who", a number for "how many"), and the rank of the passage it came from.
That hand-weighted score is one input of the learned selector
(``rag.answer.selection``), which orders the sentences the answer quotes; with the
selector off (``Settings.answer_selector``) it orders them itself.
Pure: sentence cosines are computed by the caller and passed in.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from rag.answer.qtypes import has_type, question_type
from rag.answer.reference import referred_names
from rag.answer.spans import answer_span
from rag.answer.text import content_stems, words
from rag.text.query import is_authorship, is_credit
from rag.text.sentences import chunk_sentences
from rag.types import Hit


@dataclass(frozen=True)
class Weights:
    """Grid-searched on xquad-en (half the articles held out) and news-dev, 1,562 questions.

    ``untyped`` = 0.9 scored 1-3 points higher on the dev sets but let an injected sentence that
    restates the question outrank the real answer, so the stronger 0.75 penalty is kept.
    """

    cosine: float = 0.6
    lexical: float = 0.35
    qtype: float = 0.06
    rank: float = 0.08
    untyped: float = 0.75


@dataclass(frozen=True)
class Candidate:
    """A sentence of a retrieved passage, with offsets into its article."""

    hit: Hit
    start: int
    end: int
    text: str
    sentence: int = -1  # position in chunk_sentences(hit.chunk); -1 if not one of them
    refers: str = ""  # who the sentence means but does not name ("the two leaders"): rag.answer.reference

    @property
    def read(self) -> str:
        """The sentence as its words are matched: with the names it refers to."""
        return f"{self.text} {self.refers}" if self.refers else self.text


@dataclass(frozen=True)
class Scored:
    candidate: Candidate
    score: float
    cosine: float
    lexical: float
    typed: bool

    def rescored(self, score: float) -> Scored:
        """The same sentence with another score (not ``dataclasses.replace``, which reads the fields anew
        on every call: the selector rescores every candidate of every question)."""
        return Scored(self.candidate, score, self.cosine, self.lexical, self.typed)


def candidates(hits: Sequence[Hit], limit_per_hit: int = 40) -> list[Candidate]:
    """Sentences of the hits, each article span once (overlapping chunks repeat sentences)."""
    seen: set[tuple[str, int]] = set()
    out = []
    for hit in hits:
        chunk = hit.chunk
        for position, (start, end) in enumerate(chunk_sentences(chunk)[:limit_per_hit]):
            key = (chunk.article_id, chunk.start + start)
            # A question never answers a question, and a fragment is not a claim.
            if key in seen or end - start < 12 or chunk.text[start:end].rstrip("”\"' ").endswith("?"):
                continue
            seen.add(key)
            text = chunk.text[start:end]
            refers = referred_names(text, chunk.text[:start])
            out.append(Candidate(hit, chunk.start + start, chunk.start + end, text, position, refers))
    return out


def lexical_overlap(question_stems: Sequence[str], sentence: str, idf: dict[str, float]) -> float:
    """IDF-weighted share of the question's content stems found in the sentence."""
    wanted = set(question_stems)
    if not wanted:
        return 0.0
    present = set(content_stems(sentence))
    total = sum(idf.get(s, 1.0) for s in wanted)
    return sum(idf.get(s, 1.0) for s in wanted if s in present) / total


def pool_idf(texts: Sequence[str]) -> dict[str, float]:
    df = Counter(s for text in texts for s in set(content_stems(text)))
    n = len(texts) + 1
    return {stem: math.log(1 + n / (1 + count)) for stem, count in df.items()}


def score_candidates(
    question: str,
    pool: Sequence[Candidate],
    cosines: Sequence[float],
    weights: Weights = Weights(),
    idf: dict[str, float] | None = None,
) -> list[Scored]:
    """Candidates scored and sorted best first. ``idf``: the pool's ``pool_idf``, when the caller has it."""
    qtype = question_type(question)
    stems = content_stems(question)
    idf = pool_idf([c.text for c in pool]) if idf is None else idf
    authorship = is_authorship(question)
    scored = []
    for candidate, cosine in zip(pool, cosines):
        lexical = lexical_overlap(stems, candidate.read, idf)
        if authorship:  # bylines and bios answer "who wrote this?" without sharing its words
            lexical = max(lexical, 1.0 if is_credit(candidate.text) else 0.0)
        typed = qtype != "other" and has_type(candidate.text, qtype, question)
        rank_prior = 1.0 / math.sqrt(candidate.hit.rank)
        score = (
            weights.cosine * cosine
            + weights.lexical * lexical
            + weights.qtype * (1.0 if typed else 0.0 if qtype != "other" else 0.5)
            + weights.rank * rank_prior
        )
        if qtype != "other" and not typed:
            score *= weights.untyped  # a "who" question's answer names someone: others rarely answer it
        scored.append(Scored(candidate, score, cosine, lexical, typed))
    return sorted(scored, key=lambda s: -s.score)


def confidence(best: Scored) -> float:
    """How sure the best sentence answers at all: evidence that both meaning and words match."""
    return 0.5 * best.cosine + 0.5 * best.lexical


@dataclass(frozen=True)
class Draft:
    """The composed answer before citations get numbers: lead span and chosen sentences."""

    lead: str | None
    sentences: tuple[Scored, ...]


@dataclass(frozen=True)
class Keep:
    """When the runner-up sentence joins the best in the answer: at ``ratio`` of the best's score, or at
    ``after_lead`` of it once the best gave a short answer span (``math.inf``: then never)."""

    ratio: float = 0.9
    after_lead: float = math.inf


def compose(question: str, ranked: Sequence[Scored], max_sentences: int = 2, keep: Keep = Keep()) -> Draft:
    """A short lead span from the best sentence, quoted with up to one close runner-up.

    A near tie means either sentence may hold the answer, so both are quoted; after a lead span the
    tie must be closer, since the best already gives an answer of the asked kind.
    """
    if not ranked:
        return Draft(None, ())
    best = ranked[0]
    span = answer_span(best.candidate.text, question, question_type(question))
    lead = span.text if span and span.text != best.candidate.text else None
    ratio = keep.after_lead if lead else keep.ratio
    chosen = [best]
    for other in ranked[1:]:
        if len(chosen) >= max_sentences or other.score < ratio * best.score:
            break
        if not _restates(other.candidate.text, best.candidate.text):
            chosen.append(other)
    return Draft(lead, tuple(chosen))


def _restates(sentence: str, best: str) -> bool:
    """The same words as the best sentence, up to case and punctuation: a wire copy in another article
    ("… again, but did write …" beside "… again but did write …") that would only quote it twice."""
    return [w.lower() for w in words(sentence)] == [w.lower() for w in words(best)]
