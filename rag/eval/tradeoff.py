"""The answerer's operating curve: what each abstention threshold would answer, withhold and cite.

The learned scorer's threshold (``RAG_ANSWER_THRESHOLD``; by default the one
shipped with the scorer) trades answers for abstentions: raise it and fewer
unanswerable questions get an answer, but so do fewer answerable ones, and the
citations left are more often right. ``rag eval answers --curve`` shows that
trade, so an operator can pick a threshold for the precision they need and see
what it costs.

It needs one extra run, with the threshold at its floor (``FLOOR``), not one run
per threshold: ``rag.answer.decision`` compares the scorer's probability with the
threshold and nothing else, so an answer is the same at every threshold it
clears, and withholding the floor run's answers below ``t`` is exactly the run at
``t``. Pure: scored by ``rag.eval.scores``, as the eval's own table is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from rag.eval.retrieval import Question
from rag.eval.scores import score_answers
from rag.types import Answer

#: "Answer whatever the rules let through": ``Settings.answer_threshold`` = 0.0 means the shipped threshold.
FLOOR = 1e-6
THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(1, 15))  # 0.05 ... 0.70


@dataclass(frozen=True)
class OperatingPoint:
    """The answerer's figures had it answered only at confidence >= ``threshold``."""

    threshold: float
    answered_correct: float  # answerable questions answered with a gold answer in the text
    citation_precision: float  # cited quotes of answered answerable questions that hold the gold answer
    withheld: float  # unanswerable questions not answered (abstained, or the partial form)
    wrong_abstention: float  # answerable questions not answered


def withheld_below(
    pairs: Sequence[tuple[Question, Answer, float]], threshold: float
) -> list[tuple[Question, Answer, float]]:
    """The run as it would have gone at ``threshold``: answers below it become abstentions."""
    return [
        (q, a if a.abstained or a.confidence >= threshold else replace(a, abstained=True), ms) for q, a, ms in pairs
    ]


def operating_curve(
    pairs: Sequence[tuple[Question, Answer, float]], thresholds: Iterable[float] = THRESHOLDS
) -> tuple[OperatingPoint, ...]:
    """One point a threshold, lowest first, from a run at ``FLOOR``."""
    points = []
    for threshold in sorted(thresholds):
        s = score_answers(withheld_below(pairs, threshold))
        points.append(
            OperatingPoint(
                threshold, s.answered_correct, s.citation_precision, s.correct_abstention, s.wrong_abstention
            )
        )
    return tuple(points)


def render_curve(points: Sequence[OperatingPoint], in_use: float) -> str:
    """A table, the row of the threshold in use marked."""
    lines = [
        "| threshold | answered correct | citation precision | unanswerable withheld | answerable withheld |",
        "|---|---|---|---|---|",
    ]
    for p in points:
        mark = " (in use)" if abs(p.threshold - in_use) < 1e-9 else ""
        lines.append(
            f"| {p.threshold:.2f}{mark} | {p.answered_correct:.3f} | {p.citation_precision:.3f} "
            f"| {p.withheld:.3f} | {p.wrong_abstention:.3f} |"
        )
    return "\n".join(lines)
