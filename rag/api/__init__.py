"""The Python API, and the one door every face uses: the CLI, the app and ``bench/`` call only these.

This is an edge, like the CLI: when no ``Settings`` are passed it builds them
once from the environment. Each store's index is held once per process
(``rag.stores.holder``), so repeated calls (and the app's many requests) pay the
load once and see other processes' writes. A question is checked once, here,
before anything loads: a bad question costs nothing.
"""

from __future__ import annotations

from rag.api._asking import ask, search, stream_ask
from rag.api._indexing import (
    AddReport,
    SyncReport,
    add_articles,
    build_index,
    check_build_target,
    compact_index,
    index_stats,
    load_index,
    open_or_build_index,
    remove_article,
    restore_index,
    sync_feeds,
)
from rag.api._reading import default_settings, read_articles, read_sources, resolve_settings

__all__ = [
    "AddReport",
    "SyncReport",
    "add_articles",
    "ask",
    "build_index",
    "default_settings",
    "index_stats",
    "load_index",
    "open_or_build_index",
    "read_articles",
    "read_sources",
    "remove_article",
    "compact_index",
    "resolve_settings",
    "restore_index",
    "check_build_target",
    "search",
    "stream_ask",
    "sync_feeds",
]
