"""The Milvus store against a real engine: a Milvus Lite .db, and the same through milvus-lite's gRPC server.

Every test builds its own corpus (the seed article plus a few generated ones) and
compares the Milvus store with the FAISS folder built from the same articles.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.conftest import BURNS, SEED, seed_questions
from tests.milvus_server import milvus_lite_server
from tests.synthetic import cli_env, question, run_cli, write_corpus

pytest.importorskip("pymilvus", reason="pymilvus is not installed (pip install -e '.[milvus]')")

pytestmark = pytest.mark.slow


@pytest.fixture(params=["lite", "server"])
def milvus_settings(request, tmp_path):
    """Settings whose store is a Milvus Lite .db, or a collection on a milvus-lite server subprocess."""
    from rag.settings import Settings
    from rag.stores import close

    if request.param == "lite":
        settings = Settings(index_dir=tmp_path / "milvus-index", store=str(tmp_path / "store.db"))
        yield settings
        close(settings)
        return
    with milvus_lite_server(tmp_path / "server-data") as port:
        settings = Settings(index_dir=tmp_path / "milvus-index", store=f"milvus://127.0.0.1:{port}/news")
        yield settings
        close(settings)


@pytest.fixture
def articles(tmp_path):
    from rag.api import read_articles

    return read_articles([SEED, write_corpus(tmp_path / "corpus", range(8))])


def _ids(hits):
    return [h.chunk.id for h in hits]


def test_seed_questions_give_the_same_passages_on_both_stores(milvus_settings, articles, tmp_path):
    from rag.retrieval.search import search_index
    from rag.settings import Settings
    from rag.stores import create_index, open_index

    folder = create_index(articles, Settings(index_dir=tmp_path / "faiss-index"))
    create_index(articles, milvus_settings)
    milvus = open_index(milvus_settings)  # read back from the engine, not the object that wrote it
    assert [c.id for c in milvus.chunks] == [c.id for c in folder.chunks]
    assert milvus.manifest.model == folder.manifest.model
    for q in seed_questions() + [{"question": question(i)} for i in (1, 5)]:
        vector = folder.embedder.encode_query(q["question"])
        expected = search_index(folder, q["question"], 5, query_vector=vector)
        got = search_index(milvus, q["question"], 5, query_vector=vector)
        assert _ids(got) == _ids(expected), q["question"]
        for a, b in zip(got, expected):
            assert a.dense_rank == b.dense_rank and a.bm25_rank == b.bm25_rank
    assert any(BURNS in h.chunk.text for h in search_index(milvus, "Who warned Russia?", 5))


def test_filters_agree_with_the_folder(milvus_settings, articles, tmp_path):
    from rag.filters import Filters
    from rag.retrieval.search import search_index
    from rag.settings import Settings
    from rag.stores import create_index

    folder = create_index(articles, Settings(index_dir=tmp_path / "faiss-index"))
    milvus = create_index(articles, milvus_settings)
    some = sorted(folder.articles)[:3]
    cases = [
        Filters(article_ids=frozenset(some)),
        Filters(sources=frozenset({"article-003", "ARTICLE-005.md"})),
        Filters(sources=frozenset({"100%_no_such"})),  # LIKE wildcards are matched literally
        Filters(date_from="2024-03-01", date_to="2024-07-31"),
        Filters(article_ids=frozenset(some), date_from="2024-02-01"),
        Filters(article_ids=frozenset({'no "such" \\ id'})),
    ]
    for filters in cases:
        for q in ("How much did the museum cost?", "Who warned Russia?"):
            expected = search_index(folder, q, 8, filters=filters)
            got = search_index(milvus, q, 8, filters=filters)
            assert _ids(got) == _ids(expected), (filters, q)
            assert all(filters.matches(milvus.articles[h.chunk.article_id]) for h in got)


def test_add_remove_vectors_and_sentences(milvus_settings, articles, tmp_path):
    from rag.api import read_articles
    from rag.retrieval.search import search_index
    from rag.stores import create_index, open_index, store_stats, update_index
    from rag.stores.folder.index import Index

    milvus = create_index(articles, milvus_settings)
    folder = Index.build(articles, milvus_settings.replace(store=""))
    rows = [0, 3, len(folder.chunks) - 1]
    assert np.allclose(milvus.vectors(rows), folder.vectors(rows), atol=1e-6)
    chunk = folder.chunks[2]
    assert np.allclose(milvus.sentence_vectors(chunk), folder.sentence_vectors(chunk), atol=1e-6)

    extra = read_articles([write_corpus(tmp_path / "more", [20])])
    change = update_index(milvus_settings, lambda index: index.add(extra))
    assert [a.id for a in change.added] == [extra[0].id]
    again = update_index(milvus_settings, lambda index: index.add(extra))
    assert again.added == () and len(again.skipped) == 1  # already there, by content
    hit = search_index(open_index(milvus_settings), question(20), 1)[0]
    assert hit.chunk.article_id == extra[0].id

    update_index(milvus_settings, lambda index: index.remove(extra[0].id))
    reopened = open_index(milvus_settings)
    assert extra[0].id not in reopened.articles
    assert all(h.chunk.article_id != extra[0].id for h in search_index(reopened, question(20), 5))
    stats = store_stats(milvus_settings)
    assert (stats.articles, stats.chunks) == (len(articles), len(folder.chunks))

    # Remove a middle article and add one: rows reopen in the order the live object holds them.
    middle = sorted(reopened.articles)[1]
    update_index(milvus_settings, lambda index: index.remove(middle))
    live = update_index(milvus_settings, lambda index: index.add(extra)).index
    assert [c.id for c in open_index(milvus_settings).chunks] == [c.id for c in live.chunks]


def test_cli_round_trip_on_milvus_lite(tmp_path):
    store = str(tmp_path / "cli.db")
    env = cli_env(RAG_STORE=store)
    corpus = write_corpus(tmp_path / "corpus", range(3))
    built = run_cli("index", "build", str(SEED), str(corpus), "--index-dir", str(tmp_path / "ix"), env=env)
    assert built.returncode == 0, built.stderr
    assert store in built.stdout and "4 articles" in built.stdout
    more = write_corpus(tmp_path / "more", [9])
    added = run_cli("index", "add", str(more), "--store", store, "--index-dir", str(tmp_path / "ix"))
    assert added.returncode == 0 and added.stdout.startswith("added"), added.stderr
    stats = run_cli("index", "stats", "--json", "--index-dir", str(tmp_path / "ix"), env=env)
    assert stats.returncode == 0, stats.stderr
    data = json.loads(stats.stdout)
    assert data["articles"] == 5 and data["disk_bytes"] > 0
    new_id = next(row["id"] for row in data["rows"] if "Jorvale" in row["title"])
    found = run_cli("search", question(9), "--json", "-k", "1", "--index-dir", str(tmp_path / "ix"), env=env)
    assert json.loads(found.stdout)[0]["chunk"]["article_id"] == new_id, found.stderr
    removed = run_cli("index", "remove", new_id, "--index-dir", str(tmp_path / "ix"), env=env)
    assert removed.returncode == 0, removed.stderr
    answer = run_cli("ask", "Who warned Russia?", "--json", "--index-dir", str(tmp_path / "ix"), env=env)
    assert answer.returncode == 0, answer.stderr
    assert "Burns" in json.loads(answer.stdout)["text"]
    gone = run_cli("index", "stats", "--json", "--index-dir", str(tmp_path / "ix"), env=env)
    assert json.loads(gone.stdout)["articles"] == 4
    bad = run_cli("search", "x", "--store", "milvus://nowhere/x")
    assert bad.returncode == 2 and bad.stderr.startswith("error: store must be") and "\n" == bad.stderr[-1]


def test_eval_runs_on_a_milvus_lite_store(tmp_path):
    from rag.cli import main
    from tests.test_eval import _write

    corpus, questions = _write(tmp_path)
    store = str(tmp_path / "eval.db")
    out = tmp_path / "r.json"
    common = ["--corpus", str(corpus), "--questions", str(questions), "--store", store]
    assert main(["eval", "retrieval", *common, "--json-out", str(out)]) == 0
    results = {r["mode"]: r for r in json.loads(out.read_text())}
    assert results["hybrid"]["recall"]["@1"] == 1.0 and results["hybrid"]["questions"] == 3
    assert main(["eval", "answers", *common, "--json-out", str(tmp_path / "a.json")]) == 0
    assert json.loads((tmp_path / "a.json").read_text())["questions"] == 3


def test_bench_stores_compares_both_stores_on_a_built_index(tmp_path):
    from bench.stores import main
    from rag.api import build_index
    from rag.settings import Settings
    from tests.test_eval import _write

    corpus, questions = _write(tmp_path)
    build_index([corpus], Settings(index_dir=tmp_path / "ix"))
    out = tmp_path / "stores.json"
    assert (
        main(["--index", str(tmp_path / "ix"), "--questions", str(questions), "--out", str(out), "--embed-sample", "3"])
        == 0
    )
    report = json.loads(out.read_text())
    assert report["same_top10"] == report["questions"] == 3
    for name in ("faiss", "milvus-lite"):
        assert report["stores"][name]["recall@1"] == 1.0 and report["stores"][name]["bytes_per_chunk"] > 0
    assert "| milvus-lite |" in out.with_suffix(".md").read_text()
