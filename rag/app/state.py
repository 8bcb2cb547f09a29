"""The process-wide holder of the current ``Index``, swapped atomically on every change.

Chat requests read ``holder.index`` once and use that object for the whole
answer. Adding or removing articles happens under one lock: a NEW ``Index`` is
derived with ``Index.add``/``Index.remove`` (which never mutate), saved to
disk, and only then assigned to ``holder.index``. A reference assignment is
atomic in Python, so a concurrent reader sees the old index or the new one,
never a half-built one, and two uploads never lose each other's articles.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rag import store
from rag.errors import RagError
from rag.index import Change, Index
from rag.settings import Settings

log = logging.getLogger(__name__)

_holders: dict[Path, IndexHolder] = {}
_holders_lock = threading.Lock()


@dataclass(frozen=True)
class AddReport:
    """What ``add_files`` did: the index change, and the files that could not be read."""

    change: Change | None
    failures: tuple[tuple[Path, str], ...] = ()


class IndexHolder:
    def __init__(self, settings: Settings):
        self.settings = settings
        self._index: Index | None = None
        # One writer at a time; readers never take this lock.
        self._write_lock = threading.Lock()

    @property
    def index(self) -> Index:
        index = self._index
        if index is None:
            index = self.load_or_build()
        return index

    def load_or_build(self, *, progress: bool = True) -> Index:
        """Load ``index_dir``, or build it from ``corpus_dir`` when it holds no manifest yet."""
        with self._write_lock:
            if self._index is not None:
                return self._index
            folder = self.settings.index_dir
            if store.exists(folder):
                log.info("loading index from %s", folder)
                index = Index.load(self.settings)
            else:
                from rag.api import read_articles

                log.info("no index in %s yet: building it from %s", folder, self.settings.corpus_dir)
                index = Index.build(read_articles([self.settings.corpus_dir]), self.settings, progress=progress)
                index.save(folder)
            log.info("index ready: %d articles, %d chunks", len(index.articles), len(index.chunks))
            self._index = index
            return index

    def add_files(self, paths: Sequence[Path], *, progress: bool = False) -> AddReport:
        """Read each file (collecting per-file errors), add the new articles, save, then swap."""
        from rag.api import read_source

        articles = []
        failures: list[tuple[Path, str]] = []
        for path in paths:
            try:
                articles.extend(read_source(path))
            except RagError as error:
                failures.append((Path(path), str(error)))
        if not articles:
            return AddReport(None, tuple(failures))
        base = self.index
        with self._write_lock:
            change = self._index_or(base).add(articles, progress=progress)
            if change.added:
                change.index.save(self.settings.index_dir)
                self._index = change.index  # the atomic swap
        return AddReport(change, tuple(failures))

    def remove(self, article_id: str) -> Change:
        """Remove one article (``InputError`` if unknown), save, then swap."""
        base = self.index
        with self._write_lock:
            change = self._index_or(base).remove(article_id.strip())
            change.index.save(self.settings.index_dir)
            self._index = change.index
        return change

    def _index_or(self, fallback: Index) -> Index:
        # Re-read under the lock: another writer may have swapped since we looked.
        return self._index or fallback


def get_holder(settings: Settings) -> IndexHolder:
    """The one holder per index folder for this process (created on first use)."""
    key = Path(settings.index_dir).resolve()
    with _holders_lock:
        if key not in _holders:
            _holders[key] = IndexHolder(settings)
        return _holders[key]
