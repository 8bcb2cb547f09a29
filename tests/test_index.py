"""The index folder: build, save, load, add, remove, and refusing what doesn't match."""

from __future__ import annotations

import json

import pytest

from rag.api import read_articles
from rag.errors import IndexStoreError
from rag.retrieval.search import search_index
from rag.stores.folder import layout
from rag.stores.folder.index import Index
from tests.conftest import SEED


def test_save_load_search_gives_the_same_hits(seed_index, settings):
    loaded = Index.load(settings)
    for question in ("Who warned Russia?", "Where was the summit?", "Putin essay"):
        before = [(h.chunk.id, round(h.score, 6)) for h in search_index(seed_index, question, 5)]
        after = [(h.chunk.id, round(h.score, 6)) for h in search_index(loaded, question, 5)]
        assert before == after


def test_manifest_describes_the_folder(seed_index, settings):
    manifest = json.loads((settings.index_dir / layout.MANIFEST).read_text())
    assert manifest["format_version"] == layout.FORMAT_VERSION
    assert manifest["model"] == "all-MiniLM-L6-v2"
    assert manifest["dimension"] == 384
    assert manifest["counts"] == {"articles": 1, "chunks": len(seed_index.chunks)}
    assert manifest["chunk_tokens"] == settings.chunk_tokens
    ((article_id, content_hash),) = manifest["articles"].items()
    assert seed_index.articles[article_id].content_hash == content_hash


def test_chunk_offsets_point_into_the_stored_articles(seed_index, settings):
    loaded = Index.load(settings)
    for chunk in loaded.chunks:
        assert loaded.articles[chunk.article_id].text[chunk.start : chunk.end] == chunk.text


def test_builds_are_deterministic(seed_index, settings, tmp_path):
    again = Index.build(read_articles([SEED]), settings.replace(index_dir=tmp_path / "other"))
    assert [c.id for c in again.chunks] == [c.id for c in seed_index.chunks]
    assert [c.text for c in again.chunks] == [c.text for c in seed_index.chunks]


def test_unknown_format_version_is_refused_with_a_rebuild_hint(seed_index, settings):
    path = settings.index_dir / layout.MANIFEST
    data = json.loads(path.read_text())
    data["format_version"] = 999
    path.write_text(json.dumps(data))
    with pytest.raises(IndexStoreError, match="rag index build"):
        Index.load(settings)


def test_model_mismatch_is_refused(seed_index, settings):
    with pytest.raises(IndexStoreError, match="built with embedding model"):
        Index.load(settings.replace(model="some/other-model"))


def test_dimension_mismatch_is_refused(seed_index, settings):
    path = settings.index_dir / layout.MANIFEST
    data = json.loads(path.read_text())
    data["dimension"] = 768
    path.write_text(json.dumps(data))
    with pytest.raises(IndexStoreError, match="dimension"):
        Index.load(settings)


def test_missing_index_says_how_to_build(settings):
    with pytest.raises(IndexStoreError, match="rag index build"):
        Index.load(settings)


def test_add_skips_same_content_and_remove_drops_its_chunks(seed_index, settings, tmp_path):
    other = tmp_path / "other.md"
    other.write_text(
        "---\ntitle: Harbour Bridge Reopens\npublished: 2024-03-05\n---\n"
        "The Harbour Bridge reopened on Tuesday after a two-year renovation costing 40 million euros. "
        "Mayor Ines Duarte cut the ribbon.\n",
        encoding="utf-8",
    )
    change = seed_index.add(read_articles([SEED, other]))
    assert [a.title for a in change.added] == ["Harbour Bridge Reopens"]
    assert len(change.skipped) == 1
    grown = change.index
    assert len(grown.chunks) > len(seed_index.chunks)
    assert len(seed_index.chunks) == seed_index.dense.size  # the old index is untouched
    top = search_index(grown, "Who cut the ribbon on the bridge?", 1)[0]
    assert top.title == "Harbour Bridge Reopens"
    grown.save(settings.index_dir)
    reloaded = Index.load(settings)
    new_id = change.added[0].id
    shrunk = reloaded.remove(new_id).index
    assert new_id not in shrunk.articles
    assert all(c.article_id != new_id for c in shrunk.chunks)
    assert shrunk.dense.size == len(shrunk.chunks)
    assert search_index(shrunk, "Who cut the ribbon on the bridge?", 1)[0].title != "Harbour Bridge Reopens"
