"""Scoring ranked passages and answers, with the project's own definitions.

Retrieval is scored at document level (the data README's rule): a question is
found at k when any of the top-k passages comes from one of its relevant
documents; MRR uses the rank of the first such passage within the top 10.
``answer in top-4`` asks whether the gold answer string (normalised, as a
substring) appears in any of the top-4 passages: the context an LLM would get
from the LangChain recipe's ``k=4``. Answers and citations of ``ours`` are
scored by ``rag.eval.scores.score_answers`` (contains-accuracy, citation
precision = cited quotes that contain a gold answer).
"""

from __future__ import annotations

from collections.abc import Sequence

from rag.eval.matching import contains
from rag.eval.retrieval import Question
from rag.eval.scores import score_answers

CUTOFFS = (1, 4, 10)
CONTEXT_K = 4


def retrieval_figures(questions: Sequence[Question], results: Sequence[list[tuple[str, str]]]) -> dict:
    """``results[i]`` is the ranked ``(article_id, passage)`` list for ``questions[i]``."""
    found = {k: 0 for k in CUTOFFS}
    reciprocal = 0.0
    in_context = 0
    with_answers = 0
    for q, passages in zip(questions, results, strict=True):
        ranks = [i + 1 for i, (doc, _) in enumerate(passages[: max(CUTOFFS)]) if doc in q.relevant]
        first = ranks[0] if ranks else None
        for k in CUTOFFS:
            found[k] += first is not None and first <= k
        reciprocal += 1 / first if first else 0.0
        if q.answers:
            with_answers += 1
            in_context += any(contains(text, q.answers) for _, text in passages[:CONTEXT_K])
    n = max(len(questions), 1)
    return {
        "questions": len(questions),
        **{f"recall@{k}": round(found[k] / n, 4) for k in CUTOFFS},
        "mrr": round(reciprocal / n, 4),
        f"answer_in_top{CONTEXT_K}": round(in_context / with_answers, 4) if with_answers else None,
    }


def first_ranks(questions: Sequence[Question], results: Sequence[list[tuple[str, str]]]) -> dict[str, int | None]:
    """Per question id: rank of the first passage from a relevant document (None: not in the top 10)."""
    out = {}
    for q, passages in zip(questions, results, strict=True):
        ranks = [i + 1 for i, (doc, _) in enumerate(passages[: max(CUTOFFS)]) if doc in q.relevant]
        out[q.id] = ranks[0] if ranks else None
    return out


def paired(ranks: dict, base: dict, k: int = CONTEXT_K) -> dict:
    """Questions found within ``k`` by only one of two systems (the rest both or neither found)."""

    def found(rank):
        return rank is not None and rank <= k

    return {
        "k": k,
        "only_this": sum(found(ranks[q]) and not found(base[q]) for q in ranks),
        "only_ours": sum(found(base[q]) and not found(ranks[q]) for q in ranks),
    }


def answer_figures(pairs: list) -> dict:
    """``pairs`` of ``(Question, Answer, ms)``; latency is summarised elsewhere."""
    s = score_answers(pairs)
    return {
        "questions": s.answerable,
        "contains_accuracy": round(s.contains_accuracy, 4),
        "citation_precision": round(s.citation_precision, 4),
        "token_f1": round(s.token_f1, 4),
        "abstained": round(s.wrong_abstention, 4),
        "citations": sum(len(a.citations) for _, a, _ in pairs if not a.abstained),
    }
