"""Checking uploaded article files and copying them into the index's private upload folder.

Everything about an upload is untrusted: its name may be a path (``../../x.txt``),
its bytes may be an image, its size may be anything. Each check fails with a
one-line ``InputError`` that names the file and says what is wrong, so the
Library tab can list it beside the files that were accepted. Name and content
checks are pure; ``store_upload`` is the only function that writes, and
``discard_unindexed`` the only one that deletes: once the index has taken what
it could, a copy none of whose articles were indexed (unreadable, or all
duplicates) is removed, so ``uploads/`` holds only what the index came from.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rag.errors import InputError
from rag.readers.files import SUPPORTED_EXTENSIONS
from rag.readers.textfile import looks_binary
from rag.text.sanitize import strip_controls

UPLOAD_DIR = "uploads"
SNIFF_BYTES = 8192  # enough to tell text from an image, PDF or archive
# Controls, separators, shell/Windows specials, lone surrogates (a JSON "\ud800" cannot be
# encoded as a file name) and invisible bidi/zero-width marks that make a name lie about
# its extension when shown ("photo\u202etxt.exe").
_INVISIBLE = "\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff"
_UNSAFE_CHARS = re.compile(f'[{_INVISIBLE}/\\\\:*?"<>|]')
MAX_NAME_CHARS = 120
# File systems limit a name to 255 bytes; the stored name also carries a hash prefix and
# a ".part" suffix while it is written, so the user's part is held to fewer.
MAX_NAME_BYTES = 200
_STORED_NAME = re.compile(r"[0-9a-f]{12}-[^/]+")  # what store_upload names a copy: never delete anything else


@dataclass(frozen=True)
class StoredUpload:
    """An accepted upload: the name the user gave and where the checked copy now lives."""

    name: str
    path: Path


def describe(name: str) -> str:
    """A file name fit for a one-line message (control characters dropped, length bounded)."""
    shown = re.sub(f"[{_INVISIBLE}]", "", name)
    return repr(shown if len(shown) <= 80 else shown[:77] + "…")


def sanitize_name(raw: str) -> str:
    """A safe file name: basename only, no separators, no '..', no control characters."""
    # Terminal escapes go whole first ("\x1b[31m", not its ESC alone, which would leave "[31m").
    base = strip_controls(raw).replace("\\", "/").rsplit("/", 1)[-1]
    # Runs of dots collapse to one, so no '..' survives; a leading dot (hidden file) goes too.
    base = re.sub(r"\.{2,}", ".", _UNSAFE_CHARS.sub("", base)).strip().strip(".")
    if not base:
        raise InputError(f"the file name {describe(raw)} is empty once unsafe characters are removed")
    stem, dot, ext = base.rpartition(".")
    if not dot or len(ext) > 10:
        stem, ext = base, ""
    # Cut the stem, never the extension, until the name fits in characters and in bytes.
    keep = min(len(stem), MAX_NAME_CHARS - len(ext) - 1)
    while keep > 1 and len(f"{stem[:keep]}.{ext}".encode()) > MAX_NAME_BYTES:
        keep -= 1
    return f"{stem[:keep].rstrip()}.{ext}" if ext else stem[:keep]


def check_name(raw: str) -> str:
    """The sanitised name, or an ``InputError`` for names a browser would never send."""
    if not raw or not raw.strip():
        raise InputError("an uploaded file has no name")
    # Browsers send a bare file name; a path in the name is a crafted request, so refuse
    # it outright rather than guess which part was meant.
    if "/" in raw or "\\" in raw or raw.strip() in (".", ".."):
        raise InputError(f"refused file name {describe(raw)}: it looks like a path; upload the file itself")
    name = sanitize_name(raw)
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_EXTENSIONS:
        allowed = ", ".join(SUPPORTED_EXTENSIONS)
        raise InputError(f"{describe(raw)}: file type {suffix or '(none)'!r} is not supported (allowed: {allowed})")
    return name


def check_size(name: str, size: int, limit: int) -> None:
    if size > limit:
        raise InputError(f"{describe(name)} is {size:,} bytes; the upload limit is {limit:,} bytes")
    if size == 0:
        raise InputError(f"{describe(name)} is empty")


def check_text(name: str, head: bytes) -> None:
    """Refuse binary content early: NUL bytes (without a UTF-16/32 mark) never occur in text.

    Other encodings than UTF-8 are accepted here and detected when the file is read.
    """
    suffix = Path(name).suffix.lower()
    if suffix == ".pdf" and not head.startswith(b"%PDF-"):
        raise InputError(f"{describe(name)} is not a PDF file (it does not start with %PDF-)")
    if suffix == ".docx" and not head.startswith(b"PK\x03\x04"):
        raise InputError(f"{describe(name)} is not a Word .docx file (it is not a zip package)")
    if suffix not in (".pdf", ".docx") and looks_binary(head):
        raise InputError(f"{describe(name)} is a binary file, not text; upload .txt, .md, .html, .jsonl, .pdf or .docx")


def store_upload(source: Path, raw_name: str, index_dir: Path, limit: int) -> StoredUpload:
    """Check ``source`` (a temporary upload) and copy it to ``index_dir/uploads/<sha>-<name>``."""
    name = check_name(raw_name)
    source = Path(source)
    check_size(raw_name, source.stat().st_size, limit)
    with source.open("rb") as handle:
        check_text(raw_name, handle.read(SNIFF_BYTES))
    digest = _sha256(source)
    folder = (Path(index_dir) / UPLOAD_DIR).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    target = (folder / f"{digest[:12]}-{name}").resolve()
    # Belt and braces: the name is already sanitised, but the copy must land in the folder.
    if target.parent != folder:
        raise InputError(f"refused file name {describe(raw_name)}: it would be stored outside the upload folder")
    tmp = target.with_name(f".{target.name}.part")
    try:
        shutil.copyfile(source, tmp)
        tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return StoredUpload(raw_name, target)


def discard_unindexed(stored: Iterable[StoredUpload], index_dir: Path, indexed_sources: set[str]) -> list[Path]:
    """Delete the copies ``store_upload`` made that no indexed article comes from; returns them.

    ``indexed_sources``: the ``source`` of every article in the index after the add. An
    identical earlier upload has the same stored name, and its copy stays while indexed.
    """
    folder = (Path(index_dir) / UPLOAD_DIR).resolve()
    removed = []
    for upload in stored:
        path = upload.path
        if str(path) in indexed_sources or path.parent != folder or not _STORED_NAME.fullmatch(path.name):
            continue
        if path.is_file() and not path.is_symlink():
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
