"""Same-run retrieval recall of each embedding backend/precision, on xquad-en and a news-dev subset.

``python -m bench.onnx_recall [--encoders torch:float32 onnx:float32 onnx:int8] [--news-articles 240] --out FILE``

An encoder ``onnx:int8/float32`` builds the index at int8 and encodes the questions at float32.

Each encoder builds its own index of the same articles (same chunks: chunking
uses only the tokenizer) and answers the same questions; R@1/R@4/R@10 are
scored at document level for hybrid and dense retrieval. Questions are split
into a fitting half and a reporting half (news-dev by date, xquad-en by article)
and both halves are quoted: the ONNX default was chosen on the fitting half.

news-dev is a subset, so that three builds fit one run on a shared 2-core
machine: the relevant articles of the questions taken in file order until
``--news-articles`` * 0.6 articles, then unrelated articles (seeded) to fill up.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

from bench.machine import cpu_info
from rag.eval.retrieval import Question, read_questions
from rag.readers.files import read_path
from rag.retrieval.search import check_question, search_index
from rag.settings import Settings

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
MODES = ("hybrid", "dense")


def news_subset(corpus: Path, questions: Path, size: int, seed: int = 17):
    articles = {a.id: a for a in read_path(corpus)}
    wanted: list[str] = []
    for q in read_questions(questions):
        for doc in sorted(q.relevant):
            if doc in articles and doc not in wanted and len(wanted) < int(size * 0.6):
                wanted.append(doc)
    others = sorted(set(articles) - set(wanted))
    random.Random(seed).shuffle(others)
    chosen = wanted + others[: size - len(wanted)]
    return [articles[i] for i in chosen]


def split_news(questions: list[Question], dates: dict[str, str]) -> dict[str, list[Question]]:
    ordered = sorted(questions, key=lambda q: (dates.get(q.id, ""), q.id))
    half = len(ordered) // 2
    return {"fit": ordered[:half], "report": ordered[half:]}


def split_xquad(questions: list[Question]) -> dict[str, list[Question]]:
    titles = sorted({next(iter(q.relevant)).split("#")[0] for q in questions})
    fit_titles = set(titles[::2])
    return {
        "fit": [q for q in questions if next(iter(q.relevant)).split("#")[0] in fit_titles],
        "report": [q for q in questions if next(iter(q.relevant)).split("#")[0] not in fit_titles],
    }


def evaluate(articles, halves: dict[str, list[Question]], encoder: str, folder: Path) -> dict:
    from rag.stores.folder.index import Index

    backend, precisions = encoder.split(":")
    precision, _, query_precision = precisions.partition("/")  # "int8/float32": queries at another precision
    settings = Settings(index_dir=folder, backend=backend, precision=precision)
    start = time.perf_counter()
    index = Index.build(articles, settings)
    out = {"build_s": round(time.perf_counter() - start, 1), "chunks": len(index.chunks)}
    queries = index.embedder
    if query_precision:
        from rag.embedding.factory import embedder_for

        queries = embedder_for(Settings(backend=backend, precision=query_precision))
    for name, questions in halves.items():
        usable = [q for q in questions if q.relevant & set(index.articles)]
        # All questions encoded in one bulk call (the shared machine is slow); a vector per question
        # is what search_index would compute itself, up to float rounding.
        vectors = queries.encode([check_question(q.question) for q in usable])
        for mode in MODES:
            found = {1: 0, 4: 0, 10: 0}
            for q, vector in zip(usable, vectors):
                hits = search_index(index, q.question, 10, mode=mode, query_vector=vector)
                ranks = [h.rank for h in hits if h.chunk.article_id in q.relevant]
                for k in found:
                    found[k] += bool(ranks) and min(ranks) <= k
            n = max(len(usable), 1)
            out[f"{name}/{mode}"] = {
                "questions": len(usable),
                **{f"R@{k}": round(100 * v / n, 2) for k, v in found.items()},
            }
    return out


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encoders", nargs="+", default=["torch:float32", "onnx:float32", "onnx:int8"])
    parser.add_argument("--news-articles", type=int, default=240)
    parser.add_argument("--sets", nargs="+", default=["xquad-en", "news-dev"])
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)

    report: dict = {"cpu": cpu_info(), "encoders": args.encoders, "sets": {}}
    for name in args.sets:
        if name == "xquad-en":
            articles = read_path(DATA / "xquad-en" / "corpus.jsonl")
            halves = split_xquad(read_questions(DATA / "xquad-en" / "questions.jsonl"))
        else:
            qpath = DATA / "news-dev" / "questions.jsonl"
            articles = news_subset(DATA / "news-dev" / "corpus-small.jsonl", qpath, args.news_articles)
            dates = {
                str(row["id"]): row.get("date", "") for row in map(json.loads, qpath.read_text().splitlines()) if row
            }
            halves = split_news(read_questions(qpath), dates)
        report["sets"][name] = {"articles": len(articles)}
        for encoder in args.encoders:
            with tempfile.TemporaryDirectory(prefix="onnx-recall-") as tmp:
                result = evaluate(articles, halves, encoder, Path(tmp) / "ix")
            report["sets"][name][encoder] = result
            print(name, encoder, json.dumps(result), flush=True)
            if args.out:
                args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return report


if __name__ == "__main__":
    main()
