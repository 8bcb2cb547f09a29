"""Segments: a durable add writes only itself, loading replays the log, compaction folds it back.

Real packaged model, real files: the index after any mix of saved adds and
removes must answer as the in-memory index that was saved, and find what a
single-segment rebuild of the same articles finds.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from rag.api import build_index, read_articles
from rag.errors import IndexStoreError
from rag.retrieval.search import search_index
from rag.stores.base import rows_of_articles
from rag.stores.folder import generations, layout
from rag.stores.folder.index import Index
from rag.text.sentences import split_sentences
from tests.synthetic import question, write_corpus

QUESTIONS = [question(i) for i in (0, 2, 5, 9, 12, 13)] + ["Who cut the ribbon?", "regional fund budget doubled"]


def _hits(index, k=5, rounded=6):
    return [[(h.chunk.id, round(h.score, rounded)) for h in search_index(index, q, k)] for q in QUESTIONS]


def _ids(index, articles):
    """What a rebuild must find too: the best passage for each question one indexed article answers."""
    return [search_index(index, question(i), 1)[0].chunk.id for i in articles]


def _live(settings):
    gen = generations.current(settings.index_dir)
    return gen, json.loads((gen / layout.MANIFEST).read_text())


def test_an_add_links_the_base_files_and_writes_one_segment(tmp_path, settings):
    build_index([write_corpus(tmp_path / "corpus", range(10))], settings)
    base, _ = _live(settings)
    extra = read_articles([write_corpus(tmp_path / "extra", [12])])
    Index.update(settings, lambda index: index.add(extra))
    gen, manifest = _live(settings)
    assert manifest["log"] == [{"add": "log/000001"}] and manifest["counts"]["articles"] == 11
    for name in (layout.DENSE, layout.CHUNKS, layout.ARTICLES):  # the same file, not a copy
        assert (gen / name).stat().st_ino == (base / name).stat().st_ino
    assert {p.name for p in (gen / "log/000001").iterdir()} >= {layout.ARTICLES, layout.CHUNKS, "vectors.npy"}
    layout.verify(gen, layout.read_manifest(gen))  # every file, linked or new, has its checksum


def test_saved_adds_and_removes_load_as_the_index_that_was_saved(tmp_path, settings):
    build_index([write_corpus(tmp_path / "corpus", range(10))], settings)
    more = read_articles([write_corpus(tmp_path / "more", [10, 11, 12, 13])])
    gone = read_articles([tmp_path / "corpus" / "article-002.md"])[0].id
    steps = [
        lambda index: index.add(more[:2]),
        lambda index: index.remove(gone),
        lambda index: index.add(more[2:]),
        lambda index: index.remove(more[0].id),
    ]
    for step in steps:
        saved = Index.update(settings, step).index
        loaded = Index.load(settings)
        assert loaded.generation == saved.generation
        assert [c.id for c in loaded.chunks] == [c.id for c in saved.chunks]
        assert {a: loaded.rows_of(a) for a in loaded.articles} == rows_of_articles(loaded.chunks)
        assert _hits(loaded) == _hits(saved)
    _, manifest = _live(settings)
    assert [next(iter(e)) for e in manifest["log"]] == ["add", "remove", "add", "remove"]

    # The same articles built in one segment find the same passages.
    rebuilt = Index.build(loaded.articles.values(), settings.replace(index_dir=tmp_path / "rebuilt"))
    assert _ids(loaded, (0, 5, 9, 11, 12, 13)) == _ids(rebuilt, (0, 5, 9, 11, 12, 13))
    assert gone not in loaded.articles and more[0].id not in loaded.articles


def test_compaction_empties_the_log_and_scores_as_a_rebuild(tmp_path, settings):
    build_index([write_corpus(tmp_path / "corpus", range(8))], settings)
    more = read_articles([write_corpus(tmp_path / "more", [9, 10])])
    Index.update(settings, lambda index: index.add(more))
    Index.update(settings, lambda index: index.remove(more[0].id))
    before = _ids(Index.load(settings), (0, 2, 5, 10))
    compacted = Index.update(settings, lambda index: index.compact()).index
    _, manifest = _live(settings)
    assert manifest["log"] == [] and not (generations.current(settings.index_dir) / "log").exists()
    loaded = Index.load(settings)
    assert _ids(loaded, (0, 2, 5, 10)) == before
    assert _hits(loaded) == _hits(compacted)
    rebuilt = Index.build(loaded.articles.values(), settings.replace(index_dir=tmp_path / "rebuilt"))
    assert _hits(loaded, rounded=4) == _hits(rebuilt, rounded=4)  # exact BM25 statistics again
    assert loaded.bm25.stale_rows == 0


def test_compaction_gives_chunks_of_an_older_index_their_sentence_spans(tmp_path, settings):
    index = build_index([write_corpus(tmp_path / "corpus", range(3))], settings)
    index.chunks[:] = [replace(c, sentences=()) for c in index.chunks]  # as read from a format-3 index
    compacted = index.compact().index
    assert [c.text for c in compacted.chunks] == [c.text for c in index.chunks]
    assert all(c.sentences and c.sentences == tuple(split_sentences(c.text)) for c in compacted.chunks)


def test_a_damaged_segment_is_refused_with_the_rebuild_hint(tmp_path, settings):
    build_index([write_corpus(tmp_path / "corpus", range(4))], settings)
    Index.update(settings, lambda index: index.add(read_articles([write_corpus(tmp_path / "more", [5])])))
    gen, _ = _live(settings)
    chunks = gen / "log/000001" / layout.CHUNKS
    chunks.unlink()  # a hard link: the other generation keeps its copy
    chunks.write_text("")
    with pytest.raises(IndexStoreError) as refused:
        Index.load(settings)
    assert "log/000001/chunks.jsonl" in str(refused.value) and "rag index build" in str(refused.value)
