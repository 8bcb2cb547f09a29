"""Sentence vectors pooled from the chunk embedding pass ("late chunking"), stored as int8.

The extractive answerer scores every sentence of the retrieved passages by
cosine to the question. Embedding those sentences at question time cost ~160 ms
of CPU per question (8 sentences, one core); embedding them again at build time
would double the build. Instead, when a chunk is embedded, the model's token
vectors are mean-pooled over each sentence's token span: one forward pass gives
the chunk vector and its sentence vectors, which then cost a lookup.

Vectors are stored int8 with one scale per vector (cosine error ~1e-3) and read
from disk by row, so a 100k-chunk index's ~700k sentence vectors stay on disk
until a question reads the few it needs. Row ``r`` of the chunk list owns sentence
vectors ``offsets[r]:offsets[r + 1]``, in ``split_sentences(chunk.text)`` order.
A sentence the model never saw (past its token limit) has scale 0: no vector.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np

FILES = ("codes.npy", "scales.npy", "offsets.npy")


def pool_spans(tokens: np.ndarray, token_spans: np.ndarray, spans: Sequence[tuple[int, int]]) -> np.ndarray:
    """Unit vectors, one per character span: the mean of the tokens that overlap it (zeros if none).

    ``tokens`` is (T, d); ``token_spans`` (T, 2) gives each token's character span, with
    (0, 0) for special tokens, which belong to no sentence.
    """
    out = np.zeros((len(spans), tokens.shape[1]), dtype=np.float32)
    real = token_spans[:, 1] > token_spans[:, 0]
    for i, (start, end) in enumerate(spans):
        inside = real & (token_spans[:, 0] < end) & (token_spans[:, 1] > start)
        if inside.any():
            mean = tokens[inside].mean(axis=0)
            norm = float(np.linalg.norm(mean))
            if norm > 0:
                out[i] = mean / norm
    return out


def quantize(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 codes and per-row scales with ``codes * scale ≈ vectors``."""
    scales = np.abs(vectors).max(axis=1).astype(np.float32) / 127.0 if len(vectors) else np.zeros(0, np.float32)
    safe = np.where(scales > 0, scales, 1.0)[:, None]
    codes = np.clip(np.rint(vectors / safe), -127, 127).astype(np.int8)
    return codes, scales


@dataclass(frozen=True, eq=False)
class SentenceVectors:
    # int8 code blocks (n_i, d): the saved file first, then one block per ``added``. Appending a
    # block instead of concatenating keeps an add O(new rows); a chunk's sentences never span
    # two blocks, since whole chunks are added.
    parts: tuple[np.ndarray, ...]
    scales: np.ndarray  # (n,) float32; 0 = no vector for this sentence
    offsets: np.ndarray  # (rows + 1,) int64
    # The open codes file behind a loaded first block (kept open: a replaced generation stays readable).
    _file: BinaryIO | None = field(default=None, repr=False, compare=False)
    # Where each block starts in the flat row numbering (derived from ``parts``).
    _starts: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        starts = np.cumsum([0] + [len(p) for p in self.parts])
        object.__setattr__(self, "_starts", starts)
        if starts[-1] != len(self.scales) or self.offsets[-1] != len(self.scales):
            raise ValueError(
                f"{starts[-1]} codes, {len(self.scales)} scales and offsets ending at {self.offsets[-1]} must all agree"
            )

    @classmethod
    def empty(cls, dimension: int) -> SentenceVectors:
        return cls((np.zeros((0, dimension), np.int8),), np.zeros(0, np.float32), np.zeros(1, np.int64))

    @classmethod
    def from_rows(cls, rows: Sequence[np.ndarray], dimension: int) -> SentenceVectors:
        """One (k_i, d) float array per chunk row."""
        counts = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
        offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        stacked = np.vstack(rows).astype(np.float32) if len(rows) and offsets[-1] else np.zeros((0, dimension))
        codes, scales = quantize(stacked)
        return cls((codes.reshape(-1, dimension),), scales, offsets)

    @property
    def rows(self) -> int:
        return len(self.offsets) - 1

    @property
    def dimension(self) -> int:
        return int(self.parts[0].shape[1])

    def codes(self) -> np.ndarray:
        """Every code in one (n, d) array (reads a loaded file whole)."""
        return np.concatenate(self.parts) if len(self.parts) > 1 else np.asarray(self.parts[0])

    def row(self, row: int) -> np.ndarray:
        """(k, d) float32 sentence vectors of chunk ``row``; rows without a vector are zeros."""
        a, b = int(self.offsets[row]), int(self.offsets[row + 1])
        return self.code_range(a, b).astype(np.float32) * self.scales[a:b, None]

    def code_range(self, a: int, b: int) -> np.ndarray:
        """int8 codes of sentences ``a:b``."""
        if a == b:
            return np.zeros((0, self.dimension), np.int8)
        block = int(np.searchsorted(self._starts, a, side="right")) - 1
        start, end = int(self._starts[block]), int(self._starts[block + 1])
        if b > end:  # a range of several rows may cross into the next block
            return np.concatenate([self.code_range(a, end), self.code_range(end, b)])
        codes = self.parts[block]
        # Rows of a loaded file are read with pread, not through the memory map: on this
        # kernel a touched page maps its whole (up to 2 MB) page-cache folio into the process,
        # so a few hundred questions made the whole 280 MB file (100k chunks) resident.
        if block or self._file is None or not isinstance(codes, np.memmap):
            return codes[a - start : b - start]
        d = self.dimension
        raw = os.pread(self._file.fileno(), (b - a) * d, codes.offset + a * d)
        return np.frombuffer(raw, dtype=np.int8).reshape(b - a, d)

    @classmethod
    def joined(cls, blocks: Sequence[SentenceVectors], dimension: int) -> SentenceVectors:
        """The blocks' rows in order, as one (their code arrays are kept, not copied)."""
        if not blocks:
            return cls.empty(dimension)
        ends = np.cumsum([0] + [int(b.offsets[-1]) for b in blocks[:-1]])
        return cls(
            tuple(p for b in blocks for p in b.parts),
            np.concatenate([b.scales for b in blocks]),
            np.concatenate([[0]] + [b.offsets[1:] + end for b, end in zip(blocks, ends)]).astype(np.int64),
        )

    def added(self, other: SentenceVectors) -> SentenceVectors:
        return SentenceVectors(
            self.parts + other.parts,
            np.concatenate([self.scales, other.scales]),
            np.concatenate([self.offsets, other.offsets[1:] + self.offsets[-1]]),
            _file=self._file,
        )

    def removed(self, rows: Iterable[int]) -> SentenceVectors:
        drop = set(rows)
        if not drop:
            return self
        keep_rows = [r for r in range(self.rows) if r not in drop]
        counts = np.diff(self.offsets)[keep_rows]
        keep = np.ones(len(self.scales), dtype=bool)
        for r in drop:
            keep[self.offsets[r] : self.offsets[r + 1]] = False
        offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        return SentenceVectors((self.codes()[keep],), self.scales[keep], offsets)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        # Block by block into the file, so saving never holds a second copy of every code.
        out = np.lib.format.open_memmap(
            folder / FILES[0], mode="w+", dtype=np.int8, shape=(int(self._starts[-1]), self.dimension)
        )
        for part, start in zip(self.parts, self._starts):
            out[start : start + len(part)] = part
        out.flush()
        del out
        for name, array in zip(FILES[1:], (self.scales, self.offsets)):
            np.save(folder / name, np.ascontiguousarray(array))

    @classmethod
    def load(cls, folder: Path) -> SentenceVectors | None:
        """The codes memory-mapped (read by row), the rest in memory; ``None`` if not saved."""
        if not all((folder / name).is_file() for name in FILES):
            return None
        codes = np.load(folder / FILES[0], mmap_mode="r")
        scales, offsets = (np.load(folder / name) for name in FILES[1:])
        return cls((codes,), scales, offsets.astype(np.int64), _file=open(folder / FILES[0], "rb"))
