"""The shared ending of both answerers: markers parsed, each sentence checked, citations with exact spans.

The extractive path and the LLM path (``rag.answer.llm``) both finish here: the
answer text is parsed into sentences with their ``[n]`` markers, each sentence
is checked against the passage it cites, and every citation carries the exact
article span that supports it. Abstaining is an ``Answer`` too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from rag.answer.extractive import Candidate
from rag.answer.support import best_quote, check_claims, parse_claims
from rag.stores.base import Store
from rag.text.pages import page_label
from rag.types import Answer, Citation, Hit

if TYPE_CHECKING:
    from rag.answer.decision import Decision

ABSTAIN_TEXT = "The indexed articles don't contain an answer to this question."


def finish(
    index: Store, question: str, standalone: str, text: str, citations: list[Citation], hits: Sequence[Hit]
) -> Answer:
    """Parse markers, run the support check, and return the final ``Answer``."""
    citations = [_located(index, c) for c in citations]
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


def abstain(question: str, standalone: str, hits: Sequence[Hit], decision: Decision | None = None) -> Answer:
    return Answer(
        question=question,
        standalone_question=standalone,
        text=ABSTAIN_TEXT,
        abstained=True,
        related=tuple(hits[:3]),
        hits=tuple(hits),
        confidence=round(decision.confidence, 4) if decision else 0.0,
        abstain_reason=decision.reason if decision else "",
    )


def citation_for_claim(number: int, claim: str, hit: Hit) -> Citation:
    """The exact sentence of ``hit``'s passage that best supports ``claim``."""
    start, end = best_quote(claim, hit.chunk)
    return citation(number, Candidate(hit, hit.chunk.start + start, hit.chunk.start + end, hit.chunk.text[start:end]))


def citation(number: int, candidate: Candidate) -> Citation:
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


def _located(index: Store, citation: Citation) -> Citation:
    """The citation with its page or paragraph, for articles read from a PDF or DOCX."""
    label = page_label(index.articles.get(citation.article_id), citation.start)
    return replace(citation, location=label) if label else citation


def _similarity(index: Store):
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
