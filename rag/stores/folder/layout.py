"""One generation of the index on disk: a versioned manifest with checksums beside the data files.

A generation folder holds ``manifest.json``, ``dense.faiss``, ``bm25/``,
``chunks.jsonl`` and ``articles.jsonl`` (``generations`` decides which
generation is live). The manifest records the SHA-256 and byte size of every
data file, and loading checks them, so a truncated FAISS file or a chunk file
from another build is refused with a one-line message that says how to rebuild
instead of returning wrong passages. It also refuses another embedding model
and a format this version of rag does not read.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import orjson

from rag.errors import IndexStoreError

# The manifest is shared by every store; the folder store's callers find it here too.
from rag.stores.manifest import FORMAT_VERSION, FileSum, LogEntry, Manifest, built_precision, now, rebuild_hint  # noqa: F401
from rag.types import Article, Chunk

MANIFEST = "manifest.json"
DENSE = "dense.faiss"
BM25_DIR = "bm25"
CHUNKS = "chunks.jsonl"
ARTICLES = "articles.jsonl"
DATA_NAMES = (DENSE, BM25_DIR, CHUNKS, ARTICLES)


def check_compatible(manifest: Manifest, folder: Path, model: str, dimension: int | None) -> None:
    if manifest.model != model:
        raise IndexStoreError(
            f"index in {folder} was built with embedding model {manifest.model!r}, "
            f"but {model!r} is configured; set RAG_MODEL={manifest.model} or {rebuild_hint(folder)}"
        )
    if dimension is not None and manifest.dimension != dimension:
        raise IndexStoreError(
            f"index in {folder} has dimension {manifest.dimension}, the model gives {dimension}; {rebuild_hint(folder)}"
        )


# -- reading a generation -------------------------------------------------------------------


def read_manifest(gen: Path, index_dir: Path | None = None) -> Manifest:
    index_dir = index_dir or gen.parent
    path = gen / MANIFEST
    if not path.is_file():
        raise IndexStoreError(f"index manifest {path} is missing; {rebuild_hint(index_dir)}")
    return Manifest.from_json(path.read_bytes(), path, index_dir)


def verify(gen: Path, manifest: Manifest) -> None:
    """Check every data file against the size and SHA-256 the manifest recorded for it."""
    listed = {name.split("/")[0] for name in manifest.files}
    for name in DATA_NAMES:
        if name not in listed:
            raise _damaged(gen, name, "not listed in the manifest")
    for name, expected in sorted(manifest.files.items()):
        path = gen / name
        if not path.is_file():
            raise _damaged(gen, name, "missing")
        size = path.stat().st_size
        if size != expected.bytes:
            raise _damaged(gen, name, f"{size} bytes, the manifest records {expected.bytes}")
        if sha256(path) != expected.sha256:
            raise _damaged(gen, name, "its SHA-256 differs from the manifest's")


def read_articles(gen: Path) -> list[Article]:
    return [Article.from_dict(orjson.loads(line)) for line in _lines(gen / ARTICLES)]


def read_chunks(gen: Path) -> list[Chunk]:
    return [Chunk.from_dict(orjson.loads(line)) for line in _lines(gen / CHUNKS)]


def damaged(gen: Path, what: str) -> IndexStoreError:
    return IndexStoreError(f"index in {gen.parent} is damaged: {what}; {rebuild_hint(gen.parent)}")


def _damaged(gen: Path, name: str, detail: str) -> IndexStoreError:
    return damaged(gen, f"{gen.name}/{name} does not match its manifest ({detail})")


# -- writing a generation (into a folder nobody reads yet) ----------------------------------


def write_jsonl(path: Path, rows) -> None:
    with open(path, "wb") as out:
        for row in rows:
            out.write(orjson.dumps(row.to_dict()))
            out.write(b"\n")


def write_manifest(gen: Path, manifest: Manifest, known: dict[str, FileSum] | None = None) -> Manifest:
    """Write ``manifest`` with the checksums of every other file in ``gen``; returns what was written.

    ``known`` checksums (of files linked from a verified generation) are taken as they are.
    """
    known = known or {}
    files = {
        name: known[name] if name in known else FileSum(path.stat().st_size, sha256(path))
        for path in sorted(gen.rglob("*"))
        if path.is_file() and path.name != MANIFEST
        for name in [path.relative_to(gen).as_posix()]
    }
    written = Manifest(**{**manifest.__dict__, "files": files})
    (gen / MANIFEST).write_bytes(written.to_json())
    return written


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _lines(path: Path):
    if not path.is_file():
        raise damaged(path.parent, f"{path.name} is missing")
    with open(path, "rb") as f:
        for line in f:
            if line.strip():
                yield line
