"""Choosing a store: ``Settings.store`` parsing, and that the default path imports no Milvus or Ray."""

from __future__ import annotations

import subprocess
import sys

import pytest

from rag.errors import ConfigError
from rag.settings import Settings, StoreSpec, parse_store
from tests.synthetic import ROOT


def test_store_forms():
    assert parse_store("") == StoreSpec()
    assert parse_store("milvus://db.example.org:19530/news") == StoreSpec(
        "milvus", "http://db.example.org:19530", "news"
    )
    lite = parse_store("some/dir/x.db")
    assert lite.kind == "milvus" and lite.lite and lite.uri.endswith("/some/dir/x.db")
    assert Settings.from_env({"RAG_STORE": "milvus://h:1/c"}).store == "milvus://h:1/c"


@pytest.mark.parametrize(
    "raw",
    [
        "milvus://h/c",
        "milvus://h:0/c",
        "milvus://h:99999/c",
        "milvus://h:1/9c",
        "milvus://h:1/c-d",
        "http://h:1/c",
        "index",
        "x.db://y",
    ],
)
def test_bad_stores_are_refused_with_the_accepted_forms(raw):
    with pytest.raises(ConfigError, match="store must be .*milvus://HOST:PORT/COLLECTION"):
        Settings(store=raw)


def test_the_default_store_imports_neither_pymilvus_nor_ray():
    code = (
        "import sys, rag, rag.cli, rag.api, rag.stores, rag.retrieval.search, rag.stores.folder.index; "
        "print(sorted(m for m in ('pymilvus', 'ray', 'milvus_lite') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "[]", out.stderr
