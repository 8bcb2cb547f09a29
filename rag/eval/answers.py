"""``rag eval answers``: answer quality, citation precision, abstention and latency.

Abstention is measured, not assumed: with ``--holdout F`` a fraction of the
corpus's documents (grouped by the part of the id before '#', so all paragraphs
of one article go together) is left out of the index, and questions about them
become unanswerable. Questions marked ``answerable: false`` count the same way
(``python -m bench.unanswerable`` writes in-topic ones: the article is indexed,
the asked detail is not in it). A partial answer ("The articles don't say …")
counts as an abstention. Questions that all carry a date (news quizzes) are
also answered as of that date, the day they were asked ("new@question-date";
retrieval's eval has the same view). ``--baseline`` also runs the answerer without the
learned scorer on the same index in the same run; ``--reuse-index`` answers
from the saved ``--index-dir`` index instead of building a scratch one. The
reliability table bins the answer's confidence against how often it was right.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rag.eval.matching import contains, normalize, token_f1
from rag.eval.retrieval import Question, percentile, read_questions
from rag.readers.files import read_path
from rag.settings import Settings
from rag.types import Answer

BASELINE = "baseline (no selector, no scorer)"
#: The answerer with "now" at each question's date, when every question has one (a news quiz asked that day).
DATED = "new@question-date"


def baseline_settings(settings: Settings) -> Settings:
    """The answerer before issue 14 (hand-weighted sentence scores over the retrieved passages only):
    what ``--baseline`` and the 100k benchmark compare against in the same run."""
    return settings.replace(answer_selector=False, answer_scorer=False, article_passages=0)


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


def score_answers(pairs: list[tuple[Question, Answer, float]]) -> AnswerScores:
    answerable = [(q, a) for q, a, _ in pairs if q.answerable]
    unanswerable = [(q, a) for q, a, _ in pairs if not q.answerable]
    answered = [(q, a) for q, a in answerable if not a.abstained]
    # A partial answer quotes on-topic text that may hold the gold words; it still answers nothing.
    hits = sum(contains(a.text, q.answers) for q, a in answered)
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


def holdout_split(doc_ids: list[str], fraction: float) -> set[str]:
    """Every other document group, up to ``fraction`` of groups: deterministic, no RNG."""
    groups = sorted({d.split("#")[0] for d in doc_ids})
    step = round(1 / fraction) if fraction > 0 else 0
    held = {g for i, g in enumerate(groups) if step and i % step == 1}
    return {d for d in doc_ids if d.split("#")[0] in held}


def run_answers(
    index, questions: list[Question], runs: dict[str, Settings], dated: frozenset[str] = frozenset()
) -> dict[str, list[tuple[Question, Answer, float]]]:
    """Every question answered under each of ``runs``, timed; the runs named in ``dated`` as of each question's date.

    The runs take turns going first, question by question: answering fills per-text caches (sentence
    spans, stems, keys), so whichever run read a passage first would pay for both."""
    from rag.answer import answer_question

    out: dict[str, list[tuple[Question, Answer, float]]] = {name: [] for name in runs}
    order = list(runs.items())
    for n, q in enumerate(questions):
        for name, settings in order[n % len(order) :] + order[: n % len(order)]:
            if name in dated and q.date:
                settings = settings.replace(as_of=q.date)
            start = time.perf_counter()
            answer = answer_question(index, q.question, (), settings)
            out[name].append((q, answer, (time.perf_counter() - start) * 1000))
    return out


def evaluate_answers(
    corpus: Path,
    questions_path: Path,
    settings: Settings,
    *,
    limit=None,
    json_out=None,
    holdout: float = 0.0,
    baseline: bool = False,
    reuse_index: bool = False,
) -> AnswerScores:
    from rag.stores import build_scratch, close, open_index, scratch_settings

    questions = read_questions(questions_path, limit)
    articles = read_path(corpus) if not reuse_index or holdout else []
    held = holdout_split([a.id for a in articles], holdout) if holdout else set()
    questions = [
        q
        if not (q.relevant and q.relevant <= held)
        else Question(q.id, q.question, q.relevant, q.answers, q.evidence, answerable=False)
        for q in questions
    ]
    runs = {"new": settings.replace(answer_selector=True, answer_scorer=True)}
    if baseline:
        runs[BASELINE] = baseline_settings(settings)
    dated = frozenset({DATED} if questions and all(q.date for q in questions) else ())
    if dated:
        runs[DATED] = runs["new"]
    if reuse_index and not holdout:
        index = open_index(settings)
        index.embedder.encode_query("warm up")
        results = {name: score_answers(pairs) for name, pairs in run_answers(index, questions, runs, dated).items()}
    else:
        with tempfile.TemporaryDirectory(prefix="rag-eval-") as tmp:
            scratch = scratch_settings(settings, Path(tmp))
            index = build_scratch([a for a in articles if a.id not in held], scratch, progress=True)
            index.embedder.encode_query("warm up")
            results = {name: score_answers(pairs) for name, pairs in run_answers(index, questions, runs, dated).items()}
            close(scratch)  # Milvus Lite: let go of the scratch database before its folder goes
    scores = results["new"]
    for name, result in results.items():
        print(f"{name}:")
        print(render_answer_scores(result))
    print(scorer_note(settings))
    print(render_reliability(scores))
    data = scores.to_dict()
    if baseline:
        data["baseline"] = results[BASELINE].to_dict()
    if dated:
        data["question_date"] = results[DATED].to_dict()
    report = json.dumps(data, indent=2)
    if json_out:
        Path(json_out).write_text(report + "\n", encoding="utf-8")
    print(report)
    return scores


def render_answer_scores(s: AnswerScores) -> str:
    return "\n".join(
        [
            "| questions | answerable | contains acc | EM | token F1 | citation precision | cited article relevant "
            "| correct abstain | wrong abstain | partial | p50 ms | p95 ms |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|",
            f"| {s.questions} | {s.answerable} | {s.contains_accuracy:.3f} | {s.exact_match:.3f} | {s.token_f1:.3f} "
            f"| {s.citation_precision:.3f} | {_share(s.citation_in_relevant)} | {s.correct_abstention:.3f} ({s.unanswerable}) | {s.wrong_abstention:.3f} "
            f"| {s.partial:.3f} | {s.p50_ms:.1f} | {s.p95_ms:.1f} |",
        ]
    )


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def render_reliability(s: AnswerScores) -> str:
    lines = ["| confidence | questions | right |", "|---|---|---|"]
    lines += [f"| {low:.1f}-{high:.1f} | {n} | {right:.3f} |" for low, high, n, right in s.reliability]
    return "\n".join(lines)


def scorer_note(settings: Settings) -> str:
    from rag.answer.scorer import load_scorer

    scorer = load_scorer()
    threshold = settings.answer_threshold or scorer.threshold
    return (
        f"answer scorer v{scorer.version}: answers at confidence >= {threshold:.2f} "
        f"(chosen so that abstentions are right >= {scorer.precision:.0%} of the time, out of fold on the fit halves)"
    )
