"""The log of changes since a generation's base files: a durable add costs its own size, not the index's.

Saving an index used to rewrite every file of a new generation (3 s at 100k
chunks, for one article). Now an index remembers the generation its base
files are in (``Journal.source``) and the adds and removes made since. Saving
it hard-links every file of that generation into the new one, unchanged and
with the checksums already recorded, writes each new add as a segment folder
(``log/000007/``: its articles, chunks, vectors and sentence vectors), and
lists adds and removes in the manifest's ``log``. Loading replays the log over
the base files through the same ``add``/``remove`` the writer ran, so the
loaded index is the one that was saved. ``rag index compact`` writes base files
again and empties the log. The generation swap stays the one commit point.
"""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from rag.embedding.sentvec import SentenceVectors
from rag.stores.folder import layout
from rag.stores.manifest import FileSum, LogEntry
from rag.types import Article, Chunk

log = logging.getLogger(__name__)

LOG_DIR = "log"
_VECTORS = "vectors.npy"
_SENTENCES = "sentences"


@dataclass(frozen=True, eq=False)
class Segment:
    """What one add put into the index: its articles, their chunks and the chunks' vectors."""

    articles: tuple[Article, ...]
    chunks: tuple[Chunk, ...]
    vectors: np.ndarray  # (len(chunks), d) float32
    sentences: SentenceVectors | None


@dataclass(frozen=True, eq=False)
class Journal:
    """Where an index's base files are on disk, and the changes made since, in order."""

    source: Path | None = None  # the generation holding the base files and every entry already written
    entries: tuple[LogEntry, ...] = ()
    pending: tuple[tuple[str, Segment], ...] = ()  # (folder, segment) of adds not written yet

    def added(self, segment: Segment) -> Journal:
        number = 1 + sum(entry.add is not None for entry in self.entries)
        name = f"{LOG_DIR}/{number:06d}"
        return replace(self, entries=(*self.entries, LogEntry(add=name)), pending=(*self.pending, (name, segment)))

    def removed(self, article_id: str) -> Journal:
        return replace(self, entries=(*self.entries, LogEntry(remove=article_id)))

    def written(self, generation: Path) -> Journal:
        return Journal(generation, self.entries)

    def can_extend(self) -> bool:
        """Whether a save may link the base files of ``source`` instead of writing every file."""
        return self.source is not None and (self.source / layout.MANIFEST).is_file()


def write(journal: Journal, gen: Path) -> dict[str, FileSum]:
    """Link every file of ``journal.source`` into ``gen``, write the pending segments; all their checksums."""
    assert journal.source is not None
    sums = dict(layout.read_manifest(journal.source).files)
    for name in sums:
        if not (gen / name).exists():  # the generation marker is written before anything else
            _link(journal.source / name, gen / name)
    for name, segment in journal.pending:
        folder = gen / name
        write_segment(folder, segment)
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                sums[path.relative_to(gen).as_posix()] = FileSum(path.stat().st_size, layout.sha256(path))
    return sums


def write_segment(folder: Path, segment: Segment) -> None:
    folder.mkdir(parents=True)
    layout.write_jsonl(folder / layout.ARTICLES, segment.articles)
    layout.write_jsonl(folder / layout.CHUNKS, segment.chunks)
    np.save(folder / _VECTORS, np.ascontiguousarray(segment.vectors, dtype=np.float32))
    if segment.sentences is not None:
        segment.sentences.save(folder / _SENTENCES)


def read_segment(folder: Path) -> Segment:
    """A segment as ``write_segment`` left it (the generation's checksums were verified before)."""
    return Segment(
        tuple(layout.read_articles(folder)),
        tuple(layout.read_chunks(folder)),
        np.load(folder / _VECTORS),
        SentenceVectors.load(folder / _SENTENCES),
    )


def _link(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)  # generations never change a written file, so sharing one is safe
    except OSError:  # a file system without hard links: a copy is slower but the same
        shutil.copyfile(source, target)
