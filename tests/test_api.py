"""The Python API takes an index folder as readily as ``Settings`` (issue 16), and says so when given neither."""

from __future__ import annotations

from pathlib import Path

import pytest

import rag
from rag.api import resolve_settings
from rag.settings import Settings
from tests.conftest import BURNS, SEED


def test_a_folder_is_an_index_dir_and_overrides_the_store(monkeypatch):
    monkeypatch.setenv("RAG_STORE", "elsewhere.db")
    for given in ("my-index", Path("my-index")):
        settings = resolve_settings(given)
        assert settings.index_dir == Path("my-index") and settings.store == ""
    base = Settings(k=3)
    assert resolve_settings(base, index_dir="x") == base.replace(index_dir=Path("x"))
    assert resolve_settings(base) is base


@pytest.mark.parametrize("bad", [3, b"index", ["index"], {"index_dir": "index"}])
def test_anything_else_is_a_clear_type_error(bad):
    with pytest.raises(TypeError, match="Settings or an index folder"):
        rag.load_index(bad)
    with pytest.raises(TypeError, match="index_dir must be a folder path"):
        rag.search("Who warned Russia?", index_dir=bad)
    with pytest.raises(TypeError, match="once"):
        resolve_settings("a", index_dir="b")


def test_build_load_search_and_ask_by_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a relative folder, as a user types it
    built = rag.build_index(SEED, index_dir="index")
    assert (tmp_path / "index" / "manifest.json").exists()
    assert rag.load_index("index", reload=True).manifest.articles == built.manifest.articles
    assert rag.load_index(tmp_path / "index").manifest.articles == built.manifest.articles
    assert BURNS in rag.search("Who warned Russia?", k=1, index_dir="index")[0].chunk.text
    assert "Burns" in rag.ask("Who warned Russia?", index_dir=Path("index")).text
