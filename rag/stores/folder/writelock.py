"""The writer lock of an index folder: one ``build``/``add``/``remove``/``restore`` at a time.

Readers never take it. A ``.write.lock`` replaced by a symlink (which ``filelock``
will not follow: a bare ``OSError``) and an ``--index-dir`` naming a file are
one-line ``IndexStoreError``s saying what to do, never a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from rag.errors import IndexStoreError
from rag.stores.folder import genscan

log = logging.getLogger(__name__)


@contextmanager
def write_lock(folder: Path, timeout: float) -> Iterator[None]:
    """Hold the folder's writer lock, waiting up to ``timeout`` seconds for another writer."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise genscan.not_a_folder(folder)
    path = folder / genscan.LOCK
    genscan.check_lock(folder)
    lock = FileLock(str(path))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _acquire(lock, folder, timeout)
    except OSError as error:
        raise IndexStoreError(f"cannot take the writer lock {path}: {error.strerror or error}") from None
    try:
        yield
    finally:
        lock.release()


def _acquire(lock: FileLock, folder: Path, timeout: float) -> None:
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


def _busy(folder: Path, timeout: float) -> IndexStoreError:
    return IndexStoreError(
        f"another process is writing the index in {folder} (waited {timeout:g} s); try again when it "
        f"finishes or wait longer with --lock-timeout SECONDS (RAG_LOCK_TIMEOUT)"
    )
