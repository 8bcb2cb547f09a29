"""Index generations: every write is a new folder, made live by one atomic symlink swap.

An index folder looks like this::

    current -> gen-20250101T120000123456-1a2b3c   the live generation (a relative symlink)
    gen-…/                                         manifest.json, dense.faiss, bm25/, chunks.jsonl, articles.jsonl
    .tmp-gen-…/                                    a generation being written, or left by a killed writer
    gen-…/.rag-generation                          our marker: only marked folders are ever deleted
    .write.lock                                    the writer lock; readers never take it
    manifest.json, dense.faiss, …                  links into current/, for people and tools

Replacing files one by one is not crash-safe: a SIGKILL between two renames
leaves a new ``dense.faiss`` beside old chunks. So a writer, holding the lock,
writes a whole generation into a temporary folder, fsyncs it, renames it to
``gen-…`` and then replaces ``current`` with ``os.replace`` (one atomic rename
on POSIX). Readers resolve ``current`` once and read only that folder, so they
see the old index or the new one, never a mix. Old generations are deleted,
except the one live just before the swap, so a reader that resolved it a
moment ago can finish. Nothing is collected in a folder that had no live
generation, and only entries ``rag/genscan.py`` recognises as ours are deleted.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import signal
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from rag.errors import ConfigError, IndexStoreError
from rag.stores.folder import genscan, layout
from rag.stores.folder.genscan import CURRENT, GEN_PREFIX, LOCK, TMP_PREFIX
from rag.stores.folder.writelock import write_lock

log = logging.getLogger(__name__)

__all__ = ["CURRENT", "GEN_PREFIX", "LOCK", "TMP_PREFIX", "write_lock"]  # re-exported: callers name them here
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
    return current(folder) is not None or genscan.rag_manifest(folder)


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
            hint = genscan.unlinked_hint(folder) or layout.rebuild_hint(folder)
            raise IndexStoreError(f"{folder / CURRENT} points to a missing folder; {hint}")
        return gen
    if folder.exists() and not folder.is_dir():
        raise genscan.not_a_folder(folder)
    unlinked = genscan.unlinked_hint(folder)
    if unlinked:
        raise IndexStoreError(unlinked)
    if genscan.rag_manifest(folder):
        layout.read_manifest(folder, folder)  # refuses the old (or a newer) format with a hint
        raise IndexStoreError(f"index in {folder} has no '{CURRENT}' link; {layout.rebuild_hint(folder)}")
    raise IndexStoreError(f"no index in {folder}; build one with: rag index build --index-dir {folder}")


def commit(folder: Path, write: Callable[[Path], None], *, force: bool = False) -> Path:
    """Have ``write`` fill a new generation, then make it live. The caller holds ``write_lock``.

    Refused (``genscan.check_target``) when ``folder`` has generations but no live link, or
    holds files that are not ours unless ``force``; those are never deleted either way.
    """
    folder = Path(folder)
    genscan.check_target(folder, force=force)
    _collect(folder, keep=None)  # stale temporary folders of killed writers
    name = f"{GEN_PREFIX}{datetime.now(timezone.utc):%Y%m%dT%H%M%S%f}-{secrets.token_hex(3)}"
    tmp = folder / f"{TMP_PREFIX}{name}"
    tmp.mkdir()
    try:
        (tmp / genscan.MARKER).write_bytes(genscan.MARKER_TEXT)  # first, so a killed writer's leftover is ours
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
    previous = genscan.live(folder)
    relink(folder, name)
    if previous is not None:  # with no live generation before, nothing tells which are stale: keep all
        _collect(folder, keep={name, previous.name})
    log.info("index generation %s is live in %s", name, folder)
    return final


def relink(folder: Path, name: str) -> None:
    """Make generation ``name`` live by one atomic ``os.replace`` of ``current``. The caller holds the lock."""
    genscan.check_link(folder)
    link = folder / f"{TMP_PREFIX}{CURRENT}-{secrets.token_hex(3)}"
    os.symlink(name, link)
    os.replace(link, folder / CURRENT)  # the one atomic step that makes the new generation live
    _fsync_dir(folder)
    _checkpoint("swapped")
    _tidy_top_level(folder)


def kill_at(stage: str) -> None:
    """Tests only (set by the CLI from ``RAG_DEBUG_KILL_AT``): SIGKILL this process at ``stage``."""
    global _kill_at
    if stage not in STAGES:
        raise ConfigError(f"RAG_DEBUG_KILL_AT must be one of {', '.join(STAGES)}; got {stage!r}")
    _kill_at = stage


def _checkpoint(stage: str) -> None:
    if stage == _kill_at:
        os.kill(os.getpid(), signal.SIGKILL)


def _collect(folder: Path, keep: set[str] | None) -> None:
    """Delete our temporary leftovers and, when ``keep`` is given, every generation of ours not in it."""
    for entry in folder.iterdir():
        stale = genscan.ours(entry, temporary=True) or (
            keep is not None and entry.name not in keep and genscan.ours(entry, temporary=False)
        )
        if not stale:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def _tidy_top_level(folder: Path) -> None:
    """Replace a format-1 index's files with links into ``current/`` (once); leave anything else."""
    legacy = genscan.rag_manifest(folder)
    for name in (layout.MANIFEST, *layout.DATA_NAMES, ".lock"):
        path = folder / name
        if legacy and path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif legacy and path.exists() and not path.is_symlink():
            path.unlink()
        if name != ".lock" and not path.exists() and not path.is_symlink():
            os.symlink(f"{CURRENT}/{name}", path)


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
