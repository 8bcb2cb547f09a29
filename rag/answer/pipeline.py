"""From a question to a checked, cited ``Answer``: the edge where retrieval, the model and the pure parts meet.

Both answerers end the same way: the answer text is parsed into sentences with
their ``[n]`` markers, each sentence is checked against the passage it cites,
and every citation carries the exact article span that supports it. The
extractive path is deterministic and offline; the LLM path (``rag.answer.llm``)
streams tokens and is checked the same way before it is shown.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from collections.abc import Iterator, Sequence

import numpy as np

from rag.answer import extractive as ex
from rag.answer.followup import rewrite_followup
from rag.answer.support import best_quote, check_claims, parse_claims
from rag.retrieve import check_question, search_index
from rag.settings import Settings
from rag.types import Answer, Citation, Hit, Turn

log = logging.getLogger(__name__)

ABSTAIN_TEXT = "The indexed articles don't contain an answer to this question."
# Sentences without a stored vector (an index saved before they existed) are embedded per question:
# at most this many, which bounds latency; 8 vs 24 kept dev accuracy.
EMBED_LIMIT = 8


def answer_question(index, question: str, history: Sequence[Turn], settings: Settings) -> Answer:
    final = None
    for final in stream_answer(index, question, history, settings):
        pass
    return final


def stream_answer(index, question: str, history: Sequence[Turn], settings: Settings) -> Iterator[Answer]:
    """Partial answers (text so far) while an LLM writes, then the checked final ``Answer`` last."""
    question = check_question(question)
    if settings.answerer != "extractive":
        from rag.answer.llm import stream_llm_answer

        yield from stream_llm_answer(index, question, history, settings)
        return
    yield extractive_answer(index, question, history, settings)


def extractive_answer(index, question: str, history: Sequence[Turn], settings: Settings) -> Answer:
    standalone = rewrite_followup(question, history)
    query_vector = index.embedder.encode_query(standalone)  # one encoding serves retrieval and scoring
    hits = search_index(index, standalone, settings.k, query_vector=query_vector, as_of=settings.as_of)
    pool = ex.candidates(hits)
    if not pool:
        return abstain(question, standalone, hits)
    pool, cosines = _cosines(index, standalone, query_vector, pool)
    ranked = ex.score_candidates(standalone, pool, cosines)
    if ex.confidence(ranked[0]) < settings.abstain_threshold:
        return abstain(question, standalone, hits)
    draft = ex.compose(standalone, ranked)
    citations = [_citation(i + 1, s.candidate) for i, s in enumerate(draft.sentences)]
    # Lead with the short answer, unless the quoted sentence already opens with it.
    opens_with_lead = draft.lead and draft.sentences[0].candidate.text.startswith(draft.lead)
    parts = [f"{draft.lead} [1]."] if draft.lead and not opens_with_lead else []
    parts += [_with_marker(s.candidate.text, i + 1) for i, s in enumerate(draft.sentences)]
    text = " ".join(parts)
    return replace(finish(index, question, standalone, text, citations, hits), short_answer=draft.lead or "")


def finish(index, question: str, standalone: str, text: str, citations: list[Citation], hits) -> Answer:
    """Parse markers, run the support check, and return the final ``Answer``."""
    by_number = {c.number: c for c in citations}
    claims = parse_claims(text, set(by_number))
    passages = {n: c.passage for n, c in by_number.items()}
    quotes = {n: c.quote for n, c in by_number.items()}
    verdicts = check_claims(claims, passages, similarity=_similarity(index), quotes=quotes)
    return Answer(
        question=question,
        standalone_question=standalone,
        text=text,
        citations=tuple(citations),
        sentences=tuple(verdicts),
        abstained=False,
        hits=tuple(hits),
    )


def abstain(question: str, standalone: str, hits: Sequence[Hit]) -> Answer:
    return Answer(
        question=question,
        standalone_question=standalone,
        text=ABSTAIN_TEXT,
        abstained=True,
        related=tuple(hits[:3]),
        hits=tuple(hits),
    )


def citation_for_claim(number: int, claim: str, hit: Hit) -> Citation:
    """The exact sentence of ``hit``'s passage that best supports ``claim``."""
    start, end = best_quote(claim, hit.chunk.text)
    return _citation(number, ex.Candidate(hit, hit.chunk.start + start, hit.chunk.start + end,
                                          hit.chunk.text[start:end]))


def _citation(number: int, candidate: ex.Candidate) -> Citation:
    hit = candidate.hit
    return Citation(
        number=number,
        article_id=hit.chunk.article_id,
        title=hit.title,
        url=hit.url,
        quote=candidate.text,
        start=candidate.start,
        end=candidate.end,
        chunk_id=hit.chunk.id,
        passage=hit.chunk.text,
        passage_start=hit.chunk.start,
    )


def _with_marker(sentence: str, number: int) -> str:
    """'…buildup.' -> '…buildup [1].' (the marker sits inside the sentence it supports)."""
    body = sentence.rstrip()
    tail = ""
    while body and body[-1] in ".!?”\"'’)":
        tail = body[-1] + tail
        body = body[:-1]
    return f"{body} [{number}]{tail or '.'}"


def _shortlist(question: str, pool: list[ex.Candidate]) -> list[ex.Candidate]:
    """Cheap lexical pre-ranking so only EMBED_LIMIT sentences pay for an embedding."""
    if len(pool) <= EMBED_LIMIT:
        return pool
    stems = ex.content_stems(question)
    idf = ex.pool_idf([c.text for c in pool])
    keyed = sorted(
        pool, key=lambda c: -(ex.lexical_overlap(stems, c.text, idf) + 0.3 / c.hit.rank)
    )
    return keyed[:EMBED_LIMIT]


def _cosines(
    index, question: str, query_vector: np.ndarray, pool: list[ex.Candidate]
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


def _similarity(index):
    def similarity(claims: Sequence[str], passages: Sequence[str]) -> list[float]:
        # A claim that quotes its passage word for word (the extractive answer, its lead span)
        # needs no model to be judged the same as what it quotes.
        differ = [i for i, (a, b) in enumerate(zip(claims, passages)) if not _verbatim(a, b)]
        out = [1.0] * len(claims)
        if differ:
            vectors = index.embedder.encode([claims[i] for i in differ] + [passages[i] for i in differ])
            a, b = vectors[: len(differ)], vectors[len(differ) :]
            for i, x in zip(differ, np.einsum("ij,ij->i", a, b)):
                out[i] = float(x)
        return out

    return similarity


def _verbatim(claim: str, quote: str) -> bool:
    body = claim.strip().rstrip(".!?;:")
    return bool(body) and body in quote
