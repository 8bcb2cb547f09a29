"""Where an index lives, and the one door every command opens it through.

Two stores give the rest of rag the same surface (the ``Store`` protocol below):

* the embedded default, a generation folder holding FAISS + bm25s (``rag.index.Index``);
* Milvus (``rag.milvus.MilvusIndex``): a server at ``milvus://HOST:PORT/COLLECTION``
  or a local Milvus Lite database, a path ending in ``.db``.

``Settings.store`` (``--store``, ``RAG_STORE``) picks one; "" is the index folder.
The CLI, the Python API and the app only call ``open_index``, ``create_index``,
``update_index`` and ``store_stats`` here and never name a store, so pymilvus is
imported only when Milvus is configured and ``import rag`` stays light.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from rag.errors import ConfigError

if TYPE_CHECKING:
    from rag.fusion import Filters
    from rag.index import Change, Encode, Index
    from rag.settings import Settings
    from rag.stats import IndexStats
    from rag.store import Manifest
    from rag.types import Article, Chunk

_MILVUS_URL = re.compile(r"milvus://([A-Za-z0-9.\-]+|\[[0-9A-Fa-f:]+\]):(\d{1,5})/([A-Za-z_][A-Za-z0-9_]{0,200})")


class Store(Protocol):
    """What the CLI, API, app and answerer use of an index, whichever store holds it.

    Rows are positions in ``chunks``; searches return ``(row, score)`` best first.
    """

    settings: Settings
    manifest: Manifest
    articles: dict[str, Article]
    chunks: list[Chunk]

    def add(self, articles: Iterable[Article], *, progress: bool = False, encode: Encode | None = None) -> Change: ...
    def remove(self, article_id: str) -> Change: ...
    def search_dense(self, vector: np.ndarray, depth: int, filters: Filters | None) -> list[tuple[int, float]]: ...
    def search_lexical(self, query: str, depth: int, filters: Filters | None) -> list[tuple[int, float]]: ...
    def vectors(self, rows: Sequence[int]) -> np.ndarray: ...
    def sentence_vectors(self, chunk: Chunk) -> np.ndarray | None: ...
    def rows_of(self, article_id: str) -> list[int]: ...


@dataclass(frozen=True)
class StoreSpec:
    """A parsed ``Settings.store``: ``kind`` "folder" or "milvus"; ``uri`` a server URL or a .db path."""

    kind: str = "folder"
    uri: str = ""
    collection: str = "rag"

    @property
    def lite(self) -> bool:
        return self.kind == "milvus" and not self.uri.startswith("http")

    def label(self) -> str:
        return f"{self.uri}#{self.collection}" if self.lite else f"{self.uri}/{self.collection}"


def parse_store(raw: str) -> StoreSpec:
    """``StoreSpec`` of "", ``milvus://HOST:PORT/COLLECTION`` or ``PATH.db``; ``ConfigError`` otherwise."""
    text = (raw or "").strip()
    if not text:
        return StoreSpec()
    match = _MILVUS_URL.fullmatch(text)
    if match and 0 < int(match.group(2)) <= 65535:
        return StoreSpec("milvus", f"http://{match.group(1)}:{match.group(2)}", match.group(3))
    if text.endswith(".db") and "://" not in text:
        return StoreSpec("milvus", str(Path(text).expanduser().absolute()), "rag")
    raise ConfigError(
        "store must be '' (the index folder), milvus://HOST:PORT/COLLECTION (port 1-65535, collection "
        f"[A-Za-z_][A-Za-z0-9_]*) or a Milvus Lite path ending in .db; got {raw!r}"
    )


def spec_of(settings: Settings) -> StoreSpec:
    return parse_store(settings.store)


def open_index(settings: Settings, *, check_model: bool = True) -> Index:
    """The saved index of the configured store; ``IndexStoreError`` if there is none."""
    spec = spec_of(settings)
    if spec.kind == "folder":
        from rag.index import Index

        return Index.load(settings, check_model=check_model)
    from rag.milvus import MilvusIndex

    return MilvusIndex.open(settings, check_model=check_model)


def create_index(
    articles: Sequence[Article], settings: Settings, *, progress: bool = False, encode: Encode | None = None,
    force: bool = False,
) -> Index:
    """A fresh index of ``articles`` in the configured store, replacing what it held, saved.

    ``force``: build into a folder that holds other files too (they are kept; see ``check_target``).
    """
    if spec_of(settings).kind == "folder":
        from rag.index import Index

        check_target(settings, force=force)  # before minutes of embedding
        index = Index.build(articles, settings, progress=progress, encode=encode)
        index.save(settings.index_dir, force=force)
        return index
    from rag.milvus import MilvusIndex

    return MilvusIndex.build(articles, settings, progress=progress, encode=encode)


def update_index(
    settings: Settings, edit: Callable[[Index], Change], *, base: Index | None = None, check_model: bool = True
) -> Change:
    """Apply ``edit`` to the newest saved index and save the result (``Index.update`` for folders)."""
    if spec_of(settings).kind == "folder":
        from rag.index import Index

        return Index.update(settings, edit, base=base, check_model=check_model)
    from rag.milvus import MilvusIndex

    return MilvusIndex.update(settings, edit, base=base, check_model=check_model)


def check_target(settings: Settings, *, force: bool = False) -> None:
    """Refuse a build over generations that lost their link, or into someone else's folder (folders only)."""
    if spec_of(settings).kind == "folder":
        from rag import genscan

        genscan.check_target(settings.index_dir, force=force)


def has_index(settings: Settings) -> bool:
    spec = spec_of(settings)
    if spec.kind == "folder":
        from rag import generations

        return generations.exists(settings.index_dir)
    from rag.milvus import has_collection

    return has_collection(spec)


def live_version(settings: Settings) -> str | None:
    """A name that changes when another process saves the index (folders), None if not tracked (Milvus)."""
    if spec_of(settings).kind != "folder":
        return None
    from rag import generations

    live = generations.current(settings.index_dir)
    return live.name if live else None


def store_stats(settings: Settings) -> IndexStats:
    """What the store holds, without loading the embedding model."""
    spec = spec_of(settings)
    if spec.kind == "folder":
        from rag.stats import index_stats

        return index_stats(settings.index_dir)
    from rag.milvus import MilvusIndex, disk_bytes
    from rag.stats import stats_of

    return stats_of(MilvusIndex.open(settings, check_model=False), spec.label(), disk_bytes(spec))


def disk_bytes(settings: Settings) -> int:
    """Bytes the index takes on local disk (a Milvus server's storage is not counted: 0)."""
    spec = spec_of(settings)
    if spec.kind == "folder":
        from rag import generations

        return generations.disk_bytes(settings.index_dir)
    from rag.milvus import disk_bytes as milvus_bytes

    return milvus_bytes(spec)


def scratch_settings(settings: Settings, folder: Path) -> Settings:
    """Settings for a throw-away index (evaluation) in ``folder`` or beside the configured collection."""
    spec = spec_of(settings)
    if spec.kind == "folder":
        return settings.replace(index_dir=folder)
    if spec.lite:
        return settings.replace(index_dir=folder, store=str(folder / "scratch.db"))
    return settings.replace(index_dir=folder, store=f"milvus://{spec.uri.split('://', 1)[1]}/{spec.collection}_scratch")


def build_scratch(articles: Sequence[Article], settings: Settings, *, progress: bool = False) -> Index:
    """An unsaved (folder) or scratch-collection (Milvus) index for evaluation; see ``scratch_settings``."""
    if spec_of(settings).kind == "folder":
        from rag.index import Index

        return Index.build(articles, settings, progress=progress)
    return create_index(articles, settings, progress=progress)


def close(settings: Settings) -> None:
    """Let go of the store's connection (and Milvus Lite's in-process server, so another process may open it)."""
    spec = spec_of(settings)
    if spec.kind == "milvus":
        from rag.milvus import release

        release(spec)
