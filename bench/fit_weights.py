"""Fit the article-ranking weights (``rag.retrieval.article_rank.Weights``) on the FITTING half of a dev set.

    python -m bench.fit_weights --index DIR --questions Q.jsonl [--top 10]
    python -m bench.fit_weights --index DIR --questions Q.jsonl --article-k1 0.5,0.7,0.9,1.2,1.5

Each question's candidate lists (dense and BM25 passages, whole-article BM25) are
retrieved once; every weight combination of a small grid then re-ranks them in
pure Python, scored at document level like ``rag eval retrieval``. Combinations
are ordered by R@1 + R@4 + R@10 + MRR on the ``fit`` half; the ``report`` half is
printed beside them for the record, never used to choose. The defaults in
``rag.retrieval.article_rank`` are the best summed over news-dev and xquad-en fit halves.
``--article-k1`` instead rebuilds the whole-article BM25 at each k1 and scores the default weights
(``rag.stores.article_lexical.K1`` was chosen so).
"""

from __future__ import annotations

import argparse
import itertools
from dataclasses import replace
from pathlib import Path

from rag.eval.retrieval import read_questions
from rag.retrieval import article_rank, dates
from rag.settings import Settings
from rag.text.query import expand_query

GRID = {"passage_bm25": (0.25, 0.5), "passage_dense": (0.0, 0.25, 0.5, 0.75, 1.0), "dense_span": (0.2, 0.3, 0.5)}
DEPTH = 50


def candidates(index, questions):
    out = []
    for q in questions:
        vector = index.embedder.encode_query(q.question)
        query = expand_query(q.question)
        out.append(
            (
                q,
                article_rank.Candidates(
                    index.search_dense(vector, DEPTH, None),
                    index.search_lexical(query, DEPTH, None),
                    index.search_articles(query, DEPTH, None),
                ),
            )
        )
    return out


def first_rank(index, q, found, weights: article_rank.Weights) -> int | None:
    """Rank of the first passage from a relevant article (dates: now = the newest article)."""
    now = dates.parse_date(index.newest_date)

    def article_of(row):
        return index.chunks[row].article_id

    prior = None
    if now is not None:
        window = dates.question_window(q.question, now)
        weight = weights.date_window if window else weights.recency
        seen = {a for a, _ in found.articles} | {article_of(r) for r, _ in (*found.dense, *found.lexical)}
        prior = {a: weight * dates.date_prior(index.articles[a].published, now, window) for a in seen}
    ranked = article_rank.article_scores(found, article_of, weights, prior)
    rows = article_rank.passage_order(ranked, found, article_of, 60, weights.passage_decay)
    for rank, (row, _) in enumerate(rows[:10], 1):
        if article_of(row) in q.relevant:
            return rank
    return None


def figures(index, cases, weights) -> dict:
    ranks = [first_rank(index, q, found, weights) for q, found in cases]
    n = max(len(ranks), 1)
    out = {k: sum(1 for r in ranks if r and r <= k) / n for k in (1, 4, 10)}
    out["mrr"] = sum(1 / r for r in ranks if r) / n
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.fit_weights", description=__doc__.splitlines()[0])
    p.add_argument("--index", type=Path, required=True, help="an index folder built from the dev corpus")
    p.add_argument("--questions", type=Path, required=True)
    p.add_argument("--top", type=int, default=10)
    p.add_argument("--article-k1", help="comma-separated k1 values for the whole-article BM25")
    args = p.parse_args(argv)
    from rag.stores.folder.index import Index

    index = Index.load(Settings(index_dir=args.index))
    fit = candidates(index, read_questions(args.questions, split="fit"))
    report = candidates(index, read_questions(args.questions, split="report"))
    if args.article_k1:
        print("| article k1 | fit R@1/4/10/MRR | report R@1/4/10/MRR |")
        print("|---|---|---|")
        for k1 in (float(v) for v in args.article_k1.split(",")):
            f, r = (
                figures(index, _with_article_k1(index, cases, k1), article_rank.DEFAULT_WEIGHTS)
                for cases in (fit, report)
            )
            print(f"| {k1} | {_fmt(f)} | {_fmt(r)} |")
        return 0
    rows = []
    for values in itertools.product(*GRID.values()):
        weights = replace(article_rank.DEFAULT_WEIGHTS, **dict(zip(GRID, values)))
        f = figures(index, fit, weights)
        rows.append((f[1] + f[4] + f[10] + f["mrr"], weights, f))
    rows.sort(key=lambda row: -row[0])
    print("| passage_bm25 | passage_dense | dense_span | fit R@1/4/10/MRR | report R@1/4/10/MRR |")
    print("|---|---|---|---|---|")
    for _, w, f in rows[: args.top]:
        r = figures(index, report, w)
        print(f"| {w.passage_bm25} | {w.passage_dense} | {w.dense_span} | {_fmt(f)} | {_fmt(r)} |")
    return 0


def _fmt(m: dict) -> str:
    return " / ".join(f"{m[k]:.3f}" for k in (1, 4, 10, "mrr"))


def _with_article_k1(index, cases, k1: float):
    """The cases with their whole-article BM25 hits retrieved again from an article index built at ``k1``."""
    from rag.stores.article_lexical import ArticleBm25, article_text
    from rag.stores.lexical import Bm25Index

    articles = list(index.articles.values())
    built = ArticleBm25([a.id for a in articles], Bm25Index.build((article_text(a) for a in articles), k1))
    return [
        (q, article_rank.Candidates(found.dense, found.lexical, built.search(expand_query(q.question), DEPTH)))
        for q, found in cases
    ]


if __name__ == "__main__":
    raise SystemExit(main())
