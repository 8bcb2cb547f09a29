"""Parse ``[n]`` citation markers and check each answer sentence against what it cites.

The check is the project's guard against invented facts. A sentence is
*supported* when its content words and, above all, its names and numbers are
found in the cited passage; *weak* when only some are; *unsupported* when it
cites nothing valid or its names and numbers are not there ("a journalist
named Alexei Petrov" cited to a passage with no Petrov). Lexical evidence is
combined with an embedding similarity that the caller injects, so this module
stays pure and testable without a model.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from rag.answer.lexicon import STOPWORDS
from rag.answer.markers import MARKER, numbers, split_markers
from rag.answer.text import content_stems, name_spans, number_spans, stem
from rag.text.sentences import chunk_sentences, split_sentences
from rag.types import Chunk, SentenceSupport, Verdict

Similarity = Callable[[Sequence[str], Sequence[str]], Sequence[float]]


@dataclass(frozen=True)
class Claim:
    """One answer sentence: its text without markers and the source numbers it cites."""

    text: str
    citations: tuple[int, ...]


def parse_claims(answer: str, valid: set[int]) -> list[Claim]:
    """Split an answer into sentences and their citations; numbers outside ``valid`` are dropped.

    Markers are taken out before sentence splitting (they confuse the segmenter) and
    then given to the sentence they follow: "... buildup [1]." and "... buildup. [1]" alike.
    """
    text, markers = split_markers(answer)
    # A marker then a period ends a sentence, whatever the segmenter makes of "2.4 [1]. Between ...".
    cuts = sorted({p + 1 for p, _ in markers if text[p : p + 1] in ".!?" and text[p + 1 : p + 2].isspace()})
    bounds = [0, *cuts, len(text)]
    spans = [(a + s, a + e) for a, b in zip(bounds, bounds[1:]) for s, e in split_sentences(text[a:b])]
    cited: list[list[int]] = [[] for _ in spans]
    for position, marked in markers:
        owner = max((i for i, (start, _) in enumerate(spans) if start < position), default=0)
        if spans:
            cited[owner].extend(marked)
    return [Claim(text[a:b], _unique(tuple(n), valid)) for (a, b), n in zip(spans, cited)]


def strip_invalid_markers(answer: str, valid: set[int]) -> str:
    def keep(match: re.Match) -> str:
        kept = [str(n) for n in numbers(match) if n in valid]
        return f" [{', '.join(kept)}]" if kept else ""

    return MARKER.sub(keep, answer)


def _unique(numbers: tuple[int, ...], valid: set[int]) -> tuple[int, ...]:
    return tuple(dict.fromkeys(n for n in numbers if n in valid))


def facts(text: str) -> set[str]:
    """Names and numbers: the parts of a claim that must not be invented."""
    found = {stem(w) for span in name_spans(text) for w in span.text.split() if w.lower() not in STOPWORDS}
    found |= {re.sub(r"[^\d]", "", s.text) for s in number_spans(text)} - {""}
    return found


def _norm(token: str) -> str:
    """Numbers compare by their digits: '5,000' in a claim matches '5,000-word' in a passage."""
    return re.sub(r"[^\d]", "", token) if any(ch.isdigit() for ch in token) else token


def lexical_support(claim: str, passage: str) -> tuple[float, float]:
    """(share of the claim's content stems in the passage, share of its names/numbers there)."""
    passage_stems = {_norm(s) for s in content_stems(passage)} | {re.sub(r"[^\d]", "", w) for w in passage.split()}
    claim_stems = [_norm(s) for s in content_stems(claim)]
    words = sum(s in passage_stems for s in claim_stems) / len(claim_stems) if claim_stems else 0.0
    claim_facts = facts(claim)
    passage_facts = facts(passage) | passage_stems
    fact_share = sum(f in passage_facts for f in claim_facts) / len(claim_facts) if claim_facts else 1.0
    return words, fact_share


def check_claims(
    claims: Sequence[Claim],
    passages: Mapping[int, str],
    similarity: Similarity | None = None,
    quotes: Mapping[int, str] | None = None,
) -> list[SentenceSupport]:
    """A verdict for every claim against the passages it cites (the best-supporting one counts).

    Lexical evidence is read from the whole cited passage; embedding evidence, when a
    ``similarity`` is given, from the cited ``quotes`` (the supporting sentences) if known.
    """
    pairs = [(i, n) for i, c in enumerate(claims) for n in c.citations if n in passages]
    # Embedding evidence compares a claim with its quoted sentence: short texts, cheap to embed.
    targets = quotes or passages
    cosines = (
        list(similarity([claims[i].text for i, _ in pairs], [targets[n] for _, n in pairs]))
        if (similarity and pairs)
        else [0.0] * len(pairs)
    )
    best: dict[int, float] = {}
    for (i, n), cosine in zip(pairs, cosines):
        best[i] = max(best.get(i, 0.0), support_score(claims[i].text, passages[n], cosine, similarity is not None))
    return [
        SentenceSupport(c.text, c.citations, verdict(best.get(i, 0.0)), round(best.get(i, 0.0), 4))
        for i, c in enumerate(claims)
    ]


def support_score(claim: str, passage: str, cosine: float, have_cosine: bool) -> float:
    words, fact_share = lexical_support(claim, passage)
    lexical = 0.6 * words + 0.4 * fact_share
    score = 0.7 * lexical + 0.3 * cosine if have_cosine else lexical
    # An invented name or number caps the score, however fluent the rest is.
    return min(score, fact_share) if fact_share < 1.0 else score


SUPPORTED = 0.62
WEAK = 0.4


def verdict(score: float) -> Verdict:
    if score >= SUPPORTED:
        return "supported"
    return "weak" if score >= WEAK else "unsupported"


def best_quote(claim: str, chunk: Chunk) -> tuple[int, int]:
    """Offsets (within the chunk's text) of its sentence that best supports ``claim``."""
    passage = chunk.text
    spans = chunk_sentences(chunk) or ((0, len(passage)),)
    return max(spans, key=lambda span: lexical_support(claim, passage[span[0] : span[1]]))
