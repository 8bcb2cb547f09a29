"""Smoke test of bench/load_test.py: a few concurrent sessions against a real app, no errors.

Not a timing test: latency depends on the machine, so only correctness under
concurrency (every request answered, none with an error) is asserted.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from app_process import start_app  # noqa: E402
from load_test import render_table, run_load  # noqa: E402

pytestmark = pytest.mark.slow


def test_concurrent_sessions_get_answers_without_errors(tmp_path):
    app = start_app(tmp_path / "index", tmp_path)
    try:
        report = run_load(app.url, sessions=3, questions_per_session=2)
    finally:
        app.stop()
    assert report["errors"] == 0, report["error_samples"]
    assert report["requests"] == 6 and report["p50_s"] is not None
    assert "p95 latency" in render_table(report)


def test_index_swap_is_atomic_for_concurrent_readers(tmp_path):
    """Readers hammering ``holder.index`` during uploads only ever see whole, consistent indexes."""
    import threading

    from rag.app.state import IndexHolder
    from rag.settings import Settings

    holder = IndexHolder(Settings(index_dir=tmp_path / "index", corpus_dir=ROOT / "data" / "articles"))
    first = holder.load_or_build(progress=False)
    files = []
    for n in range(3):
        path = tmp_path / f"extra-{n}.txt"
        path.write_text(f"Extra story {n}\nStandfirst {n}.\nThe council approved plan number {n} today.\n")
        files.append(path)
    seen: set[int] = set()
    problems: list[str] = []
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            index = holder.index
            if index.dense.size != len(index.chunks) or set(index.manifest.articles) != set(index.articles):
                problems.append(f"inconsistent index with {len(index.articles)} articles")
            seen.add(len(index.articles))

    readers = [threading.Thread(target=read) for _ in range(4)]
    for thread in readers:
        thread.start()
    try:
        writers = [threading.Thread(target=holder.add_files, args=([path],)) for path in files]
        for thread in writers:
            thread.start()
        for thread in writers:
            thread.join()
    finally:
        done.set()
        for thread in readers:
            thread.join()
    assert not problems
    assert len(holder.index.articles) == len(first.articles) + 3  # no upload lost to a race
    assert seen <= set(range(len(first.articles), len(first.articles) + 4))
    reloaded = IndexHolder(holder.settings).load_or_build()
    assert set(reloaded.articles) == set(holder.index.articles)  # what was saved is what is served
