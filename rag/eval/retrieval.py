"""``rag eval``: build a throwaway index over a corpus and measure it on questions.

Retrieval is scored at document level, as the data's README asks: a question
counts as found at k when any of the top-k passages comes from one of its
relevant documents. Where questions carry answer strings, a second view counts
a question found when a top-k passage holds the answer (open-domain QA's
"top-k accuracy"): silver document labels miss articles that answer too and
name tangential ones, so the two bracket what retrieval hands the answerer.
Hybrid, dense-only and BM25-only are measured in the same run on the same index
so their figures can be compared directly.
"""

from __future__ import annotations

import json
import logging
import statistics
import tempfile
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import orjson

from rag.errors import InputError
from rag.eval.matching import contains
from rag.eval.split import iso_date, split_questions
from rag.readers.files import read_path
from rag.settings import Settings

log = logging.getLogger(__name__)
CUTOFFS = (1, 4, 10)


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    relevant: frozenset[str]
    answers: tuple[str, ...] = ()
    evidence: str | None = None
    answerable: bool = True
    date: str | None = None  # when the question was asked (news quizzes), ISO


@dataclass(frozen=True)
class RetrievalScores:
    mode: str
    questions: int
    recall: dict[int, float]
    mrr: float
    p50_ms: float
    p95_ms: float
    split: str = "all"
    # Share found when a top-k passage holds a gold answer string; None when the questions carry none.
    answer_recall: dict[int, float] | None = None

    def to_dict(self) -> dict:
        data = asdict(self)
        data["recall"] = {f"@{k}": v for k, v in self.recall.items()}
        if self.answer_recall is not None:
            data["answer_recall"] = {f"@{k}": v for k, v in self.answer_recall.items()}
        return data


def read_questions(path: Path, limit: int | None = None, split: str = "all") -> list[Question]:
    """The questions of a JSONL file: the ``split`` part (``rag.eval.split``), then the first ``limit``."""
    if not path.is_file():
        raise InputError(f"no such questions file: {path}")
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = orjson.loads(line)
        except orjson.JSONDecodeError:
            raise InputError(f"{path}:{number} is not valid JSON") from None
        answers = row.get("answers") or ([row["answer"]] if row.get("answer") else [])
        relevant = row.get("relevant_doc_ids") or row.get("gold_doc_ids") or []
        out.append(
            Question(
                id=str(row.get("id", number)),
                question=row["question"],
                relevant=frozenset(relevant),
                answers=tuple(answers),
                evidence=row.get("evidence"),
                answerable=row.get("answerable", True),
                date=iso_date(row.get("date")),
            )
        )
    out = split_questions(out, split)
    return out[:limit] if limit else out


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


#: The hybrid ranking with "now" set to each question's date (questions that have one): as asked that day.
DATED = "hybrid@question-date"


def score_retrieval(index, questions: list[Question], mode: str, k_max: int = 10) -> RetrievalScores:
    from rag.retrieval.search import search_index

    dated = mode == DATED

    found = {k: 0 for k in CUTOFFS}
    holds = {k: 0 for k in CUTOFFS}
    reciprocal = 0.0
    latencies = []
    scored = [q for q in questions if q.relevant]
    for q in scored:
        start = time.perf_counter()
        if dated:
            hits = search_index(index, q.question, k_max, mode="hybrid", as_of=q.date)
        else:
            hits = search_index(index, q.question, k_max, mode=mode)
        latencies.append((time.perf_counter() - start) * 1000)
        ranks = [h.rank for h in hits if h.chunk.article_id in q.relevant]
        first = min(ranks) if ranks else None
        holding = next((h.rank for h in hits if q.answers and contains(h.chunk.text, q.answers)), None)
        for k in CUTOFFS:
            found[k] += first is not None and first <= k
            holds[k] += holding is not None and holding <= k
        reciprocal += 1 / first if first else 0.0
    n = max(len(scored), 1)
    with_answers = sum(bool(q.answers) for q in scored)
    return RetrievalScores(
        mode=mode,
        questions=len(scored),
        recall={k: found[k] / n for k in CUTOFFS},
        mrr=reciprocal / n,
        p50_ms=statistics.median(latencies) if latencies else 0.0,
        p95_ms=percentile(latencies, 95),
        answer_recall={k: holds[k] / with_answers for k in CUTOFFS} if with_answers else None,
    )


def search_index_warm(index) -> None:
    """One search per mode, so first-use costs (the article BM25 is built then) stay out of latencies."""
    from rag.retrieval.search import search_index

    for mode in MODES_MEASURED:
        search_index(index, "warm up", 1, mode=mode)


def build_temporary(corpus: Path, settings: Settings, folder: Path):
    from rag.stores import build_scratch, scratch_settings

    articles = read_path(corpus)
    start = time.perf_counter()
    index = build_scratch(articles, scratch_settings(settings, folder), progress=True)
    log.info("built %d articles in %.1fs", len(articles), time.perf_counter() - start)
    return index


MODES_MEASURED = ("hybrid", "rrf", "dense", "bm25")


def evaluate_retrieval(
    corpus: Path,
    questions_path: Path,
    settings: Settings,
    *,
    limit=None,
    json_out=None,
    splits=("all",),
    prebuilt: Path | None = None,
) -> list[RetrievalScores]:
    """Every mode on every ``splits`` part of the questions, on one index built once."""
    every = read_questions(questions_path)
    with tempfile.TemporaryDirectory(prefix="rag-eval-") as tmp:
        from rag.stores import close as close_store

        if prebuilt is not None:  # an index already built from ``corpus`` (saves the embedding time)
            from rag.stores.folder.index import Index

            index = Index.load(settings.replace(store=""), prebuilt)
            if set(index.articles) != {a.id for a in read_path(corpus)}:
                raise InputError(f"the index in {prebuilt} does not hold exactly the articles of {corpus}")
        else:
            index = build_temporary(corpus, settings, Path(tmp))
        index.embedder.encode_query("warm up")  # keep model start-up out of the latency figures
        search_index_warm(index)
        results = []
        for split in splits:
            questions = split_questions(every, split)
            questions = questions[:limit] if limit else questions
            modes = MODES_MEASURED + ((DATED,) if questions and all(q.date for q in questions) else ())
            results += [replace(score_retrieval(index, questions, mode), split=split) for mode in modes]
        close_store(index.settings)  # Milvus Lite: let go of the scratch database before its folder goes
    print(render_retrieval(results))
    report = json.dumps([r.to_dict() for r in results], indent=2)
    if json_out:
        Path(json_out).write_text(report + "\n", encoding="utf-8")
    print(report)
    return results


def render_retrieval(results: list[RetrievalScores]) -> str:
    held = any(r.answer_recall for r in results)
    extra = " answer in passage @1 / @4 / @10 |" if held else ""
    lines = [
        f"| split | mode | questions | R@1 | R@4 | R@10 | MRR | p50 ms | p95 ms |{extra}",
        "|---|---|---|---|---|---|---|---|---|" + ("---|" if held else ""),
    ]
    for r in results:
        a = r.answer_recall
        shown = f" {a[1]:.3f} / {a[4]:.3f} / {a[10]:.3f} |" if a else " — |"
        lines.append(
            f"| {r.split} | {r.mode} | {r.questions} | {r.recall[1]:.3f} | {r.recall[4]:.3f} | {r.recall[10]:.3f} "
            f"| {r.mrr:.3f} | {r.p50_ms:.1f} | {r.p95_ms:.1f} |" + (shown if held else "")
        )
    return "\n".join(lines)
