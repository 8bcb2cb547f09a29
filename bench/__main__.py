"""``python -m bench run``: the side-by-side comparison (and optional scaling points) in one process.

    python -m bench run --corpus C.jsonl --questions Q.jsonl [--limit-docs N] [--limit-questions N]
        [--out bench/results] [--systems ours,langchain,bm25,dense,rrf] [--split all|fit|report] [--update-readme]
        [--scale-sizes 10000,100000 [--scale-corpus news-scale.jsonl.gz] [--scale-only]]

Writes ``latest.md``, ``latest.json`` and ``quality_vs_latency.png`` into
``--out`` (plus ``scaling.png`` with ``--scale-sizes``; ``--scale-only`` skips
the comparison and writes ``scaling.json``/``scaling.md`` instead of ``latest.*``).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_SCALE_CORPUS = ROOT.parent / "shared" / "data" / "news-scale.jsonl.gz"


def _int_list(text: str) -> list[int]:
    try:
        return [int(x.replace("_", "")) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from None


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="build every system on one corpus and score the same questions")
    run.add_argument("--corpus", type=Path, required=True, help="articles: .jsonl (or .jsonl.gz, .txt, folder)")
    run.add_argument("--questions", type=Path, required=True, help="jsonl with relevant_doc_ids/gold_doc_ids")
    run.add_argument("--limit-docs", type=int, default=None, help="first N articles only")
    run.add_argument("--limit-questions", type=int, default=None, help="first N usable questions only")
    run.add_argument("--out", type=Path, default=HERE / "results", help="output folder (default bench/results)")
    run.add_argument("--systems", default="ours,langchain,bm25,dense,rrf", help="comma-separated subset")
    run.add_argument(
        "--split",
        choices=["all", "fit", "report"],
        default="all",
        help="score only this half of the questions (by date, else by article; see rag.eval.split)",
    )
    run.add_argument("--update-readme", action="store_true", help="rewrite the README's results section")
    run.add_argument("--readme", type=Path, default=HERE / "README.md", help="README to update")
    run.add_argument("--scale-sizes", type=_int_list, default=None, help="chunk counts, e.g. 10000,100000")
    run.add_argument("--scale-corpus", type=Path, default=DEFAULT_SCALE_CORPUS, help="corpus sliced for scaling")
    run.add_argument("--scale-questions", type=int, default=50, help="questions timed per scaling point")
    run.add_argument(
        "--torch-threads",
        type=int,
        default=None,
        help="torch.set_num_threads(N) before anything runs (default: torch's own choice)",
    )
    run.add_argument("--scale-only", action="store_true", help="skip the comparison, run the scaling points")
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr)
    logging.getLogger("faiss.loader").setLevel(logging.WARNING)
    if args.torch_threads:
        import torch

        torch.set_num_threads(args.torch_threads)
    from bench import chart, report
    from bench.machine import command_line, load_average, machine_info, now_utc

    header = {"date": now_utc(), "command": command_line(argv), "machine": machine_info()}
    if args.scale_only and not args.scale_sizes:
        raise SystemExit("--scale-only needs --scale-sizes")
    charts: list[Path] = []
    results: dict = dict(header)
    if not args.scale_only:
        from bench.runner import compare

        names = [n.strip() for n in args.systems.split(",") if n.strip()]
        results.update(
            compare(
                args.corpus,
                args.questions,
                names,
                limit_docs=args.limit_docs,
                limit_questions=args.limit_questions,
                split=args.split,
            )
        )
    if args.scale_sizes:
        from bench.inputs import question_texts
        from bench.scaling import run_scaling

        texts = question_texts(args.questions, args.scale_questions)
        results["scaling"] = run_scaling(args.scale_corpus, args.scale_sizes, texts)
        results["scaling_corpus"] = str(args.scale_corpus)
    results["machine"]["load_average_at_end"] = load_average()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.scale_only:
        from bench.scaling import render_scaling

        charts.append(chart.scaling(results["scaling"], args.out / "scaling.png"))
        (args.out / "scaling.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        table = render_scaling(results["scaling"])
        (args.out / "scaling.md").write_text(
            f"# Scaling\n\n{table}\n\nCommand: `{results['command']}`\n", encoding="utf-8"
        )
        print(table)
        return 0
    charts.append(chart.quality_vs_latency(results, args.out / "quality_vs_latency.png"))
    if results.get("scaling"):
        charts.append(chart.scaling(results["scaling"], args.out / "scaling.png"))
    json_path, md_path = report.write_results(results, args.out)
    print(report.render_markdown(results))
    print(f"\nwrote {md_path}, {json_path}, " + ", ".join(str(c) for c in charts), file=sys.stderr)
    if args.update_readme:
        report.update_readme(args.readme, report.readme_block(results, args.readme, charts))
        print(f"updated {args.readme}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
