"""What ``rag eval answers`` counts: answers, short answers, citations, abstention and calibration.

Pure: a list of (question, answer, milliseconds) in, one ``AnswerScores`` out, so the
answers eval and the operating curve (``rag.eval.tradeoff``) count the same way.
"""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field

from rag.eval.matching import contains, normalize, token_f1
from rag.eval.retrieval import Question, percentile
from rag.types import Answer


@dataclass(frozen=True)
class AnswerScores:
    questions: int
    answerable: int
    unanswerable: int
    contains_accuracy: float  # answerable questions whose answer text holds a gold answer
    token_f1: float  # best F1 of the short answer against the gold spans
    citation_precision: float  # cited quotes that hold the gold answer or evidence
    # Citations into an article labelled relevant (news-dev's document-level view); None: no labels.
    citation_in_relevant: float | None
    correct_abstention: float  # share of unanswerable questions abstained on
    wrong_abstention: float  # share of answerable questions abstained on
    p50_ms: float
    p95_ms: float
    exact_match: float = 0.0  # short answer equals a gold span (normalised), answerable questions
    answered_correct: float = 0.0  # answerable questions answered (not abstained) with a gold answer in the text
    partial: float = 0.0  # share of all questions given the partial form
    # (low, high, questions, share right) per confidence bin: is a 0.8 answer right 80% of the time?
    reliability: tuple[tuple[float, float, int, float], ...] = field(default=())

    def to_dict(self) -> dict:
        data = asdict(self)
        data["reliability"] = [list(b) for b in self.reliability]
        return data


def short_answer(answer: Answer) -> str:
    """The lead span when the answer has one, else its first sentence."""
    if answer.short_answer:
        return answer.short_answer
    return answer.sentences[0].text if answer.sentences else answer.text


def answered_right(question: Question, answer: Answer) -> bool:
    """An answerable question answered (not abstained) with a gold answer in the text: "answered correct"."""
    # A partial answer quotes on-topic text that may hold the gold words; it still answers nothing.
    return question.answerable and not answer.abstained and contains(answer.text, question.answers)


def score_answers(pairs: list[tuple[Question, Answer, float]]) -> AnswerScores:
    answerable = [(q, a) for q, a, _ in pairs if q.answerable]
    unanswerable = [(q, a) for q, a, _ in pairs if not q.answerable]
    answered = [(q, a) for q, a in answerable if not a.abstained]
    hits = sum(answered_right(q, a) for q, a in answerable)
    f1 = [
        max((token_f1(short_answer(a), g) for g in q.answers), default=0.0) if not a.abstained else 0.0
        for q, a in answerable
    ]
    em = [not a.abstained and any(normalize(short_answer(a)) == normalize(g) for g in q.answers) for q, a in answerable]
    cited = [
        contains(c.quote, q.answers + ((q.evidence,) if q.evidence else ())) for q, a in answered for c in a.citations
    ]
    in_relevant = [c.article_id in q.relevant for q, a in answered for c in a.citations if q.relevant]
    latencies = [ms for _, _, ms in pairs]
    return AnswerScores(
        questions=len(pairs),
        answerable=len(answerable),
        unanswerable=len(unanswerable),
        contains_accuracy=hits / max(len(answerable), 1),
        token_f1=sum(f1) / max(len(f1), 1),
        citation_precision=sum(cited) / max(len(cited), 1),
        citation_in_relevant=sum(in_relevant) / len(in_relevant) if in_relevant else None,
        correct_abstention=sum(a.abstained for _, a in unanswerable) / max(len(unanswerable), 1),
        wrong_abstention=sum(a.abstained for _, a in answerable) / max(len(answerable), 1),
        p50_ms=statistics.median(latencies) if latencies else 0.0,
        p95_ms=percentile(latencies, 95),
        exact_match=sum(em) / max(len(em), 1),
        answered_correct=hits / max(len(answerable), 1),
        partial=sum(a.partial for _, a, _ in pairs) / max(len(pairs), 1),
        reliability=reliability(
            [
                (a.confidence, q.answerable and contains(_answer_part(a), q.answers))
                for q, a, _ in pairs
                if a.confidence > 0
            ]
        ),
    )


def _answer_part(answer: Answer) -> str:
    """What the answer would have said: the text, or for a partial answer the sentence it quotes."""
    return " ".join(c.quote for c in answer.citations) if answer.partial else answer.text


def reliability(points: list[tuple[float, bool]], bins: int = 5) -> tuple[tuple[float, float, int, float], ...]:
    out = []
    for b in range(bins):
        low, high = b / bins, (b + 1) / bins
        inside = [right for p, right in points if low <= p < high or (b == bins - 1 and p == 1.0)]
        out.append((low, high, len(inside), sum(inside) / len(inside) if inside else 0.0))
    return tuple(out)
