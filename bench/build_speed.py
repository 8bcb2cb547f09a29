"""Whole-process builds, ours against the LangChain recipe, alternating: what a user waits for.

Each run is a fresh process, as the issue measured: ``rag index build FILE`` (its
default backend and settings: int8 on ONNX since 2026-12-01) against ``python -m
bench.build_speed recipe FILE OUT`` (the tutorial recipe of ``bench.system_langchain``,
then ``save_local``), with ours also at ``RAG_PRECISION=float32`` (the opt-out) beside it.
Wall time, CPU seconds and peak RSS come from ``os.wait4`` on each child; runs
alternate (ours, ours float32, recipe, ours, ...) so a change in machine load hits all.

    python -m bench.build_speed compare --corpus ../shared/data/news-dev/corpus-small.jsonl --articles 60 --runs 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.inputs import count_tokens

ROOT = Path(__file__).resolve().parent.parent


def recipe(corpus: Path, out: Path) -> None:
    """The recipe in this process: read, split, embed, ``FAISS.from_documents``, ``save_local``."""
    from bench.system_langchain import LangChainSystem
    from rag.api import read_articles

    system = LangChainSystem()
    system.prepare()
    system.build(read_articles([corpus]))
    system.store.save_local(str(out))


def _child(command: list[str], env: dict[str, str] | None = None) -> dict:
    with tempfile.TemporaryFile() as errors:  # a pipe could fill up with progress bars and stall the child
        started = time.perf_counter()
        environment = {**os.environ, **(env or {})}
        child = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status) != 0:
            errors.seek(0)
            raise RuntimeError(f"{' '.join(command)} failed: {errors.read().decode()[-2000:]}")
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mib": round(usage.ru_maxrss / 1024),
    }


def compare(corpus: Path, articles: int, runs: int) -> dict:
    from bench.machine import cpu_info, machine_info
    from rag.api import read_articles
    from rag.embedding.factory import ONNX_AUTO_VARIANT

    chosen = read_articles([corpus])[:articles]
    with tempfile.TemporaryDirectory() as tmp:
        subset = Path(tmp) / "articles.jsonl"
        subset.write_text("".join(json.dumps({"id": a.id, "title": a.title, "text": a.text}) + "\n" for a in chosen))
        results: dict[str, list[dict]] = {"ours": [], "ours_fp32": [], "recipe": []}
        for run in range(runs):
            ours = [sys.executable, "-m", "rag.cli", "index", "build", str(subset), "--index-dir", f"{tmp}/ours-{run}"]
            results["ours"].append(_child(ours))
            # The same build at float32 (the opt-out): what the int8 default buys, in the same run.
            results["ours_fp32"].append(_child([*ours[:-1], f"{tmp}/fp32-{run}"], {"RAG_PRECISION": "float32"}))
            theirs = [sys.executable, "-m", "bench.build_speed", "recipe", str(subset), f"{tmp}/recipe-{run}"]
            results["recipe"].append(_child(theirs))
    median = {
        system: {key: statistics.median(r[key] for r in runs_) for key in runs_[0]} for system, runs_ in results.items()
    }
    tokens = count_tokens(chosen)
    return {
        "articles": len(chosen),
        "tokens": tokens,
        "runs": results,
        "median": median,
        "ours_articles_per_s": round(len(chosen) / median["ours"]["wall_s"], 2),
        "recipe_articles_per_s": round(len(chosen) / median["recipe"]["wall_s"], 2),
        "speedup_wall": round(median["recipe"]["wall_s"] / median["ours"]["wall_s"], 2),
        "speedup_wall_fp32": round(median["recipe"]["wall_s"] / median["ours_fp32"]["wall_s"], 2),
        "ours_embedding": {
            "RAG_BACKEND": os.environ.get("RAG_BACKEND", "auto"),
            "RAG_PRECISION": os.environ.get("RAG_PRECISION", "auto"),
            "onnx_auto_variant": ONNX_AUTO_VARIANT,
        },
        "ours_tokens_per_s": round(tokens / median["ours"]["wall_s"]),
        "machine": {**machine_info(), **cpu_info()},
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.build_speed", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    c = sub.add_parser("compare")
    c.add_argument("--corpus", type=Path, default=Path("../shared/data/news-dev/corpus-small.jsonl"))
    c.add_argument("--articles", type=int, default=60)
    c.add_argument("--runs", type=int, default=3)
    c.add_argument("--json-out", type=Path, default=None)
    r = sub.add_parser("recipe")
    r.add_argument("corpus", type=Path)
    r.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    if args.what == "recipe":
        recipe(args.corpus, args.out)
        return
    result = compare(args.corpus, args.articles, args.runs)
    text = json.dumps(result, indent=1)
    if args.json_out:
        args.json_out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
