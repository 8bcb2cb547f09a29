"""The comparison run: build every system on the same articles, then time and score the same questions.

Order of work, all in one process:

1. each system loads its embedding model (timed apart from the build), then a
   preflight runs every path (build, search, answer) on three articles, so code
   edited under a long run fails in seconds rather than after the builds;
2. each system builds its index (wall time, peak RSS sampled in the background);
3. each index is saved to a temporary folder (size) and loaded back (median of 3);
4. every query path is warmed up once, then each question is asked of every
   system in turn, rotating who goes first, so a burst of load from other work
   on the machine hits all systems alike. Latencies are reported as medians and
   95th percentiles from this shared loop; ratios to ``ours`` come from the same run.
"""

from __future__ import annotations

import gc
import logging
import tempfile
import time
from pathlib import Path

# Import the code under test now: one snapshot for the whole run, even if files change meanwhile.
import rag.answer.pipeline  # noqa: F401
import rag.eval.answers  # noqa: F401
import rag.retrieval.search  # noqa: F401
import rag.stores.folder.index  # noqa: F401
from bench import SCHEMA_VERSION
from bench.inputs import count_tokens, load_articles, load_questions
from bench.machine import load_average
from bench.probes import PeakRss, latency_summary, timed
from bench.scoring import answer_figures, first_ranks, paired, retrieval_figures

log = logging.getLogger("bench")
ALL_SYSTEMS = ("ours", "langchain", "bm25", "dense", "rrf")
DESCRIPTIONS = {
    "ours": "Index.build, default Settings(): sentence chunks ≤200 tokens + title, MiniLM + BM25, article-aware ranking "
    "(whole-article BM25 + best passage scores); extractive answerer",
    "langchain": "RecursiveCharacterTextSplitter(1000, 200) + HuggingFaceEmbeddings(MiniLM) + FAISS.from_documents",
    "bm25": "ours' index, BM25 only (mode='bm25')",
    "dense": "ours' index, dense only (mode='dense')",
    "rrf": "ours' index, the previous hybrid: equal-weight RRF of chunk rankings (mode='rrf')",
}
VIEWS = ("bm25", "dense", "rrf")  # other modes of ours' index
WARM_UP = "What did officials say about the new policy?"
K = 10


def make_systems(names: list[str]) -> dict:
    from bench.system_ours import ModeView, OursSystem

    unknown = [n for n in names if n not in ALL_SYSTEMS]
    if unknown:
        raise SystemExit(f"unknown system(s) {', '.join(unknown)}; choose from {', '.join(ALL_SYSTEMS)}")
    if any(n in names for n in VIEWS) and "ours" not in names:
        names = ["ours", *names]  # the single-retriever views search ours' index
    systems: dict = {}
    for name in names:
        if name == "ours":
            systems[name] = OursSystem()
        elif name == "langchain":
            from bench.system_langchain import LangChainSystem

            systems[name] = LangChainSystem()
    for name in names:
        if name in VIEWS:
            systems[name] = ModeView(systems["ours"], name)
    return systems


def owners(systems: dict) -> dict:
    """The systems that build an index of their own (not the single-retriever views)."""
    return {name: s for name, s in systems.items() if hasattr(s, "build")}


def prepare_all(systems: dict) -> dict[str, float]:
    times = {}
    for name, system in owners(systems).items():
        log.info("%s: loading the embedding model", name)
        times[name] = system.prepare()
    return times


def preflight(systems: dict, articles: list, questions: list) -> None:
    """Every path once on a tiny slice; the real builds replace these indexes."""
    start = time.perf_counter()
    for system in owners(systems).values():
        system.build(articles)
    query_all(systems, questions)
    log.info("preflight passed in %.1fs", time.perf_counter() - start)


def build_all(systems: dict, articles: list, tokens: int, scratch: Path, model_s: dict) -> dict:
    """Build, size on disk and load time of every system that owns an index."""
    figures: dict = {}
    for name, system in owners(systems).items():
        log.info("%s: building over %d articles", name, len(articles))
        load_before = load_average()
        with PeakRss() as peak:
            passages, seconds = timed(system.build, articles)
        log.info("%s: built %d passages in %.1fs", name, passages, seconds)
        disk = system.disk(scratch / name)
        figures[name] = {
            "build": {
                "seconds": round(seconds, 3),
                "articles_per_s": round(len(articles) / seconds, 2),
                "tokens_per_s": round(tokens / seconds, 1),
                "passages": passages,
                "model_load_s": round(model_s[name], 3),
                "load_average_before": load_before,
                "load_average_after": load_average(),
                **peak.figures(),
            },
            "index": disk,
        }
        gc.collect()
    return figures


def query_all(systems: dict, questions: list) -> tuple[dict, dict, list]:
    """Ask every question of every system, rotating the order; returns results, latencies, answers."""
    jobs = [(name, "search") for name in systems] + [
        (name, "answer") for name, s in systems.items() if getattr(s, "answers", False)
    ]
    for name, kind in jobs:  # warm-up: first-call costs (thread pools, caches) stay out of the figures
        _ask(systems[name], kind, WARM_UP)
    results = {name: [] for name in systems}
    latency = {job: [] for job in jobs}
    pairs: list = []
    started = time.perf_counter()
    for i, q in enumerate(questions):
        shift = i % len(jobs)
        for name, kind in jobs[shift:] + jobs[:shift]:
            output, seconds = timed(_ask, systems[name], kind, q.question)
            if kind == "search":
                results[name].append(output)
            else:
                pairs.append((q, output, seconds * 1000))
            latency[(name, kind)].append(seconds * 1000)
        if (i + 1) % 50 == 0:
            log.info("asked %d/%d questions (%.0fs)", i + 1, len(questions), time.perf_counter() - started)
    return results, latency, pairs


def _ask(system, kind: str, question: str):
    return system.search(question, K) if kind == "search" else system.answer(question)


def compare(
    corpus: Path, questions_path: Path, names: list[str], *, limit_docs=None, limit_questions=None, split: str = "all"
) -> dict:
    articles = load_articles(corpus, limit_docs)
    questions, total = load_questions(questions_path, articles, limit_questions, split)
    if not questions:
        raise SystemExit("no question has a relevant document in the corpus; nothing to score")
    tokens = count_tokens(articles)
    log.info("%d articles (%d tokens), %d of %d questions", len(articles), tokens, len(questions), total)
    systems = make_systems(names)
    model_s = prepare_all(systems)
    preflight(systems, articles[:3], questions[:2])
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        built = build_all(systems, articles, tokens, Path(tmp), model_s)
    results, latency, pairs = query_all(systems, questions)
    out: dict = {}
    for name, system in systems.items():
        entry = {
            "description": DESCRIPTIONS[name],
            "retrieval": {**retrieval_figures(questions, results[name]), **latency_summary(latency[(name, "search")])},
            "answer": None,
            "build": built.get(name, {}).get("build"),
            "index": built.get(name, {}).get("index"),
            "shares_index_with": None if name in built else "ours",
            "first_relevant_rank": first_ranks(questions, results[name]),
        }
        if getattr(system, "answers", False):
            entry["answer"] = {**answer_figures(pairs), **latency_summary(latency[(name, "answer")])}
        out[name] = entry
    if "ours" in out:
        base = out["ours"]["first_relevant_rank"]
        for entry in out.values():
            entry["retrieval"]["paired_vs_ours"] = paired(entry["first_relevant_rank"], base)
    return {
        "schema": SCHEMA_VERSION,
        "inputs": {
            "corpus": str(corpus),
            "questions_file": str(questions_path),
            "articles": len(articles),
            "tokens": tokens,
            "questions_in_file": total,
            "questions_scored": len(questions),
            "split": split,
            "k": K,
        },
        "systems": out,
    }
