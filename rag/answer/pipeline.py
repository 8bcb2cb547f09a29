"""From a question to a checked, cited ``Answer``: the edge where retrieval, the model and the pure parts meet.

The extractive path here is deterministic and offline; the LLM path
(``rag.answer.llm``) streams tokens. Both end in ``rag.answer.finish``: markers
parsed, each sentence checked against the passage it cites. Questions arrive
checked (``rag.api`` runs ``check_question`` once per ask).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import replace

import numpy as np

from rag.answer import extractive as ex
from rag.answer.finish import abstain, citation, finish
from rag.answer.followup import rewrite_followup
from rag.answer.markers import with_markers
from rag.retrieval.search import search_index
from rag.settings import Settings
from rag.stores.base import Store
from rag.types import Answer, Turn

log = logging.getLogger(__name__)

# Sentences without a stored vector (an index saved before they existed) are embedded per question:
# at most this many, which bounds latency; 8 vs 24 kept dev accuracy.
EMBED_LIMIT = 8


def answer_question(index: Store, question: str, history: Sequence[Turn], settings: Settings) -> Answer:
    *_, final = stream_answer(index, question, history, settings)
    return final


def stream_answer(index: Store, question: str, history: Sequence[Turn], settings: Settings) -> Iterator[Answer]:
    """Partial answers (text so far) while an LLM writes, then the checked final ``Answer`` last."""
    if settings.answerer != "extractive":
        from rag.answer.llm import stream_llm_answer

        yield from stream_llm_answer(index, question, history, settings)
        return
    yield extractive_answer(index, question, history, settings)


def extractive_answer(index: Store, question: str, history: Sequence[Turn], settings: Settings) -> Answer:
    standalone = rewrite_followup(question, history)
    query_vector = index.embedder.encode_query(standalone)  # one encoding serves retrieval and scoring
    hits = search_index(index, standalone, settings.k, query_vector=query_vector)
    pool = ex.candidates(hits)
    if not pool:
        return abstain(question, standalone, hits)
    pool, cosines = _cosines(index, standalone, query_vector, pool)
    ranked = ex.score_candidates(standalone, pool, cosines)
    if ex.confidence(ranked[0]) < settings.abstain_threshold:
        return abstain(question, standalone, hits)
    draft = ex.compose(standalone, ranked)
    citations = [citation(i + 1, s.candidate) for i, s in enumerate(draft.sentences)]
    # Lead with the short answer, unless the quoted sentence already opens with it.
    opens_with_lead = draft.lead and draft.sentences[0].candidate.text.startswith(draft.lead)
    parts = [f"{draft.lead} [1]."] if draft.lead and not opens_with_lead else []
    parts += [with_markers(s.candidate.text, [i + 1]) for i, s in enumerate(draft.sentences)]
    text = " ".join(parts)
    return replace(finish(index, question, standalone, text, citations, hits), short_answer=draft.lead or "")


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
