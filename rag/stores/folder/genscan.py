"""Which entries of an index folder are rag's, and whether a build may write there.

The collector in ``rag/generations.py`` deletes old generations and the leftovers
of killed writers. A folder the user named with ``--index-dir`` may hold their own
files, and a copy or sync tool may have dropped the ``current`` link of an index
whose generations are all still there. So nothing is deleted on its name alone:
an entry is ours only when its name matches the exact pattern a writer gives
(``gen-<UTC time>-<6 hex>``, ``.tmp-gen-…``, ``.tmp-current-<6 hex>``) and it carries
our marker (a ``.rag-generation`` file; for a ``.tmp-current-…`` link, a target
that is a generation name). An *empty* ``.tmp-gen-…`` folder is ours too: a writer
killed between making it and marking it leaves nothing in it to lose. And a build
refuses a folder whose generations have no live link (restore one instead) or that
holds files of someone else.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import orjson

from rag.errors import IndexStoreError
from rag.stores.folder import layout

CURRENT = "current"
LOCK = ".write.lock"
GEN_PREFIX = "gen-"
TMP_PREFIX = ".tmp-"
#: Written into every generation folder as soon as it is created; the collector checks it.
MARKER = ".rag-generation"
MARKER_TEXT = b"rag index generation\n"
GEN_NAME = re.compile(r"gen-\d{8}T\d{12}-[0-9a-f]{6}")
_TMP_GEN = re.compile(r"\.tmp-gen-\d{8}T\d{12}-[0-9a-f]{6}")
_TMP_LINK = re.compile(r"\.tmp-current-[0-9a-f]{6}")
#: Entries a folder may hold besides generations and still count as empty for a build: the
#: writer lock (also format 1's), the app's uploads, and what the repository's index/ ships.
_HARMLESS = {LOCK, ".lock", "uploads", "README.md", ".gitignore"}


@dataclass(frozen=True)
class Generation:
    """One ``gen-…`` folder as found on disk: its article count, or why its manifest is unreadable."""

    name: str
    articles: int | None
    built: str
    problem: str = ""

    def describe(self) -> str:
        if self.articles is None:
            return f"{self.name} (unreadable manifest: {self.problem})"
        return f"{self.name} ({self.articles} articles, updated {self.built})"


def marked(gen: Path) -> bool:
    """Whether ``gen`` was made by rag: our marker, or (generations written before markers) a rag manifest."""
    marker = gen / MARKER
    if marker.is_file() and not marker.is_symlink():
        try:
            return marker.read_bytes() == MARKER_TEXT
        except OSError:
            return False
    return rag_manifest(gen)


def rag_manifest(folder: Path) -> bool:
    """Whether ``folder`` holds a rag manifest (a JSON object with a format version), not a link to one."""
    path = Path(folder) / layout.MANIFEST
    if path.is_symlink() or not path.is_file():
        return False
    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return False
    return isinstance(data, dict) and "format_version" in data


def ours(entry: Path, *, temporary: bool) -> bool:
    """Whether the collector may delete ``entry``: a temporary leftover, or (not ``temporary``) a generation."""
    name = entry.name
    if temporary and _TMP_LINK.fullmatch(name):
        try:
            return entry.is_symlink() and GEN_NAME.fullmatch(os.readlink(entry)) is not None
        except OSError:
            return False
    pattern = _TMP_GEN if temporary else GEN_NAME
    if not (pattern.fullmatch(name) and entry.is_dir() and not entry.is_symlink()):
        return False
    # A writer killed between making its temporary folder and marking it leaves it empty: nothing to lose.
    return marked(entry) or (temporary and _empty(entry))


def _empty(folder: Path) -> bool:
    try:
        return next(folder.iterdir(), None) is None
    except OSError:
        return False


def live(folder: Path) -> Path | None:
    """The folder ``current`` points to, if it is there (a dangling link counts as no live generation)."""
    try:
        gen = Path(folder) / os.readlink(Path(folder) / CURRENT)
    except OSError:
        return None
    return gen if gen.is_dir() else None


def generations(folder: Path) -> list[Generation]:
    """Every ``gen-…`` folder in ``folder``, oldest first (the name starts with its UTC time)."""
    found = []
    for entry in sorted(Path(folder).iterdir()):
        if not GEN_NAME.fullmatch(entry.name) or not entry.is_dir() or entry.is_symlink():
            continue
        try:
            manifest = layout.read_manifest(entry, folder)
            found.append(Generation(entry.name, len(manifest.articles), manifest.updated_at))
        except (IndexStoreError, OSError) as error:
            found.append(Generation(entry.name, None, "", type(error).__name__))
    return found


def unlinked_hint(folder: Path) -> str | None:
    """When ``folder`` has generations but no live link: one line saying which is newest and how to restore it."""
    folder = Path(folder)
    if live(folder) is not None or not folder.is_dir():
        return None
    found = generations(folder)
    if not found:
        return None
    readable = [g for g in found if g.articles is not None]
    newest = (readable or found)[-1]
    return (
        f"index folder {folder} holds {len(found)} generation(s) but no live '{CURRENT}' link (nothing was "
        f"deleted); the newest is {newest.describe()}: restore it with: rag index restore {newest.name} "
        f"--index-dir {folder}"
    )


def check_target(folder: Path, *, force: bool = False) -> None:
    """Refuse to build into ``folder`` when that could hide an index or mix with someone else's files."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise not_a_folder(folder)
    if not folder.exists():
        return
    check_lock(folder)
    check_link(folder)
    if live(folder) is not None:
        return
    hint = unlinked_hint(folder)
    if hint:
        raise IndexStoreError(hint)
    if rag_manifest(folder):
        return  # a format-1 index: a build replaces it
    foreign = sorted(e.name for e in folder.iterdir() if not _expected(e))
    if foreign and not force:
        raise IndexStoreError(
            f"{folder} is not empty and holds no rag index ({len(foreign)} other entries, e.g. {foreign[0]!r}); "
            f"choose an empty or new folder, or build there anyway (nothing of yours is deleted) with: "
            f"rag index build --force --index-dir {folder}"
        )


def check_lock(folder: Path) -> None:
    """Refuse a ``.write.lock`` that is a symlink or a folder: never follow a planted link to lock (or create) a file."""
    path = Path(folder) / LOCK
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise IndexStoreError(f"{path} is not rag's lock file (a symlink or folder); remove it with: rm -r {path}")


def check_link(folder: Path) -> None:
    """Refuse a ``current`` that is a real file or folder: replacing it would fail, or lose it."""
    path = Path(folder) / CURRENT
    if path.exists() and not path.is_symlink():
        raise IndexStoreError(f"{path} is not rag's '{CURRENT}' link but a file or folder; move it out of {folder}")


def not_a_folder(folder: Path) -> IndexStoreError:
    return IndexStoreError(f"{folder} is a file, not an index folder; pass --index-dir a folder (new or an index)")


def _expected(entry: Path) -> bool:
    name = entry.name
    if name in _HARMLESS or ours(entry, temporary=True):
        return True
    # A dangling `current` and the convenience links of an index whose generations are gone.
    return entry.is_symlink() and name in (CURRENT, layout.MANIFEST, *layout.DATA_NAMES)
