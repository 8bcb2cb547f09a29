"""Concurrent chat sessions against the app through ``gradio_client``: errors and latency.

    .venv/bin/python bench/load_test.py                      # starts its own app (temp index)
    .venv/bin/python bench/load_test.py --url http://127.0.0.1:7860/ --sessions 20 --questions 5

Each session is one ``gradio_client.Client`` (one Gradio session, so follow-ups
carry history) asking seed-article questions through the ``/ask`` endpoint, the
same handler the browser uses. Latency is end-to-end: from ``predict`` until
the streamed answer is complete. An error is an exception or an answer that
came back as the app's "Sorry" message. Prints a table and JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from app_process import ROOT, start_app  # noqa: E402

ERROR_MARK = "Sorry:"  # rag.app.render.error_markdown prefixes every in-chat error with this


def seed_questions() -> list[str]:
    lines = (ROOT / "tests" / "seed_questions.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()]


def _last_reply(history: list[dict]) -> str:
    content = history[-1]["content"] if history else ""
    if isinstance(content, list):
        return " ".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content)


def connect(url: str):
    """A client that never phones home (analytics off) and never downloads files."""
    from gradio_client import Client

    return Client(url, verbose=False, analytics_enabled=False, download_files=False)


def run_session(url: str, questions: list[str]) -> tuple[list[float], list[str]]:
    """Ask ``questions`` in one session; returns (latencies of successful answers, error messages)."""
    latencies: list[float] = []
    errors: list[str] = []
    try:
        client = connect(url)
    except Exception as error:  # a refused connection is a load-test result, not a crash
        return [], [f"connect: {error}"] * len(questions)
    history: list = []
    for question in questions:
        start = time.perf_counter()
        try:
            _, history, _ = client.predict(question, history, api_name="/ask")
        except Exception as error:
            errors.append(f"{question!r}: {type(error).__name__}: {error}")
            continue
        elapsed = time.perf_counter() - start
        reply = _last_reply(history)
        if ERROR_MARK in reply:
            errors.append(f"{question!r}: {reply[:200]}")
        else:
            latencies.append(elapsed)
    client.close()
    return latencies, errors


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    rank = q / 100 * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def run_load(url: str, sessions: int, questions_per_session: int) -> dict:
    pool = seed_questions()
    plans = [[pool[(s + i) % len(pool)] for i in range(questions_per_session)] for s in range(sessions)]
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=sessions) as executor:
        results = list(executor.map(lambda plan: run_session(url, plan), plans))
    wall = time.perf_counter() - start
    latencies = [x for lat, _ in results for x in lat]
    errors = [e for _, errs in results for e in errs]
    requests = sessions * questions_per_session
    return {
        "url": url, "sessions": sessions, "questions_per_session": questions_per_session,
        "requests": requests, "errors": len(errors), "error_samples": errors[:5],
        "p50_s": percentile(latencies, 50), "p95_s": percentile(latencies, 95),
        "max_s": max(latencies, default=None),
        "mean_s": statistics.fmean(latencies) if latencies else None,
        "wall_s": wall, "throughput_rps": requests / wall if wall else None,
    }


def render_table(report: dict) -> str:
    def sec(key: str) -> str:
        value = report[key]
        return "–" if value is None else f"{value:.2f} s"

    rows = [
        ("sessions × questions", f"{report['sessions']} × {report['questions_per_session']}"),
        ("requests", str(report["requests"])), ("errors", str(report["errors"])),
        ("p50 latency", sec("p50_s")), ("p95 latency", sec("p95_s")), ("max latency", sec("max_s")),
        ("mean latency", sec("mean_s")), ("wall time", sec("wall_s")),
        ("throughput", f"{report['throughput_rps']:.2f} answers/s" if report["throughput_rps"] else "–"),
    ]
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=None, help="a running app; default: start one")
    parser.add_argument("--index-dir", type=Path, default=None, help="index for the started app")
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--questions", type=int, default=5)
    parser.add_argument("--json-out", type=Path, default=None)
    args = parser.parse_args(argv)
    app = None
    with tempfile.TemporaryDirectory(prefix="rag-load-") as work:
        if args.url is None:
            app = start_app(args.index_dir or Path(work) / "index", Path(work))
        try:
            report = run_load(args.url or app.url, args.sessions, args.questions)
        finally:
            if app is not None:
                app.stop()
    print(render_table(report))
    print(json.dumps(report, indent=2))
    if args.json_out:
        args.json_out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 1 if report["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
