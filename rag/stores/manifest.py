"""The manifest: what an index holds and how it was made, the same record in every store.

The folder store writes it as ``manifest.json`` beside each generation's files
(with their sizes and SHA-256, see ``rag.stores.folder.layout``); the Milvus store
keeps it as a collection property. Loading refuses a format this version of rag
does not read, with a message that says how to rebuild.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import orjson

from rag.errors import IndexStoreError

#: 2: generations swapped in by a ``current`` symlink, file checksums in the manifest.
#: 3: a generation may also hold a log of adds (segments) and removes made since its base files.
#: 4: chunk records carry their sentence spans (``Chunk.sentences``); older chunks are split when read.
FORMAT_VERSION = 4
#: The oldest format this version still reads (2 is 3 with an empty log; 3 is 4 without stored spans).
OLDEST_READ = 2


@dataclass(frozen=True)
class LogEntry:
    """One change made since a generation's base files were written: an add's segment folder, or a removed id."""

    add: str | None = None  # the segment's folder, relative to the generation
    remove: str | None = None  # the removed article's id


@dataclass(frozen=True)
class FileSum:
    bytes: int
    sha256: str


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
    # Path relative to the generation -> checksum; filled in when the generation is written.
    files: dict[str, FileSum] = field(default_factory=dict)
    # Replayed in order over the base files on load (``rag.stores.folder.journal``); empty once compacted.
    log: tuple[LogEntry, ...] = ()

    def to_json(self) -> bytes:
        data = asdict(self)
        data["counts"] = {"articles": len(self.articles), "chunks": self.chunk_count}
        data["log"] = [{k: v for k, v in entry.items() if v is not None} for entry in data["log"]]
        return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)

    @classmethod
    def from_json(cls, raw: bytes, where: Path, index_dir: Path) -> Manifest:
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise IndexStoreError(f"{where} is not valid JSON; {rebuild_hint(index_dir)}") from None
        version = data.get("format_version") if isinstance(data, dict) else None
        if not isinstance(version, int):
            raise IndexStoreError(f"{where} is not a rag index manifest; {rebuild_hint(index_dir)}")
        if version > FORMAT_VERSION:
            raise IndexStoreError(
                f"index in {index_dir} has format version {version}, newer than the version "
                f"{FORMAT_VERSION} this rag reads; upgrade rag or {rebuild_hint(index_dir)}"
            )
        if version < OLDEST_READ:
            raise IndexStoreError(
                f"index in {index_dir} has the old format version {version} (this rag reads "
                f"version {FORMAT_VERSION}); {rebuild_hint(index_dir)}"
            )
        data.pop("counts", None)
        wrong = _wrong_types(data)
        if wrong:
            raise IndexStoreError(f"{where} is malformed ({wrong}); {rebuild_hint(index_dir)}")
        try:
            files = {name: FileSum(**entry) for name, entry in data.pop("files", {}).items()}
            entries = tuple(LogEntry(**entry) for entry in data.pop("log", []))
            return cls(**data, files=files, log=entries)
        except TypeError as error:
            raise IndexStoreError(f"{where} is malformed ({error}); {rebuild_hint(index_dir)}") from None


_FIELD_TYPES = {
    "model": str,
    "dimension": int,
    "chunk_tokens": int,
    "overlap_sentences": int,
    "articles": dict,
    "chunk_count": int,
    "built_at": str,
    "updated_at": str,
    "splitter": str,
    "extra": dict,
    "files": dict,
    "log": list,
}


def _wrong_types(data: dict) -> str:
    """The first manifest field of the wrong JSON type, described; "" when all are right."""
    for name, kind in _FIELD_TYPES.items():
        value = data.get(name, kind())
        if not isinstance(value, kind) or isinstance(value, bool):
            return f"'{name}' is of JSON type {type(value).__name__}, expected {kind.__name__}"
    if not all(isinstance(v, str) for v in data.get("articles", {}).values()):
        return "'articles' maps ids to something other than content hashes"
    for entry in data.get("files", {}).values():
        if not (isinstance(entry, dict) and type(entry.get("bytes")) is int and isinstance(entry.get("sha256"), str)):
            return "'files' holds an entry that is not {bytes, sha256}"
    for entry in data.get("log", []):
        if not (isinstance(entry, dict) and len(entry) == 1 and isinstance(entry.get("add", entry.get("remove")), str)):
            return "'log' holds an entry that is not {add} or {remove}"
    return ""


def built_precision(manifest: Manifest, configured: str) -> str:
    """The precision to embed with for this index: what it was built with, unless one is configured.

    ``auto`` is resolved once, when an index is built, and recorded in ``extra``; questions and later adds
    then use the same model variant as its passages, even after the default changed (an index recorded
    without one predates int8 as the default, so it is float32).
    """
    if configured != "auto":
        return configured
    embedding = manifest.extra.get("embedding")
    return "int8" if isinstance(embedding, dict) and embedding.get("precision") == "int8" else "float32"


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def rebuild_hint(index_dir: Path) -> str:
    return f"rebuild it with: rag index build --index-dir {index_dir}"
