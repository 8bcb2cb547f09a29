"""Scaling points: build ours on growing slices of a large corpus and time build and queries.

For each target size (counted in CHUNKS, the unit the index grows by) the
slice is the shortest prefix of the corpus whose articles chunk to at least
that many passages, found by running the index's own chunker over the stream.
Each size is built fresh with default ``Settings()`` (build time, peak RSS,
size on disk), then queried with the benchmark's questions in all three
retrieval modes, interleaved, after one warm-up each. Questions here only
drive latency: the scale corpus has no relevance labels.
"""

from __future__ import annotations

import gc
import logging
import tempfile
from collections import Counter
from pathlib import Path

from bench.inputs import count_tokens, iter_gzip_articles, load_articles
from bench.probes import PeakRss, folder_bytes, latency_summary, timed
from bench.runner import WARM_UP
from rag.settings import Settings

log = logging.getLogger("bench")
MODES = ("hybrid", "dense", "bm25")


def _article_stream(path: Path):
    if Path(path).suffix == ".gz":
        yield from iter_gzip_articles(Path(path))
    else:
        yield load_articles(Path(path))


def slices(path: Path, targets: list[int], settings: Settings) -> tuple[list, dict[int, int]]:
    """The articles needed for the largest target, and for each target the prefix length to use."""
    from rag.stores.folder.index import Index

    chunker = Index.empty(settings)  # ``chunk`` is exactly the chunking ``Index.build`` does
    articles: list = []
    cumulative: list[int] = []
    total = 0
    for batch in _article_stream(path):
        per_article = Counter(c.article_id for c in chunker.chunk(batch))
        for article in batch:
            total += per_article[article.id]
            articles.append(article)
            cumulative.append(total)
        if total >= max(targets):
            break
    cut = {t: next((i + 1 for i, c in enumerate(cumulative) if c >= t), len(articles)) for t in targets}
    return articles, cut


def scale_point(articles: list, questions: list[str], settings: Settings, target: int) -> dict:
    from rag.retrieval.search import search_index
    from rag.stores.folder.index import Index

    tokens = count_tokens(articles)
    log.info("scale %d: building over %d articles", target, len(articles))
    with PeakRss() as peak:
        index, seconds = timed(Index.build, articles, settings)
    chunks = len(index.chunks)
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        index.save(Path(tmp))
        size = folder_bytes(Path(tmp))
    for mode in MODES:
        search_index(index, WARM_UP, 10, mode=mode)
    latency: dict[str, list[float]] = {m: [] for m in MODES}
    for i, q in enumerate(questions):
        order = MODES[i % 3 :] + MODES[: i % 3]
        for mode in order:
            _, s = timed(search_index, index, q, 10, mode=mode)
            latency[mode].append(s * 1000)
    log.info("scale %d: %d chunks built in %.1fs", target, chunks, seconds)
    return {
        "target_chunks": target,
        "reached": chunks >= target,
        "articles": len(articles),
        "chunks": chunks,
        "tokens": tokens,
        "build_s": round(seconds, 3),
        "chunks_per_s": round(chunks / seconds, 1),
        "tokens_per_s": round(tokens / seconds, 1),
        "index_bytes": size,
        **peak.figures(),
        "query": {mode: latency_summary(latency[mode]) for mode in MODES},
    }


def run_scaling(path: Path, targets: list[int], questions: list[str]) -> list[dict]:
    settings = Settings()
    targets = sorted(set(targets))
    articles, cut = slices(path, targets, settings)
    points = []
    for target in targets:
        points.append(scale_point(articles[: cut[target]], questions, settings, target))
        gc.collect()
    return points


def render_scaling(points: list[dict]) -> str:
    lines = [
        "| target chunks | articles | chunks | build s | chunks/s | tokens/s | peak RSS MB (Δ) | index MB "
        "| hybrid p50/p95 ms | dense p50/p95 ms | bm25 p50/p95 ms |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for p in points:
        q = p["query"]
        lat = " | ".join(f"{q[m]['p50_ms']:.1f} / {q[m]['p95_ms']:.1f}" for m in MODES)
        lines.append(
            f"| {p['target_chunks']:,} | {p['articles']:,} | {p['chunks']:,} | {p['build_s']:.1f} "
            f"| {p['chunks_per_s']:.1f} | {p['tokens_per_s']:,.0f} | {p['peak_rss_mb']:,.0f} "
            f"({p['peak_rss_delta_mb']:+,.0f}) | {p['index_bytes'] / 2**20:.1f} | {lat} |"
        )
    return "\n".join(lines)
