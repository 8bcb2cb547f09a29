"""FAISS folder vs Milvus Lite on one built index: recall, search latency, bytes per chunk, embedding rate.

    python -m bench.stores --index DIR --questions ../shared/data/news-dev/questions.jsonl --out OUT.json

Copies the chunks, vectors and sentence vectors of the index folder DIR into a
Milvus Lite database (no re-embedding; BM25 terms are re-tokenised), then runs
hybrid search for every question on both stores with the same query vectors and
scores document-level recall@1/4/10 (``bench.scoring``) and p50/p95 latency.
Also measures bytes per chunk of each store, single-process embedding tokens per
CPU-second on a sample of chunks, and with ``--ray-sample N`` the wall time of
embedding N chunks through a local Ray (start-up included) against one process.
Writes OUT.json and OUT.md (a markdown table).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.inputs import load_questions
from bench.probes import latency_summary
from bench.scoring import retrieval_figures


def copy_to_milvus(index, settings):
    """A Milvus store holding ``index``'s rows as they are (vectors copied, not recomputed)."""
    from rag.embedding.embedder import Passages
    from rag.embedding.sentvec import SentenceVectors
    from rag.stores.milvus import schema
    from rag.stores.milvus.store import MilvusIndex, terms_of

    target = MilvusIndex.empty(settings)
    spec = target.spec
    vectors, s = index.dense.all_vectors(), index.dense.sentences
    order = {a: n for n, a in enumerate(index.articles)}
    if [c.id for c in sorted(index.chunks, key=lambda c: (order[c.article_id], c.index))] != [
        c.id for c in index.chunks
    ]:
        sys.exit("the index's chunk rows are not in article order (rebuild it with rag index build)")
    articles = list(index.articles.values())
    for start in range(0, len(articles), 200):
        group = articles[start : start + 200]
        rows = [r for a in group for r in index.rows_of(a.id)]
        if not rows:
            continue
        a, b = rows[0], rows[-1] + 1
        lo, hi = int(s.offsets[a]), int(s.offsets[b])
        sentences = SentenceVectors((s.code_range(lo, hi),), s.scales[lo:hi], np.asarray(s.offsets[a : b + 1]) - lo)
        chunks = index.chunks[a:b]
        schema.insert(
            spec,
            [(x, start + i) for i, x in enumerate(group)],
            chunks,
            Passages(vectors[a:b], sentences),
            terms_of([c.text for c in chunks]),
        )
    schema.write_manifest(spec, index.manifest)
    return MilvusIndex.open(settings, check_model=False)


def run_store(index, questions, vectors, k: int = 10) -> tuple[dict, list[list[str]]]:
    from rag.retrieval.search import search_index

    for q, v in list(zip(questions, vectors))[:5]:  # warm caches and lazy loads
        search_index(index, q.question, k, query_vector=v)
    results, ids, ms = [], [], []
    for q, v in zip(questions, vectors):
        start = time.perf_counter()
        hits = search_index(index, q.question, k, query_vector=v)
        ms.append((time.perf_counter() - start) * 1000)
        results.append([(h.chunk.article_id, h.chunk.text) for h in hits])
        ids.append([h.chunk.id for h in hits])
    return {**retrieval_figures(questions, results), **latency_summary(ms)}, ids


def embedding_rate(index, sample: int) -> dict:
    """Single-process tokens per wall second and per CPU second (all threads) on ``sample`` chunks."""
    from rag.embedding.embedder import document_text

    texts = [document_text(index.article_of(c).title, c.text) for c in index.chunks[:sample]]
    embedder = index.embedder
    tokens = sum(min(embedder.count_tokens(t) + 2, embedder.max_seq_length) for t in texts)
    embedder.encode_passages(texts[:16], [[] for _ in texts[:16]])  # warm-up
    wall, cpu = time.perf_counter(), time.process_time()
    embedder.encode_passages(texts, [[] for _ in texts])
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {
        "chunks": len(texts),
        "tokens": tokens,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "tokens_per_s": round(tokens / wall),
        "tokens_per_cpu_s": round(tokens / cpu),
        "precision": embedder.precision,
    }


def ray_overhead(index, sample: int) -> dict:
    from rag.embedding.embedder import document_text
    from rag.embedding.ray import ray_encoder

    texts = [document_text(index.article_of(c).title, c.text) for c in index.chunks[:sample]]
    spans = [[] for _ in texts]
    start = time.perf_counter()
    index.embedder.encode_passages(texts, spans)
    single = time.perf_counter() - start
    start = time.perf_counter()
    ray_encoder(index.settings)(texts, spans)
    return {"chunks": len(texts), "single_s": round(single, 2), "ray_s": round(time.perf_counter() - start, 2)}


def ann_latency(sizes: list[int], dimension: int = 384, queries: int = 200) -> list[dict]:
    """FAISS flat vs HNSW (rag.stores.folder.dense's parameters) on random unit vectors: one-query latency, HNSW build time."""
    import faiss

    from rag.stores.folder.dense import HNSW_EF_SEARCH, hnsw_index

    rng = np.random.default_rng(0)
    out = []
    for n in sizes:
        x = rng.standard_normal((n, dimension), dtype=np.float32)
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        q = x[rng.choice(n, queries, replace=False)] + 0.05 * rng.standard_normal(
            (queries, dimension), dtype=np.float32
        )
        flat = faiss.IndexFlatIP(dimension)
        flat.add(x)
        start = time.perf_counter()
        hnsw = hnsw_index(x)
        build = time.perf_counter() - start
        params = faiss.SearchParametersHNSW(efSearch=HNSW_EF_SEARCH)
        row = {"vectors": n, "hnsw_build_s": round(build, 1)}
        for name, index, extra in (("flat", flat, {}), ("hnsw", hnsw, {"params": params})):
            ms = []
            for v in q:
                t = time.perf_counter()
                index.search(v[None, :], 50, **extra)
                ms.append((time.perf_counter() - t) * 1000)
            row[f"{name}_p50_ms"] = latency_summary(ms)["p50_ms"]
        out.append(row)
        del x, flat, hnsw
    return out


def main(argv=None) -> int:
    from rag.settings import Settings
    from rag.stores import close
    from rag.stores.folder import generations
    from rag.stores.folder.index import Index
    from rag.stores.milvus.store import disk_bytes

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--index", type=Path, required=True)
    p.add_argument("--questions", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--db", type=Path, default=None, help="Milvus Lite database to (re)create (default: a temp dir)")
    p.add_argument("--limit", type=int, default=None)
    p.add_argument("--embed-sample", type=int, default=256)
    p.add_argument("--ray-sample", type=int, default=0)
    p.add_argument("--ann-sizes", default="", help="also time FAISS flat vs HNSW at these sizes, e.g. 50000,200000")
    args = p.parse_args(argv)

    folder = Index.load(Settings.from_env(os.environ, index_dir=args.index, store=""))  # RAG_DEVICE etc. apply
    tmp = Path(tempfile.mkdtemp(prefix="bench-stores-"))
    settings = folder.settings.replace(store=str(args.db or tmp / "bench.db"))
    try:
        start = time.perf_counter()
        milvus = copy_to_milvus(folder, settings)
        copy_s = time.perf_counter() - start
        questions, total = load_questions(args.questions, list(folder.articles.values()), args.limit)
        vectors = [folder.embedder.encode_query(q.question) for q in questions]
        stores = {}
        for name, index in (("faiss", folder), ("milvus-lite", milvus)):
            stores[name], ids = run_store(index, questions, vectors)
            stores[name]["bytes"] = (
                generations.disk_bytes(args.index) if name == "faiss" else disk_bytes(settings.store_spec)
            )
            stores[name]["bytes_per_chunk"] = round(stores[name]["bytes"] / max(len(folder.chunks), 1))
            stores[name]["top_ids"] = ids
        same = sum(a == b for a, b in zip(stores["faiss"].pop("top_ids"), stores["milvus-lite"].pop("top_ids")))
        report = {
            "index": str(args.index),
            "chunks": len(folder.chunks),
            "articles": len(folder.articles),
            "questions": len(questions),
            "questions_in_file": total,
            "copy_s": round(copy_s, 1),
            "same_top10": same,
            "stores": stores,
            "embedding": embedding_rate(folder, args.embed_sample) if args.embed_sample else None,
            "ray": ray_overhead(folder, args.ray_sample) if args.ray_sample else None,
            "ann": ann_latency([int(n) for n in args.ann_sizes.split(",")]) if args.ann_sizes else None,
        }
    finally:
        close(settings)
        if args.db is None:
            shutil.rmtree(tmp, ignore_errors=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    md = render(report)
    args.out.with_suffix(".md").write_text(md + "\n", encoding="utf-8")
    print(md)
    return 0


def render(r: dict) -> str:
    lines = [
        f"{r['chunks']:,} chunks, {r['questions']} questions; hybrid search, same query vectors; "
        f"identical top-10 on {r['same_top10']}/{r['questions']} questions",
        "",
        "| store | R@1 | R@4 | R@10 | MRR | p50 ms | p95 ms | bytes/chunk |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, s in r["stores"].items():
        lines.append(
            f"| {name} | {s['recall@1']:.3f} | {s['recall@4']:.3f} | {s['recall@10']:.3f} | {s['mrr']:.3f} "
            f"| {s['p50_ms']:.1f} | {s['p95_ms']:.1f} | {s['bytes_per_chunk']:,} |"
        )
    if r.get("embedding"):
        e = r["embedding"]
        lines.append(
            f"\nEmbedding ({e['precision']}): {e['tokens_per_s']:,} tokens/s wall, "
            f"{e['tokens_per_cpu_s']:,} tokens per CPU-second ({e['chunks']} chunks)"
        )
    if r.get("ray"):
        lines.append(
            f"Ray, {r['ray']['chunks']} chunks: {r['ray']['ray_s']} s (start-up included) "
            f"vs {r['ray']['single_s']} s in one process"
        )
    for a in r.get("ann") or []:
        lines.append(
            f"FAISS at {a['vectors']:,} random vectors: flat {a['flat_p50_ms']} ms, HNSW {a['hnsw_p50_ms']} ms "
            f"per query (p50); HNSW build {a['hnsw_build_s']} s"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
