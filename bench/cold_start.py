"""Cold start: time from launching ``python app.py`` to its first answer, with an existing index.

    .venv/bin/python bench/cold_start.py [--index-dir DIR] [--runs 3] [--json-out FILE]

Without ``--index-dir`` a temporary index is built by one untimed launch first,
so every timed run loads an index rather than building one. Each run starts a
fresh process, polls until ``gradio_client`` connects, asks "Who warned
Russia?" and stops the process. Reports each run and the median.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from app_process import start_app  # noqa: E402
from load_test import ERROR_MARK, ask, connect, machine  # noqa: E402

QUESTION = "Who warned Russia?"


def one_run(index_dir: Path, work: Path, timeout: float = 240.0) -> dict:
    start = time.perf_counter()
    app = start_app(index_dir, work, timeout=timeout)  # returns once "/" answers 200
    try:
        serving = time.perf_counter() - start
        client = connect(app.url)
        reply, _ = ask(client, QUESTION)
        answered = time.perf_counter() - start
        client.close()
        if ERROR_MARK in reply:
            raise RuntimeError(f"first answer was an error: {reply[:200]}")
        return {"serving_s": serving, "first_answer_s": answered}
    finally:
        app.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", type=Path, default=None)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json-out", type=Path, default=None)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="rag-cold-") as tmp:
        work = Path(tmp)
        index_dir = args.index_dir or work / "index"
        if not (index_dir / "manifest.json").is_file():
            print(f"building {index_dir} with an untimed first launch…", file=sys.stderr)
            start_app(index_dir, work).stop()
        runs = [one_run(index_dir, work) for _ in range(args.runs)]
    report = {
        "machine": machine(),
        "backend": os.environ.get("RAG_BACKEND", "auto (the default)"),
        "runs": runs,
        "median_serving_s": statistics.median(r["serving_s"] for r in runs),
        "median_first_answer_s": statistics.median(r["first_answer_s"] for r in runs),
    }
    for number, run in enumerate(runs, start=1):
        print(
            f"run {number}: page served after {run['serving_s']:.2f} s, "
            f"first answer after {run['first_answer_s']:.2f} s"
        )
    print(
        f"median: page served after {report['median_serving_s']:.2f} s, "
        f"first answer after {report['median_first_answer_s']:.2f} s"
    )
    print(json.dumps(report, indent=2))
    if args.json_out:
        args.json_out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
