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
learned scorer on the same index in the same run, and gives the change in answered
correct with a bootstrap interval (``rag.eval.intervals``); ``--reuse-index`` answers
from the saved ``--index-dir`` index instead of building a scratch one. The
reliability table bins the answer's confidence against how often it was right;
``--curve`` adds the operating curve (``rag.eval.tradeoff``): what every abstention
threshold would answer, withhold and cite. What is counted is ``rag.eval.scores``.
"""

from __future__ import annotations

import json
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from rag.eval.intervals import Interval, paired_difference
from rag.eval.retrieval import Question, read_questions
from rag.eval.scores import AnswerScores, answered_right, score_answers
from rag.eval.split import article_key
from rag.eval.tradeoff import FLOOR, THRESHOLDS, operating_curve, render_curve
from rag.readers.files import read_path
from rag.settings import Settings
from rag.types import Answer

BASELINE = "baseline (no selector, no scorer)"
#: The answerer with "now" at each question's date, when every question has one (a news quiz asked that day).
DATED = "new@question-date"
#: ``--curve``: the answerer with the scorer's threshold at its floor, from which every threshold's figures follow.
CURVE = "new@threshold-floor"


def baseline_settings(settings: Settings) -> Settings:
    """The answerer before issue 14 (hand-weighted sentence scores over the retrieved passages only):
    what ``--baseline`` and the 100k benchmark compare against in the same run."""
    return settings.replace(answer_selector=False, answer_scorer=False, article_passages=0)


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
    curve: bool = False,
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
    if curve:
        runs[CURVE] = runs["new"].replace(answer_threshold=FLOOR)
    dated = frozenset({DATED} if questions and all(q.date for q in questions) else ())
    if dated:
        runs[DATED] = runs["new"]
    if reuse_index and not holdout:
        index = open_index(settings)
        index.embedder.encode_query("warm up")
        answered = run_answers(index, questions, runs, dated)
    else:
        with tempfile.TemporaryDirectory(prefix="rag-eval-") as tmp:
            scratch = scratch_settings(settings, Path(tmp))
            index = build_scratch([a for a in articles if a.id not in held], scratch, progress=True)
            index.embedder.encode_query("warm up")
            answered = run_answers(index, questions, runs, dated)
            close(scratch)  # Milvus Lite: let go of the scratch database before its folder goes
    floor = answered.pop(CURVE, None)
    results = {name: score_answers(pairs) for name, pairs in answered.items()}
    scores = results["new"]
    for name, result in results.items():
        print(f"{name}:")
        print(render_answer_scores(result))
    print(scorer_note(settings))
    print(render_reliability(scores))
    data = scores.to_dict()
    if floor is not None:
        in_use = threshold_in_use(settings)
        points = operating_curve(floor, {*THRESHOLDS, in_use})
        print(render_curve(points, in_use))
        data["curve"] = {"in_use": in_use, "points": [asdict(p) for p in points]}
    if baseline:
        data["baseline"] = results[BASELINE].to_dict()
        change = answered_correct_change(answered["new"], answered[BASELINE])
        print(render_change(change))
        data["answered_correct_change"] = asdict(change)
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
    threshold = threshold_in_use(settings)
    return (
        f"answer scorer v{scorer.version}: answers at confidence >= {threshold:.2f} "
        f"(chosen so that abstentions are right >= {scorer.precision:.0%} of the time, out of fold on the fit halves)"
    )


def threshold_in_use(settings: Settings) -> float:
    """The threshold the answerer uses: ``RAG_ANSWER_THRESHOLD``, else the one shipped with the scorer."""
    from rag.answer.scorer import load_scorer

    return settings.answer_threshold or load_scorer().threshold


def answered_correct_change(
    new: list[tuple[Question, Answer, float]], base: list[tuple[Question, Answer, float]]
) -> Interval:
    """Answered correct, new minus baseline, on the same answerable questions: with a bootstrap interval
    over their articles (``rag.eval.intervals``), since the target is a drop the next question set must keep."""
    pairs = [(q, a, b) for (q, a, _), (_, b, _) in zip(new, base, strict=True) if q.answerable]
    return paired_difference(
        [float(answered_right(q, a)) for q, a, _ in pairs],
        [float(answered_right(q, b)) for q, _, b in pairs],
        [article_key(sorted(q.relevant)) or q.id for q, _, _ in pairs],
    )


def render_change(c: Interval) -> str:
    return (
        f"answered correct, new minus baseline: {100 * c.estimate:+.1f} points "
        f"({c.level:.0%} interval {100 * c.low:+.1f} to {100 * c.high:+.1f}; paired bootstrap over {c.groups} articles)"
    )
