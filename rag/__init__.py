"""Retrieval-augmented question answering over news articles.

``from rag import search, ask, build_index, load_index``. Heavy dependencies
(torch, sentence-transformers, faiss, gradio) load on first use, not on
``import rag``, so the CLI starts fast.
"""

from __future__ import annotations

from rag.errors import ConfigError, IndexStoreError, InputError, RagError
from rag.filters import Filters
from rag.settings import Settings
from rag.types import Answer, Article, Chunk, Citation, Hit, SentenceSupport, Turn

_API = {
    "add_articles",
    "ask",
    "build_index",
    "index_stats",
    "load_index",
    "read_articles",
    "remove_article",
    "search",
    "stream_ask",
}

__all__ = [
    "Answer",
    "Article",
    "Chunk",
    "Citation",
    "ConfigError",
    "Filters",
    "Hit",
    "IndexStoreError",
    "InputError",
    "RagError",
    "SentenceSupport",
    "Settings",
    "Turn",
    *sorted(_API),
]


def __getattr__(name: str):
    if name in _API:
        from rag import api

        return getattr(api, name)
    raise AttributeError(f"module 'rag' has no attribute {name!r}")
