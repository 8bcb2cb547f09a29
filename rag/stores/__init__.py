"""Where an index lives, and the one door every command opens it through.

Two stores give the rest of rag the same surface (``rag.stores.base.Store``):

* the embedded default, a generation folder holding FAISS + bm25s (``rag.stores.folder``);
* Milvus (``rag.stores.milvus``): a server at ``milvus://HOST:PORT/COLLECTION``
  or a local Milvus Lite database, a path ending in ``.db``.

``Settings.store`` (``--store``, ``RAG_STORE``) names one, parsed into a
``StoreSpec`` by ``rag.settings``; ``kind_of`` picks its ``StoreKind`` from a table,
once per call, and every function here delegates to it. The kind's module is
imported only then, so pymilvus loads only when Milvus is configured and
``import rag`` stays light. A new store is a subpackage with a ``StoreKind`` and a
line in ``_KINDS``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rag.settings import Settings
from rag.stores.base import Change, Encode, Restored, Store, StoreKind

if TYPE_CHECKING:
    from rag.stores.stats import IndexStats
    from rag.types import Article

__all__ = [
    "Change",
    "Restored",
    "Store",
    "StoreKind",
    "build_scratch",
    "check_target",
    "close",
    "create_index",
    "restore_generation",
    "disk_bytes",
    "has_index",
    "kind_of",
    "live_version",
    "open_index",
    "scratch_settings",
    "store_stats",
    "update_index",
]

# StoreSpec.kind -> "module:class" of its StoreKind.
_KINDS = {
    "folder": "rag.stores.folder.kind:FolderKind",
    "milvus": "rag.stores.milvus.kind:MilvusKind",
}


def kind_of(settings: Settings) -> StoreKind:
    """The ``StoreKind`` that handles ``settings.store``."""
    module, _, name = _KINDS[settings.store_spec.kind].partition(":")
    kind: StoreKind = getattr(importlib.import_module(module), name)()
    return kind


def open_index(settings: Settings, *, check_model: bool = True) -> Store:
    """The saved index of the configured store; ``IndexStoreError`` if there is none."""
    return kind_of(settings).open(settings, check_model=check_model)


def create_index(
    articles: Sequence[Article],
    settings: Settings,
    *,
    progress: bool = False,
    encode: Encode | None = None,
    force: bool = False,
) -> Store:
    """A fresh index of ``articles`` in the configured store, replacing what it held, saved.

    ``force``: build into a folder that holds other files too (they are kept; see ``check_target``).
    """
    return kind_of(settings).create(articles, settings, progress=progress, encode=encode, force=force)


def check_target(settings: Settings, *, force: bool = False) -> None:
    """Refuse a build over generations that lost their link, or into someone else's folder."""
    kind_of(settings).check_target(settings, force=force)


def restore_generation(settings: Settings, generation: str) -> Restored:
    """Make an earlier generation live again (a lost ``current`` link), after checking its files."""
    return kind_of(settings).restore(settings, generation)


def update_index(
    settings: Settings, edit: Callable[[Store], Change], *, base: Store | None = None, check_model: bool = True
) -> Change:
    """Apply ``edit`` to the newest saved index and save the result, as the store's only writer."""
    return kind_of(settings).update(settings, edit, base=base, check_model=check_model)


def has_index(settings: Settings) -> bool:
    return kind_of(settings).exists(settings)


def live_version(settings: Settings) -> str | None:
    """A name that changes when another process saves the index (folders), None if not tracked (Milvus)."""
    return kind_of(settings).live_version(settings)


def store_stats(settings: Settings) -> IndexStats:
    """What the store holds, without loading the embedding model."""
    return kind_of(settings).stats(settings)


def disk_bytes(settings: Settings) -> int:
    """Bytes the index takes on local disk (a Milvus server's storage is not counted: 0)."""
    return kind_of(settings).disk_bytes(settings)


def scratch_settings(settings: Settings, folder: Path) -> Settings:
    """Settings for a throw-away index (evaluation) in ``folder`` or beside the configured collection."""
    return kind_of(settings).scratch_settings(settings, folder)


def build_scratch(articles: Sequence[Article], settings: Settings, *, progress: bool = False) -> Store:
    """An unsaved (folder) or scratch-collection (Milvus) index for evaluation; see ``scratch_settings``."""
    return kind_of(settings).build_scratch(articles, settings, progress=progress)


def close(settings: Settings) -> None:
    """Let go of the store's connection (and Milvus Lite's in-process server, so another process may open it)."""
    kind_of(settings).close(settings)
