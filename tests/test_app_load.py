"""The load test: 50 ``gradio_client`` sessions for 60 s against a real app while another process adds 20 articles.

Not a timing test: latency depends on the machine and is only reported (see
bench/README.md). What is asserted is correctness under load: every request is
answered without an error, and every article the writer added is in the saved
index and found by the running app, which was never restarted.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests import synthetic

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from app_process import start_app  # noqa: E402
from load_test import load_with_writes, read_questions, render_table, seed_questions  # noqa: E402

pytestmark = pytest.mark.slow

DEV_QUESTIONS = ROOT.parent / "shared" / "data" / "news-dev" / "questions.jsonl"


def test_fifty_clients_for_a_minute_while_twenty_articles_are_added(tmp_path):
    files = [synthetic.write_corpus(tmp_path / f"add-{i}", [i]) / f"article-{i:03d}.md" for i in range(20)]
    questions = seed_questions() + [synthetic.question(i) for i in range(20)]
    if DEV_QUESTIONS.exists():  # the news-dev set, where the shared data is mounted (not committed)
        questions += read_questions(DEV_QUESTIONS, 100)
    app = start_app(tmp_path / "index", tmp_path)
    try:
        report = load_with_writes(app.url, tmp_path / "index", questions, files, tmp_path, clients=50, duration=60)
    finally:
        app.stop()
    print(render_table(report))
    assert report["errors"] == 0, report["error_samples"]
    assert report["answered"] >= 50 and report["p95_s"] is not None
    writes = report["writes"]
    assert writes["added"] == 20
    assert writes["lost"] == 0, writes


def test_index_swap_is_atomic_for_concurrent_readers(tmp_path):
    """Readers hammering ``holder.index`` during uploads only ever see whole, consistent indexes."""
    import threading

    from rag.api import read_articles
    from rag.settings import Settings
    from rag.stores.holder import IndexHolder

    holder = IndexHolder(Settings(index_dir=tmp_path / "index", corpus_dir=ROOT / "data" / "articles"))
    first = holder.load_or_build(lambda: read_articles([holder.settings.corpus_dir], holder.settings), progress=False)
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
        writers = [
            threading.Thread(target=lambda p: holder.add(read_articles([p], holder.settings)), args=(path,))
            for path in files
        ]
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
