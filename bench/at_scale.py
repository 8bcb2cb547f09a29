"""The 100k-chunk targets: build indexes at growing sizes, then serve one in a fresh process.

``build`` makes one index per chunk target from the shortest prefix of the scale
corpus that reaches it (see ``bench.scaling.slices``) and saves it, recording
build time, throughput and peak RSS. ``serve`` then loads a saved index in a
new process, the way the app does, and measures what a user waits for:

- RSS after one load (as the app) and after answering every question; load time (median of 3);
- per question: query embedding, FAISS, BM25, hybrid retrieval, and retrieval
  plus the extractive answer, each p50/p95; beside it, the same run's baseline: the
  answerer before the learned selector and scorer (``rag eval answers --baseline``),
  the two taking turns at going first, since the first warms the text caches for the second;
- the approximate (HNSW) index's recall@10 against exact search over the same rows;
- adding one new article (median of 3, each to the loaded index) in memory; then durable adds
  and removes in the serving process (lock, edit, a new generation with one segment, swap),
  the same as ``rag index add``/``remove`` CLI calls (fresh process, load included), and
  ``rag index compact``, all on a copy of the folder, which is left as it was.

    python -m bench.at_scale build --corpus ../shared/data/news-scale.jsonl.gz --chunks 10000,100000 --out scale_out
    python -m bench.at_scale serve --index scale_out/100000 --json-out scale_out/serve-100000.json
    python -m bench.at_scale report --out scale_out      # tables + chart into bench/results/
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from bench.inputs import count_tokens, question_texts
from bench.probes import PeakRss, folder_bytes, latency_summary, release_memory, rss_bytes, timed
from bench.scaling import slices
from rag.settings import Settings

log = logging.getLogger("bench")


def build(corpus: Path, targets: list[int], out: Path) -> list[dict]:
    from rag.stores.folder.index import Index

    settings = Settings()
    articles, cut = slices(corpus, sorted(set(targets)), settings)
    points = []
    for target in sorted(set(targets)):
        chosen = articles[: cut[target]]
        tokens = count_tokens(chosen)
        release_memory()
        with PeakRss() as peak:
            index, seconds = timed(Index.build, chosen, settings)
        folder = out / str(target)
        _, save_s = timed(index.save, folder)
        point = {
            "target_chunks": target,
            "articles": len(chosen),
            "chunks": len(index.chunks),
            "tokens": tokens,
            "build_s": round(seconds, 1),
            "articles_per_s": round(len(chosen) / seconds, 2),
            "tokens_per_s": round(tokens / seconds),
            "save_s": round(save_s, 2),
            "index_mb": round(folder_bytes(folder) / 2**20, 1),
            "dense_kind": index.dense.kind,
            **peak.figures(),
        }
        log.info("built %s", point)
        points.append(point)
        del index
    (out / "build.json").write_text(json.dumps(points, indent=1))
    return points


def serve(folder: Path, questions: list[str], extras: list) -> dict:
    """Load once (as the app does), answer, then time reloads, ANN recall and adds."""
    from rag.answer.pipeline import answer_question
    from rag.api import load_index
    from rag.eval.answers import baseline_settings
    from rag.retrieval.search import search_index
    from rag.stores.folder.index import Index

    settings = Settings(index_dir=folder)
    rss_start = rss_bytes()
    # As the app loads it: through the process's holder (rag.stores.holder), which also imports the embedder.
    index, first_load_s = timed(load_index, settings)
    rss_loaded = rss_bytes()
    embedder = index.embedder
    answerers = {
        "retrieve_answer": settings,
        "retrieve_answer_baseline": baseline_settings(settings),
    }
    parts: dict[str, list[float]] = {k: [] for k in ("embed", "faiss", "bm25", "retrieve", *answerers)}
    for answering in answerers.values():
        answer_question(index, questions[0], [], answering)  # warm-up
    for n, q in enumerate(questions):
        vector, s = timed(embedder.encode_query, q)
        parts["embed"].append(s)
        parts["faiss"].append(timed(index.dense.search, vector, 50)[1])
        parts["bm25"].append(timed(index.bm25.search, q, 50)[1])
        parts["retrieve"].append(timed(search_index, index, q, settings.k)[1])
        for name, answering in sorted(answerers.items(), reverse=n % 2 == 1):
            parts[name].append(timed(answer_question, index, q, [], answering)[1])
    rss_served = rss_bytes()
    # Each add starts from the loaded index, as a serving process would; the first also loads the chunker's tokenizer.
    add_times = [round(timed(index.add, [extra])[1], 3) for extra in extras]
    # The durable edits and the compaction write generations: on a copy, so the folder measured is the same
    # bytes run after run (each run used to start from the previous run's compaction, and ran slower second).
    with tempfile.TemporaryDirectory(dir=folder.parent) as tmp:
        copy = Path(tmp) / folder.name
        shutil.copytree(folder, copy, symlinks=True)
        durable = _durable(settings.replace(index_dir=copy), extras)
    loads = [timed(Index.load, settings)[1] for _ in range(3)]
    recall = _ann_recall(index, embedder, questions[:200])
    return {
        "chunks": len(index.chunks),
        "dense_kind": index.dense.kind,
        "questions": len(questions),
        "first_load_s": round(first_load_s, 2),
        "load_s_median": round(statistics.median(loads), 3),
        "load_s_runs": [round(x, 3) for x in loads],
        "rss_mb_before_load": round(rss_start / 2**20),
        "rss_mb_loaded": round(rss_loaded / 2**20),
        "rss_mb_after_questions": round(rss_served / 2**20),
        "latency_ms": {k: latency_summary([x * 1000 for x in v]) for k, v in parts.items()},
        "ann_recall_at_10_vs_exact": recall,
        "add_one_article_s": statistics.median(add_times),
        "add_one_article_runs_s": add_times,
        **durable,
    }


def _durable(settings: Settings, extras: list) -> dict:
    """Durable adds and removes of one article at a time: through the held index in this process (as the app),
    then as CLI calls."""
    import subprocess
    import sys

    from rag.stores.folder.index import Index
    from rag.stores.holder import holder_for

    def cli(*args: str) -> float:
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "rag.cli", "index", *args, "--index-dir", str(settings.index_dir)], check=True
        )
        return round(time.perf_counter() - started, 2)

    holder = holder_for(settings)  # what the app does on an upload: edit the held index, save, swap
    adds = [round(timed(holder.add, [extra])[1], 3) for extra in extras]
    removes = [round(timed(holder.remove, extra.id)[1], 3) for extra in extras]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cli-add.md"
        path.write_text(f"---\ntitle: {extras[0].title} (CLI)\n---\n{extras[0].text} Filed again.\n")
        cli_add = cli("add", str(path))
    added = next(a for a in Index.load(settings, check_model=False).articles.values() if a.title.endswith("(CLI)"))
    cli_remove = cli("remove", added.id)
    log_entries = len(Index.load(settings, check_model=False).journal.entries)
    compact_s = cli("compact")
    return {
        "durable_add_s": statistics.median(adds),
        "durable_add_runs_s": adds,
        "durable_remove_s": statistics.median(removes),
        "durable_remove_runs_s": removes,
        "cli_add_s": cli_add,
        "cli_remove_s": cli_remove,
        "compact_cli_s": compact_s,
        "log_entries_compacted": log_entries,
    }


def _ann_recall(index, embedder, questions: list[str]) -> float | None:
    if index.dense.kind == "flat":
        return None
    found = total = 0
    for q in questions:
        vector = embedder.encode_query(q)
        approx = {r for r, _ in index.dense.search(vector, 10)}
        exact = {r for r, _ in index.dense.search(vector, 10, exact=True)}
        found += len(approx & exact)
        total += len(exact)
    return round(found / total, 4)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.at_scale", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    b = sub.add_parser("build")
    b.add_argument("--corpus", type=Path, default=Path("../shared/data/news-scale.jsonl.gz"))
    b.add_argument("--chunks", default="10000,100000")
    b.add_argument("--out", type=Path, required=True)
    s = sub.add_parser("serve")
    s.add_argument("--index", type=Path, required=True)
    s.add_argument("--questions", type=Path, default=Path("../shared/data/news-dev/questions.jsonl"))
    s.add_argument("--limit", type=int, default=300)
    s.add_argument("--json-out", type=Path, default=None, help="e.g. OUT/serve-100000.json, for report")
    r = sub.add_parser("report")
    r.add_argument("--out", type=Path, required=True, help="the folder build and serve wrote to")
    r.add_argument("--results", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    started = time.time()
    if args.what == "report":
        from bench.at_scale_report import write

        print(write(args.out, args.results))
    elif args.what == "build":
        args.out.mkdir(parents=True, exist_ok=True)
        print(json.dumps(build(args.corpus, [int(x) for x in args.chunks.split(",")], args.out), indent=1))
    else:
        from rag.readers.clean import make_article

        run = time.strftime("%Y%m%dT%H%M%S")  # new articles each run: an add must never be a duplicate
        extras = [
            make_article(  # about the length of a news article: 60 sentences, ~6 chunks
                f"Freshly filed report {n} of {run}",
                " ".join(
                    f"Sentence {i} of report {n} of {run} says the harbour reopened on day {i}." for i in range(60)
                ),
                source="bench:add",
            )
            for n in range(3)
        ]
        result = serve(args.index, question_texts(args.questions, args.limit), extras)
        # Recorded after the timings and RSS readings (cpu_info imports torch): which CPU, which backend.
        from bench.machine import cpu_info, machine_info
        from rag.embedding.factory import resolve_backend

        settings = Settings()
        backend = resolve_backend(settings.backend, settings.device, settings.model, settings.precision)
        result["machine"] = {**machine_info(), **cpu_info(), "embedding_backend": backend}
        text = json.dumps(result, indent=1)
        if args.json_out:
            args.json_out.write_text(text)
        print(text)
    log.info("done in %.0f s", time.time() - started)


if __name__ == "__main__":
    main()
