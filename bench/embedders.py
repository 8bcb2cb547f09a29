"""Embedding backends and whole builds, in one run on this CPU.

``python -m bench.embedders [--articles 60] [--chunks 256] [--repeats 3] --out FILE``

1. The model alone: tokens/s of ``encode`` over news chunks (title + chunk, as
   built) with a thread per core, for torch fp32, torch bf16 (only where the CPU
   has bf16 units), ONNX fp32 and ONNX int8. Rounds alternate encoders, so
   the machine's load changes hit them alike; medians are quoted.
2. Builds: articles/s of ``Index.build`` (ours, the default ONNX backend, and
   ours with torch fp32) against the LangChain recipe (``bench.system_langchain``)
   on the same news-dev articles, the model loaded beforehand for all. Torch is
   held at float32 to emulate a CPU without bf16 units. Build tokens/s is quoted
   against the model's peak measured in part 1.

Wall and CPU seconds are both recorded: on a shared machine the CPU-seconds
ratio is the steadier one.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import time
from pathlib import Path

from bench.machine import cpu_info, load_average
from rag.settings import Settings

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "news-dev" / "corpus-small.jsonl"


def clocked(fn, *args):
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn(*args)
    return out, time.perf_counter() - wall, time.process_time() - cpu


def model_encoders(bf16: bool) -> dict:
    from rag.embedding.factory import get_embedder

    model = Settings().model
    encoders = {"torch fp32": lambda: get_embedder(model, "cpu", 64, "float32", "torch")}
    if bf16:
        encoders["torch bf16"] = lambda: get_embedder(model, "cpu", 64, "bfloat16", "torch")
    encoders["onnx fp32"] = lambda: get_embedder(model, "cpu", 64, "float32", "onnx")
    encoders["onnx int8"] = lambda: get_embedder(model, "cpu", 64, "int8", "onnx")
    return encoders


def model_peak(texts: list[str], tokens: int, repeats: int, bf16: bool) -> dict:
    encoders = {name: make() for name, make in model_encoders(bf16).items()}
    for embedder in encoders.values():
        embedder.encode(texts[:80])  # sessions, allocator, caches
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in encoders}
    for _ in range(repeats):
        for name, embedder in encoders.items():
            _, wall, cpu = clocked(embedder.encode, texts)
            runs[name].append((wall, cpu))
    out = {}
    for name, pairs in runs.items():
        wall = statistics.median(w for w, _ in pairs)
        cpu = statistics.median(c for _, c in pairs)
        out[name] = {
            "tokens_per_s": round(tokens / wall),
            "tokens_per_cpu_s": round(tokens / cpu),
            "wall_s": [round(w, 2) for w, _ in pairs],
        }
    base = out["torch fp32"]["tokens_per_s"]
    for row in out.values():
        row["vs_torch_fp32"] = round(row["tokens_per_s"] / base, 3)
    return out


def builds(articles, tokens: int, repeats: int) -> dict:
    from bench.system_langchain import LangChainSystem
    from bench.system_ours import OursSystem

    systems = {
        "ours (onnx, default)": OursSystem(Settings()),
        "ours (onnx int8)": OursSystem(Settings(backend="onnx", precision="int8")),
        "ours (torch fp32)": OursSystem(Settings(backend="torch", precision="float32")),
        "langchain recipe (torch fp32)": LangChainSystem(),
    }
    for system in systems.values():
        system.prepare()
    runs: dict[str, list] = {name: [] for name in systems}
    for _ in range(repeats):
        for name, system in systems.items():
            gc.collect()
            passages, wall, cpu = clocked(system.build, articles)
            runs[name].append((wall, cpu, passages))
    out = {}
    for name, rows in runs.items():
        wall = statistics.median(r[0] for r in rows)
        cpu = statistics.median(r[1] for r in rows)
        out[name] = {
            "articles_per_s": round(len(articles) / wall, 3),
            "tokens_per_s": round(tokens / wall),
            "tokens_per_cpu_s": round(tokens / cpu),
            "wall_s": [round(r[0], 2) for r in rows],
            "cpu_s": [round(r[1], 2) for r in rows],
            "median_wall_s": round(wall, 2),
            "median_cpu_s": round(cpu, 2),
            "passages": rows[0][2],
        }
    recipe = out["langchain recipe (torch fp32)"]
    for row in out.values():
        row["speedup_vs_recipe_wall"] = round(recipe["median_wall_s"] / row["median_wall_s"], 3)
        row["speedup_vs_recipe_cpu"] = round(recipe["median_cpu_s"] / row["median_cpu_s"], 3)
    return out


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--articles", type=int, default=60)
    parser.add_argument("--chunks", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-builds", action="store_true")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)

    from bench.inputs import count_tokens, load_articles
    from bench.onnx_variants import chunk_texts
    from rag.embedding.embedder import resolve_model_path
    from rag.text.tokens import load_batch_token_counter

    cpu = cpu_info()
    texts, _ = chunk_texts(args.corpus, args.articles, args.chunks)
    model_tokens = sum(min(n + 2, 256) for n in load_batch_token_counter(resolve_model_path(Settings().model))(texts))
    report = {
        "cpu": cpu,
        "command": "python -m bench.embedders " + " ".join(argv or []),
        "model": {"chunks": len(texts), "tokens": model_tokens},
    }
    report["model"]["encoders"] = model_peak(texts, model_tokens, args.repeats, cpu["bf16_native"])
    print(json.dumps(report["model"], indent=2), flush=True)
    if not args.skip_builds:
        articles = load_articles(args.corpus, args.articles)
        tokens = count_tokens(articles)
        encoders = report["model"]["encoders"]
        peak = max(v["tokens_per_s"] for v in encoders.values())
        peak_cpu = max(v["tokens_per_cpu_s"] for v in encoders.values())
        report["build"] = {
            "articles": len(articles),
            "article_tokens": tokens,
            "model_peak_tokens_per_s": peak,
            "model_peak_tokens_per_cpu_s": peak_cpu,
            "systems": builds(articles, tokens, args.repeats),
        }
        for row in report["build"]["systems"].values():
            # Wall shares move with the machine's load between the two parts; CPU shares much less.
            row["share_of_model_peak"] = round(row["tokens_per_s"] / peak, 3)
            row["share_of_model_peak_cpu"] = round(row["tokens_per_cpu_s"] / peak_cpu, 3)
        print(json.dumps(report["build"], indent=2), flush=True)
    report["load_average_at_end"] = load_average()
    if args.out:
        args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return report


if __name__ == "__main__":
    main()
