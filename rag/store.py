"""The index folder on disk: a versioned manifest beside FAISS, BM25 and chunk files.

Every file is written to a temporary name and moved into place, manifest last,
while holding the folder's file lock; loading takes the same lock. So a reader
in another process sees the old index or the new one, never a half-written mix.
Loading checks the manifest against the running configuration and refuses a
mismatch with a message that says how to rebuild.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import orjson
from filelock import FileLock

from rag.errors import IndexStoreError
from rag.types import Article, Chunk

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DENSE = "dense.faiss"
BM25_DIR = "bm25"
CHUNKS = "chunks.jsonl"
ARTICLES = "articles.jsonl"


@dataclass(frozen=True)
class Manifest:
    model: str
    dimension: int
    chunk_tokens: int
    overlap_sentences: int
    articles: dict[str, str]  # article id -> content hash
    chunk_count: int
    built_at: str
    updated_at: str
    splitter: str = "syntok"
    format_version: int = FORMAT_VERSION
    extra: dict = field(default_factory=dict)

    def to_json(self) -> bytes:
        data = asdict(self)
        data["counts"] = {"articles": len(self.articles), "chunks": self.chunk_count}
        return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)

    @classmethod
    def from_json(cls, raw: bytes, where: Path) -> Manifest:
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise IndexStoreError(f"{where} is not valid JSON; {rebuild_hint(where.parent)}") from None
        version = data.get("format_version")
        if version != FORMAT_VERSION:
            raise IndexStoreError(
                f"index format version {version!r} in {where} is not the supported "
                f"version {FORMAT_VERSION}; {rebuild_hint(where.parent)}"
            )
        data.pop("counts", None)
        return cls(**data)


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def rebuild_hint(folder: Path) -> str:
    return f"rebuild it with: rag index build --index-dir {folder}"


def lock(folder: Path) -> FileLock:
    folder.mkdir(parents=True, exist_ok=True)
    return FileLock(str(folder / ".lock"), timeout=600)


def exists(folder: Path) -> bool:
    return (folder / MANIFEST).is_file()


def check_compatible(manifest: Manifest, folder: Path, model: str, dimension: int | None) -> None:
    if manifest.model != model:
        raise IndexStoreError(
            f"index in {folder} was built with embedding model {manifest.model!r}, "
            f"but {model!r} is configured; set RAG_MODEL={manifest.model} or {rebuild_hint(folder)}"
        )
    if dimension is not None and manifest.dimension != dimension:
        raise IndexStoreError(
            f"index in {folder} has dimension {manifest.dimension}, the model gives {dimension}; "
            f"{rebuild_hint(folder)}"
        )


def read_manifest(folder: Path) -> Manifest:
    path = folder / MANIFEST
    if not path.is_file():
        raise IndexStoreError(f"no index in {folder}; build one with: rag index build --index-dir {folder}")
    return Manifest.from_json(path.read_bytes(), path)


def write_jsonl(path: Path, rows) -> None:
    with _atomic(path) as tmp, open(tmp, "wb") as out:
        for row in rows:
            out.write(orjson.dumps(row.to_dict()))
            out.write(b"\n")


def read_articles(folder: Path) -> list[Article]:
    return [Article.from_dict(orjson.loads(line)) for line in _lines(folder / ARTICLES)]


def read_chunks(folder: Path) -> list[Chunk]:
    return [Chunk.from_dict(orjson.loads(line)) for line in _lines(folder / CHUNKS)]


def write_manifest(folder: Path, manifest: Manifest) -> None:
    with _atomic(folder / MANIFEST) as tmp:
        tmp.write_bytes(manifest.to_json())


class _atomic:
    """Yields a temporary sibling path; on success it replaces the target in one rename."""

    def __init__(self, target: Path):
        self.target = target
        self.tmp = target.with_name(f".{target.name}.tmp")

    def __enter__(self) -> Path:
        return self.tmp

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            os.replace(self.tmp, self.target)
        else:
            self.tmp.unlink(missing_ok=True)


def atomic_path(target: Path) -> _atomic:
    return _atomic(target)


def _lines(path: Path):
    if not path.is_file():
        raise IndexStoreError(f"index file {path} is missing; {rebuild_hint(path.parent)}")
    with open(path, "rb") as f:
        for line in f:
            if line.strip():
                yield line
