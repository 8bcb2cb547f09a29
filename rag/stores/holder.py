"""The process-wide holder of the current index, swapped atomically on every change.

``rag.api`` keeps one holder per store for the process; the chat, the CLI and
Python callers all read ``holder.index`` once and use that object for a whole
answer. Adding or removing articles goes through ``update_index``: under this
holder's lock and the index folder's writer lock, a NEW ``Index`` is derived
from the newest saved one (which never mutates), saved as a new generation, and
only then assigned to ``holder.index``. A reference assignment is atomic in
Python, so a concurrent reader sees the old index or the new one, never a
half-built one, and two uploads (or an upload and a ``rag index add`` in
another process) never lose each other's articles. About once a second
``holder.index`` also looks whether another process made a newer generation
live, and loads it, so the app shows CLI changes without a restart. With a
Milvus store (``rag.stores``) changes go straight to the collection and are not
watched: another process's additions show after a restart.

A held index lives for the whole process, so its objects (~190k at 100k chunks) are
moved out of the garbage collector's view (``gc.freeze``) each time one is swapped in.
Otherwise every full collection walked them all: a ~0.5 s stall every ~150 questions
at 100k chunks, as each answer's caches promoted objects toward the next one. A
dropped index is still freed: it holds no reference cycles, so reference counting
frees it, frozen or not (``tests/test_holder.py``).
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from rag.errors import RagError
from rag.settings import Settings
from rag.stores import Change, check_target, create_index, has_index, live_version, open_index, update_index
from rag.stores.base import Store
from rag.types import Article

log = logging.getLogger(__name__)

_holders: dict[str, IndexHolder] = {}
_holders_lock = threading.Lock()


class IndexHolder:
    #: Seconds between looks at ``index_dir/current`` for a generation another process wrote.
    CHECK_SECONDS = 1.0

    def __init__(self, settings: Settings):
        self.settings = settings
        self._index: Store | None = None
        # One writer (or reloader) at a time; readers never take this lock.
        self._write_lock = threading.Lock()
        self._checked = 0.0
        self._unloadable: str | None = None  # a newer generation that failed to load; not retried

    @property
    def index(self) -> Store:
        index = self._index
        if index is None:
            return self.load_or_build()
        if time.monotonic() - self._checked >= self.CHECK_SECONDS:
            self._checked = time.monotonic()
            self._refresh(index)
        return self._index or index

    def _hold(self, index: Store) -> Store:
        """Serve ``index`` from now on: swap it in, then freeze what the process holds (see the module docstring).

        The young generations are collected first, so recent cyclic garbage is freed, not frozen for good."""
        self._index = index
        self._checked = time.monotonic()
        gc.collect(1)
        gc.freeze()
        return index

    def _refresh(self, index: Store) -> None:
        """Load the live generation if another process swapped one in (one ``readlink`` otherwise)."""
        live = live_version(self.settings)  # None for Milvus: changes by other processes are not watched
        if live is None or live in (index.generation, self._unloadable):
            return
        if not self._write_lock.acquire(blocking=False):
            return  # a write in this process is under way and will swap in its own result
        try:
            if self._index is index:
                self._hold(open_index(self.settings))
                log.info("loaded index generation %s written by another process", self._index.generation)
        except RagError as error:
            self._unloadable = live
            log.warning("keeping the loaded index; the newer one on disk cannot be used: %s", error)
        except Exception:  # a reload must never break chat: whatever went wrong, keep serving
            self._unloadable = live
            log.exception("keeping the loaded index; loading generation %s failed", live)
        finally:
            self._write_lock.release()

    def load_or_build(self, corpus: Callable[[], Sequence[Article]] | None = None, *, progress: bool = True) -> Store:
        """Load the store's index, or build it from ``corpus()`` when it holds none yet (else load, or raise).

        Never builds over generations that lost their ``current`` link, nor into a folder of
        other files: that refusal (with the restore command) ends the start instead.
        """
        with self._write_lock:
            if self._index is not None:
                return self._index
            where = self.settings.store or self.settings.index_dir
            if corpus is None or has_index(self.settings):
                log.info("loading index from %s", where)
                index = open_index(self.settings)
            else:
                check_target(self.settings)
                log.info("no index in %s yet: building it from %s", where, self.settings.corpus_dir)
                index = create_index(corpus(), self.settings, progress=progress)
            log.info("index ready: %d articles, %d chunks", len(index.articles), len(index.chunks))
            return self._hold(index)

    def add(self, articles: Sequence[Article], *, progress: bool = False, settings: Settings | None = None) -> Change:
        """Add the new ``articles`` to the newest saved index, save, then swap (``settings``: this write's limits)."""
        with self._write_lock:
            change = update_index(
                settings or self.settings, lambda index: index.add(articles, progress=progress), base=self._index
            )
            self._hold(change.index)  # the atomic swap (also when it only caught up with disk)
        return change

    def compact(self, *, settings: Settings | None = None) -> Change:
        """Fold the store's log of changes into one set of files (exact BM25 again), save, then swap."""
        with self._write_lock:
            change = update_index(
                settings or self.settings, lambda index: index.compact(), base=self._index, check_model=False
            )
            self._hold(change.index)
        return change

    def reload(self) -> Store:
        """Read the store's index again, whatever is held."""
        with self._write_lock:
            return self._hold(open_index(self.settings))

    def replace(self, index: Store) -> None:
        """Serve ``index`` from now on (a build just saved it)."""
        with self._write_lock:
            self._hold(index)

    def remove(self, article_id: str, *, settings: Settings | None = None) -> Change:
        """Remove one article (``InputError`` if unknown), save, then swap."""
        with self._write_lock:
            change = update_index(
                settings or self.settings,
                lambda index: index.remove(article_id.strip()),
                base=self._index,
                check_model=False,
            )
            self._hold(change.index)
        return change


def holder_for(settings: Settings) -> IndexHolder:
    """The one holder per store for this process (created on first use)."""
    key = settings.store or str(Path(settings.index_dir).resolve())
    with _holders_lock:
        if key not in _holders:
            _holders[key] = IndexHolder(settings)
        return _holders[key]


def forget_all() -> None:
    """Drop every held index, so the next call reads the store again (as a new process would)."""
    with _holders_lock:
        _holders.clear()
