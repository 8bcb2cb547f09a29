"""Index generations: every write is a new folder, made live by one atomic symlink swap.

An index folder looks like this::

    current -> gen-20250101T120000123456-1a2b3c   the live generation (a relative symlink)
    gen-…/                                         manifest.json, dense.faiss, bm25/, chunks.jsonl, articles.jsonl
    .tmp-gen-…/                                    a generation being written, or left by a killed writer
    .write.lock                                    the writer lock; readers never take it
    manifest.json, dense.faiss, …                  links into current/, for people and tools

Replacing files one by one is not crash-safe: a SIGKILL between two renames
leaves a new ``dense.faiss`` beside old chunks. So a writer, holding the lock,
writes a whole generation into a temporary folder, fsyncs it, renames it to
``gen-…`` and then replaces ``current`` with ``os.replace`` (one atomic rename
on POSIX). Readers resolve ``current`` once and read only that folder, so they
see the old index or the new one, never a mix. Old generations are deleted,
except the one live just before the swap, so a reader that resolved it a
moment ago can finish.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import orjson
from filelock import FileLock, Timeout

from rag.errors import ConfigError, IndexStoreError
from rag.stores.folder import layout

log = logging.getLogger(__name__)

CURRENT = "current"
LOCK = ".write.lock"
GEN_PREFIX = "gen-"
TMP_PREFIX = ".tmp-"
#: Points in ``commit`` where a test may have the writer SIGKILL itself (see ``kill_at``).
STAGES = ("begun", "written", "renamed", "swapped")
_kill_at: str | None = None


def current(folder: Path) -> Path | None:
    """The live generation folder, or None when ``folder`` has none (one ``readlink``)."""
    try:
        return Path(folder) / os.readlink(Path(folder) / CURRENT)
    except OSError:  # no such link (or not a link at all)
        return None


def exists(folder: Path) -> bool:
    """Whether ``folder`` holds an index, of this format or an older one."""
    return current(folder) is not None or _legacy_manifest(Path(folder)) is not None


def disk_bytes(folder: Path) -> int:
    """Bytes of the live generation (not the kept previous one, nor the links that point into it)."""
    gen = current(folder)
    return sum(p.stat().st_size for p in gen.rglob("*") if p.is_file()) if gen else 0


def locate(folder: Path) -> Path:
    """The live generation, or an ``IndexStoreError`` saying why there is none and what to do."""
    folder = Path(folder)
    gen = current(folder)
    if gen is not None:
        if not gen.is_dir():
            raise IndexStoreError(f"{folder / CURRENT} points to a missing folder; {layout.rebuild_hint(folder)}")
        return gen
    legacy = _legacy_manifest(folder)
    if legacy is not None:
        layout.read_manifest(folder, folder)  # refuses the old (or a newer) format with a hint
        raise IndexStoreError(f"index in {folder} has no '{CURRENT}' link; {layout.rebuild_hint(folder)}")
    raise IndexStoreError(f"no index in {folder}; build one with: rag index build --index-dir {folder}")


@contextmanager
def write_lock(folder: Path, timeout: float) -> Iterator[None]:
    """Hold the folder's writer lock, waiting up to ``timeout`` seconds for another writer."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(folder / LOCK))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if timeout <= 0:
            raise _busy(folder, timeout) from None
        log.warning("waiting up to %g s for another process writing the index in %s", timeout, folder)
        try:
            lock.acquire(timeout=timeout)
        except Timeout:
            raise _busy(folder, timeout) from None
    try:
        yield
    finally:
        lock.release()


def commit(folder: Path, write: Callable[[Path], None]) -> Path:
    """Have ``write`` fill a new generation, then make it live. The caller holds ``write_lock``."""
    folder = Path(folder)
    _collect(folder, keep=None)  # stale temporary folders of killed writers
    name = f"{GEN_PREFIX}{datetime.now(timezone.utc):%Y%m%dT%H%M%S%f}-{secrets.token_hex(3)}"
    tmp = folder / f"{TMP_PREFIX}{name}"
    tmp.mkdir()
    try:
        _checkpoint("begun")
        write(tmp)
        _checkpoint("written")
        _fsync_tree(tmp)
        final = folder / name
        os.rename(tmp, final)
        _fsync_dir(folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _checkpoint("renamed")
    previous = current(folder)
    link = folder / f"{TMP_PREFIX}{CURRENT}-{secrets.token_hex(3)}"
    os.symlink(name, link)
    os.replace(link, folder / CURRENT)  # the one atomic step that makes the new generation live
    _fsync_dir(folder)
    _checkpoint("swapped")
    _tidy_top_level(folder)
    _collect(folder, keep={name, previous.name if previous else name})
    log.info("index generation %s is live in %s", name, folder)
    return final


def kill_at(stage: str) -> None:
    """Tests only (set by the CLI from ``RAG_DEBUG_KILL_AT``): SIGKILL this process at ``stage``."""
    global _kill_at
    if stage not in STAGES:
        raise ConfigError(f"RAG_DEBUG_KILL_AT must be one of {', '.join(STAGES)}; got {stage!r}")
    _kill_at = stage


def _checkpoint(stage: str) -> None:
    if stage == _kill_at:
        os.kill(os.getpid(), signal.SIGKILL)


def _busy(folder: Path, timeout: float) -> IndexStoreError:
    return IndexStoreError(
        f"another process is writing the index in {folder} (waited {timeout:g} s); try again when it "
        f"finishes or wait longer with --lock-timeout SECONDS (RAG_LOCK_TIMEOUT)"
    )


def _collect(folder: Path, keep: set[str] | None) -> None:
    """Delete temporary leftovers and, when ``keep`` is given, every generation not in it."""
    for entry in folder.iterdir():
        stale = entry.name.startswith(TMP_PREFIX) or (
            keep is not None and entry.name.startswith(GEN_PREFIX) and entry.name not in keep
        )
        if not stale:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def _tidy_top_level(folder: Path) -> None:
    """Replace a format-1 index's files with links into ``current/`` (once); leave anything else."""
    legacy = _legacy_manifest(folder) is not None
    for name in (layout.MANIFEST, *layout.DATA_NAMES, ".lock"):
        path = folder / name
        if legacy and path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif legacy and path.exists() and not path.is_symlink():
            path.unlink()
        if name != ".lock" and not path.exists() and not path.is_symlink():
            os.symlink(f"{CURRENT}/{name}", path)


def _legacy_manifest(folder: Path) -> Path | None:
    path = folder / layout.MANIFEST
    if path.is_symlink() or not path.is_file():
        return None
    try:
        data = orjson.loads(path.read_bytes())
    except (orjson.JSONDecodeError, OSError):
        return None
    return path if isinstance(data, dict) and "format_version" in data else None


def _fsync_tree(root: Path) -> None:
    for dirpath, _, filenames in os.walk(root):
        for name in filenames:
            fd = os.open(os.path.join(dirpath, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _fsync_dir(Path(dirpath))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
