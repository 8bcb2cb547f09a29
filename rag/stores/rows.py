"""Tombstones: which rows of an append-only structure are live, and in what order callers see them.

The dense and BM25 indexes never delete a row in place. Deleting from a 100k-row
HNSW graph or sparse matrix means rebuilding it (12 s for HNSW at 100k chunks);
marking the row dead costs an array copy. Their callers number rows as the
chunk list does (logical rows, shifting down on removal), so ``Rows`` maps
logical row ``i`` to physical row ``live[i]``. Physical rows only ever grow,
and live rows keep their physical order, so both numberings ascend together.
Compaction (``rag index compact``) writes live rows only and starts again at
``Rows.all``.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Rows:
    physical: int  # rows ever stored, dead or alive
    live: np.ndarray | None = None  # (size,) int64 physical row of each logical row; None: all live, in order

    @classmethod
    def all(cls, physical: int) -> Rows:
        return cls(physical)

    @property
    def size(self) -> int:
        return self.physical if self.live is None else len(self.live)

    @property
    def dead(self) -> int:
        return self.physical - self.size

    def appended(self, n: int) -> Rows:
        if self.live is None:
            return Rows(self.physical + n)
        return Rows(self.physical + n, np.concatenate([self.live, np.arange(self.physical, self.physical + n)]))

    def removed(self, logical: Sequence[int]) -> Rows:
        if not len(logical):
            return self
        keep = np.ones(self.size, dtype=bool)
        keep[np.asarray(logical, dtype=np.int64)] = False
        return Rows(self.physical, self.live_physical[keep])

    @functools.cached_property
    def live_physical(self) -> np.ndarray:
        """Every live physical row, ascending (logical order)."""
        return np.arange(self.physical, dtype=np.int64) if self.live is None else self.live

    @functools.cached_property
    def dead_physical(self) -> np.ndarray:
        if self.live is None:
            return np.zeros(0, dtype=np.int64)
        return np.setdiff1d(np.arange(self.physical, dtype=np.int64), self.live, assume_unique=True)

    @functools.cached_property
    def _logical(self) -> np.ndarray:
        logical = np.full(self.physical, -1, dtype=np.int64)
        logical[self.live_physical] = np.arange(self.size)
        return logical

    def to_physical(self, logical: Sequence[int] | np.ndarray) -> np.ndarray:
        rows = np.asarray(logical, dtype=np.int64)
        return rows if self.live is None else self.live[rows]

    def to_logical(self, physical: Sequence[int] | np.ndarray) -> np.ndarray:
        """Logical rows of ``physical`` ones; -1 for dead rows."""
        rows = np.asarray(physical, dtype=np.int64)
        return rows if self.live is None else self._logical[rows]

    def weights(self, logical_mask: np.ndarray | None) -> np.ndarray | None:
        """A 0/1 float32 weight per physical row: live and (if given) set in the logical ``logical_mask``."""
        if logical_mask is None and self.live is None:
            return None
        out = np.zeros(self.physical, dtype=np.float32)
        out[self.live_physical] = 1.0 if logical_mask is None else logical_mask
        return out
