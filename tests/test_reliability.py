"""Crash and concurrency safety of the index store, with real ``rag`` processes.

A writer SIGKILLed at any point leaves the previous index answering exactly as
before; concurrent writers queue on the folder's lock and none loses another's
articles; readers never block or fail during writes; the app's ``IndexHolder``
picks up what the CLI wrote in another process.
"""

from __future__ import annotations

import signal
import threading
import time

import pytest
from filelock import FileLock

from rag.api import build_index, read_articles
from rag.retrieval.search import search_index
from rag.stores.folder import generations
from rag.stores.folder.index import Index
from rag.stores.holder import IndexHolder
from tests.synthetic import cli_env, question, run_cli, start_cli, title, write_corpus

QUESTIONS = [question(i) for i in (0, 3, 7, 11, 15, 30)]


def _answers(settings):
    """The live generation and its top-5 hits (chunk id, score) for a fixed set of questions."""
    index = Index.load(settings)
    hits = [[(h.chunk.id, round(h.score, 6)) for h in search_index(index, q, 5)] for q in QUESTIONS]
    return index.generation, hits


def _entries(folder, prefix):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(prefix))


def _article_id(path):
    return read_articles([path])[0].id


def _wait_for(condition, what, timeout=300.0):
    # A liveness bound, not a speed check: only a hang makes this fail.
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.01)


@pytest.mark.slow
def test_a_writer_killed_at_any_point_leaves_the_previous_index_answering(tmp_path, settings):
    corpus = write_corpus(tmp_path / "corpus", range(24))
    newer = write_corpus(tmp_path / "newer", range(28, 32))
    build_index([corpus], settings)
    folder = settings.index_dir
    baseline = _answers(settings)
    kills = [  # (stage at which the writer SIGKILLs itself, command)
        ("begun", ["index", "build", str(newer)]),  # temporary generation created, nothing written
        ("written", ["index", "build", str(newer)]),  # every file written, not yet fsynced or renamed
        ("written", ["index", "add", str(newer / "article-030.md")]),
        ("renamed", ["index", "add", str(newer / "article-030.md")]),  # complete generation, not live
        ("renamed", ["index", "remove", _article_id(corpus / "article-003.md")]),
    ]
    for stage, args in kills:
        result = run_cli(*args, "--index-dir", str(folder), env=cli_env(RAG_DEBUG_KILL_AT=stage))
        assert result.returncode == -signal.SIGKILL, (stage, args, result.stderr[-2000:])
        assert _answers(settings) == baseline, (stage, args)
        # The kill really happened mid-write: its leftover is on disk (and ignored by readers);
        # each writer first deletes the temporary folders of those killed before it.
        leftovers = _entries(folder, generations.TMP_PREFIX)
        assert len(leftovers) == (0 if stage == "renamed" else 1), (stage, leftovers)
    assert len(_entries(folder, generations.GEN_PREFIX)) == 3  # the live one and two never made live

    # An outside SIGKILL the moment the writer's temporary folder appears.
    writer = start_cli("index", "build", str(newer), "--index-dir", str(folder))
    known = set(_entries(folder, generations.TMP_PREFIX))
    _wait_for(
        lambda: set(_entries(folder, generations.TMP_PREFIX)) - known or writer.poll() is not None,
        "the writer's temporary generation",
    )
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=60)
    live, hits = _answers(settings)
    if live == baseline[0]:
        assert hits == baseline[1]
    else:  # it got as far as the swap: then the whole new index is live
        assert len(Index.load(settings).articles) == 4

    # Killed just after the swap: the new index is live and whole.
    result = run_cli("index", "build", str(newer), "--index-dir", str(folder), env=cli_env(RAG_DEBUG_KILL_AT="swapped"))
    assert result.returncode == -signal.SIGKILL
    index = Index.load(settings)
    assert len(index.articles) == 4 and index.generation != baseline[0]
    assert search_index(index, question(30), 1)[0].title == title(30)

    # The next writer succeeds and clears every leftover.
    result = run_cli("index", "build", str(corpus), "--index-dir", str(folder))
    assert result.returncode == 0, result.stderr[-2000:]
    assert _entries(folder, generations.TMP_PREFIX) == []
    assert len(_entries(folder, generations.GEN_PREFIX)) == 2
    assert _answers(settings)[1] == baseline[1]  # same corpus, same hits


@pytest.mark.slow
def test_a_segment_or_a_compaction_killed_at_any_point_leaves_the_previous_index_answering(tmp_path, settings):
    corpus = write_corpus(tmp_path / "corpus", range(12))
    newer = write_corpus(tmp_path / "newer", range(28, 31))
    build_index([corpus], settings)
    folder = settings.index_dir
    first = run_cli("index", "add", str(newer / "article-028.md"), "--index-dir", str(folder))
    assert first.returncode == 0, first.stderr[-2000:]
    assert Index.load(settings).journal.entries  # the live generation is a base plus one segment
    baseline = _answers(settings)
    kills = [
        ("written", ["index", "add", str(newer / "article-029.md")]),  # segment written, links made, not renamed
        ("renamed", ["index", "add", str(newer / "article-029.md")]),  # complete generation, not live
        ("renamed", ["index", "remove", _article_id(newer / "article-028.md")]),
        ("written", ["index", "compact"]),  # every file rewritten, not renamed
        ("renamed", ["index", "compact"]),
    ]
    for stage, args in kills:
        result = run_cli(*args, "--index-dir", str(folder), env=cli_env(RAG_DEBUG_KILL_AT=stage))
        assert result.returncode == -signal.SIGKILL, (stage, args, result.stderr[-2000:])
        assert _answers(settings) == baseline, (stage, args)

    # Killed just after the swap: the new segment is live and whole.
    result = run_cli(
        "index",
        "add",
        str(newer / "article-030.md"),
        "--index-dir",
        str(folder),
        env=cli_env(RAG_DEBUG_KILL_AT="swapped"),
    )
    assert result.returncode == -signal.SIGKILL
    index = Index.load(settings)
    assert len(index.articles) == 14 and len(index.journal.entries) == 2
    assert search_index(index, question(30), 1)[0].title == title(30)
    found = [search_index(index, q, 1)[0].chunk.id for q in QUESTIONS]

    # Compaction killed after the swap: one segment, the same passages found.
    result = run_cli("index", "compact", "--index-dir", str(folder), env=cli_env(RAG_DEBUG_KILL_AT="swapped"))
    assert result.returncode == -signal.SIGKILL
    compacted = Index.load(settings)
    assert not compacted.journal.entries and len(compacted.articles) == 14
    assert [search_index(compacted, q, 1)[0].chunk.id for q in QUESTIONS] == found


@pytest.mark.slow
def test_two_concurrent_adds_both_land(tmp_path, settings):
    build_index([write_corpus(tmp_path / "corpus", range(4))], settings)
    extra = write_corpus(tmp_path / "extra", [10, 11])
    folder = settings.index_dir
    logs = [tmp_path / "add-10.err", tmp_path / "add-11.err"]
    # Hold the writer lock so that both adds start, read their files, and then queue on it.
    with FileLock(str(folder / generations.LOCK)):
        writers = [
            start_cli("index", "add", str(extra / f"article-0{n}.md"), "--index-dir", str(folder), stderr_path=log)
            for n, log in zip((10, 11), logs)
        ]
        for writer, log in zip(writers, logs):
            _wait_for(
                lambda log=log, writer=writer: "waiting up to" in log.read_text() or writer.poll() is not None,
                f"{log.name} to wait for the lock",
            )
            assert writer.poll() is None, log.read_text()
    for writer, log in zip(writers, logs):
        assert writer.wait(timeout=600) == 0, log.read_text()[-2000:]
    titles = {a.title for a in Index.load(settings).articles.values()}
    assert len(titles) == 6
    assert {title(10), title(11)} <= titles


def test_a_second_writer_can_fail_at_once_with_one_line(tmp_path, settings):
    build_index([write_corpus(tmp_path / "corpus", range(2))], settings)
    folder = settings.index_dir
    live = generations.current(folder).name
    extra = write_corpus(tmp_path / "extra", [5]) / "article-005.md"
    with FileLock(str(folder / generations.LOCK)):
        by_flag = run_cli("index", "add", str(extra), "--index-dir", str(folder), "--lock-timeout", "0")
        by_env = run_cli(
            "index", "remove", _article_id(extra), "--index-dir", str(folder), env=cli_env(RAG_LOCK_TIMEOUT="0")
        )
    for result in (by_flag, by_env):
        assert result.returncode == 2
        err = result.stderr.strip()
        assert "\n" not in err and err.startswith(f"error: another process is writing the index in {folder}"), err
    assert generations.current(folder).name == live


@pytest.mark.slow
def test_readers_keep_answering_while_another_process_writes(tmp_path, settings):
    build_index([write_corpus(tmp_path / "corpus", range(6))], settings)
    extra = write_corpus(tmp_path / "extra", [10, 11])
    folder = settings.index_dir
    seen: list[tuple[str, int]] = []
    errors: list[str] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            try:
                index = Index.load(settings)
                top = search_index(index, question(1), 3)[0]
                if top.title != title(1) or index.dense.size != len(index.chunks):
                    errors.append(f"wrong answer from {index.generation}: {top.title}")
                seen.append((index.generation, len(index.articles)))
            except Exception as error:  # noqa: BLE001 - any failure is what this test looks for
                errors.append(repr(error))
            time.sleep(0.02)  # leave the writer some CPU on a 2-core machine

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for args in (
            ["index", "add", str(extra / "article-010.md")],
            ["index", "add", str(extra / "article-011.md")],
            ["index", "remove", _article_id(extra / "article-010.md")],
        ):
            result = run_cli(*args, "--index-dir", str(folder))
            assert result.returncode == 0, result.stderr[-2000:]
    finally:
        stop.set()
        reader.join()
    assert errors == []
    assert len(seen) > 10 and len({generation for generation, _ in seen}) >= 2
    assert {count for _, count in seen} <= {6, 7, 8}
    assert len(Index.load(settings).articles) == 7


@pytest.mark.slow
def test_the_app_holder_picks_up_cli_writes_and_builds_on_them(tmp_path, settings):
    corpus = write_corpus(tmp_path / "corpus", range(3))
    extra = write_corpus(tmp_path / "extra", [10, 11, 12])
    holder = IndexHolder(settings.replace(corpus_dir=corpus))
    first = holder.load_or_build(lambda: read_articles([corpus], holder.settings), progress=False)
    time.sleep(holder.CHECK_SECONDS + 0.1)
    assert holder.index is first  # it looked at disk and found nothing new

    result = run_cli("index", "add", str(extra / "article-010.md"), "--index-dir", str(settings.index_dir))
    assert result.returncode == 0, result.stderr[-2000:]
    _wait_for(lambda: len(holder.index.articles) == 4, "the holder to load the CLI's generation", timeout=60)
    assert holder.index.generation == generations.current(settings.index_dir).name

    # A holder that has not looked yet still builds its upload on the CLI's latest write.
    holder.CHECK_SECONDS = 3600.0
    result = run_cli("index", "add", str(extra / "article-011.md"), "--index-dir", str(settings.index_dir))
    assert result.returncode == 0, result.stderr[-2000:]
    change = holder.add(read_articles([extra / "article-012.md"], holder.settings))
    assert [a.title for a in change.added] == [title(12)]
    titles = {a.title for a in holder.index.articles.values()}
    assert {title(10), title(11), title(12)} <= titles
    assert {a.title for a in Index.load(settings).articles.values()} == titles and len(titles) == 6
