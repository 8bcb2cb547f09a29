"""How the Milvus store is opened, created and updated: the ``StoreKind`` of ``milvus://…`` and ``*.db``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from rag.errors import ConfigError
from rag.settings import Settings
from rag.stores.base import Change, Encode, Restored, Store
from rag.stores.milvus import schema
from rag.stores.milvus.store import MilvusIndex, disk_bytes
from rag.stores.stats import IndexStats, stats_of
from rag.types import Article


class MilvusKind:
    def open(self, settings: Settings, *, check_model: bool = True) -> Store:
        return MilvusIndex.open(settings, check_model=check_model)

    def create(
        self,
        articles: Sequence[Article],
        settings: Settings,
        *,
        progress: bool = False,
        encode: Encode | None = None,
        force: bool = False,
    ) -> Store:
        return MilvusIndex.build(articles, settings, progress=progress, encode=encode)  # a collection has no strangers

    def check_target(self, settings: Settings, *, force: bool = False) -> None:
        return None

    def restore(self, settings: Settings, generation: str) -> Restored:
        raise ConfigError("rag index restore applies to index folders; a Milvus store keeps no generations")

    def update(
        self,
        settings: Settings,
        edit: Callable[[Store], Change],
        *,
        base: Store | None = None,
        check_model: bool = True,
    ) -> Change:
        return MilvusIndex.update(settings, edit, base=base, check_model=check_model)

    def exists(self, settings: Settings) -> bool:
        return schema.has(settings.store_spec)

    def live_version(self, settings: Settings) -> str | None:
        return None  # other processes' writes are not tracked (see docs/scaling.md)

    def stats(self, settings: Settings) -> IndexStats:
        spec = settings.store_spec
        return stats_of(MilvusIndex.open(settings, check_model=False), spec.label(), disk_bytes(spec))

    def disk_bytes(self, settings: Settings) -> int:
        return disk_bytes(settings.store_spec)

    def scratch_settings(self, settings: Settings, folder: Path) -> Settings:
        spec = settings.store_spec
        if spec.lite:
            return settings.replace(index_dir=folder, store=str(folder / "scratch.db"))
        host = spec.uri.split("://", 1)[1]
        return settings.replace(index_dir=folder, store=f"milvus://{host}/{spec.collection}_scratch")

    def build_scratch(self, articles: Sequence[Article], settings: Settings, *, progress: bool = False) -> Store:
        return self.create(articles, settings, progress=progress)  # a scratch collection (see scratch_settings)

    def close(self, settings: Settings) -> None:
        schema.release(settings.store_spec)  # and Milvus Lite's in-process server, so another process may open it
