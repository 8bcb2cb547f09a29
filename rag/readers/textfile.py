"""Bytes of an article file to text: size limit, binary sniffing and encoding detection.

Article files come from anywhere: a Windows editor's cp1252, a Russian site's
cp1251, UTF-16 with a byte-order mark, or an image renamed to ``.txt``. Text is
decoded as UTF-8 when it is UTF-8, by its byte-order mark when it has one, and
otherwise by ``charset-normalizer``'s detection; anything that still looks like
binary fails with one ``InputError`` line naming the file. The size limit is
checked on the file's size before a byte is read, so a 50 MB file costs a
``stat``, not a parse.
"""

from __future__ import annotations

import codecs
import logging
import re
from pathlib import Path

from rag.errors import InputError
from rag.text.sanitize import shown

log = logging.getLogger(__name__)

# UTF-32 first: its little-endian mark starts with UTF-16's.
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Without a mark, UTF-16/32 text is full of NUL bytes, which are refused as binary before
# detection; and EBCDIC code pages turn any stray byte into a letter. Neither is a news file.
_NOT_GUESSED = [
    "utf_16",
    "utf_16_le",
    "utf_16_be",
    "utf_32",
    "utf_32_le",
    "utf_32_be",
    "cp037",
    "cp273",
    "cp424",
    "cp500",
    "cp875",
    "cp1026",
    "cp1140",
]
# Control characters that never occur in text; a file with more than this share of
# them is binary whatever encoding it decodes in.
_BINARY_CHARS = re.compile("[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")
BINARY_SHARE = 0.02


def read_text(path: Path, max_bytes: int | None, *, limit_name: str = "the article size limit") -> str:
    """The text of ``path``; ``InputError`` for empty, oversized, binary or undecodable files.

    ``max_bytes=None`` skips the size check, for files that hold many articles (JSON
    Lines) and are limited per article instead.
    """
    size = path.stat().st_size
    if max_bytes is not None and size > max_bytes:
        raise InputError(
            f"{shown(path)} is {size:,} bytes; {limit_name} is {max_bytes:,} bytes (RAG_MAX_ARTICLE_BYTES)"
        )
    return decode(path.read_bytes(), shown(path))


def decode(data: bytes, where: str) -> str:
    """``data`` as text: UTF-8, else by byte-order mark, else by detection."""
    if not data.strip():
        raise InputError(f"empty file: {where}")
    text = _decode(data, where)
    if not text.strip():
        raise InputError(f"no text in {where}: it holds only blank characters")
    if len(_BINARY_CHARS.findall(text[:65536])) > BINARY_SHARE * min(len(text), 65536):
        raise InputError(f"binary file, not text: {where}")
    return text


def looks_binary(head: bytes) -> bool:
    """True for bytes that cannot start a text file: NUL bytes without a UTF-16/32 mark."""
    return b"\x00" in head and not head.startswith(tuple(bom for bom, _ in _BOMS[1:]))


def _decode(data: bytes, where: str) -> str:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                raise InputError(f"not valid {codec.upper()} text despite its byte-order mark: {where}") from None
    # NUL bytes never occur in text files; they mark images, PDFs, archives.
    if b"\x00" in data:
        raise InputError(f"binary file, not text: {where}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        bad_at = err.start
    from charset_normalizer import from_bytes  # only non-UTF-8 files pay for the import

    match = from_bytes(data, cp_exclusion=_NOT_GUESSED).best()
    try:
        # Decode strictly: detection falls back to "ascii" with replacement characters
        # for bytes that fit nothing, and that must be refused, not indexed.
        text = data.decode(match.encoding) if match is not None else None
    except (UnicodeDecodeError, LookupError):
        text = None
    if text is None or match is None:
        raise InputError(
            f"not UTF-8 text and no other encoding fits: {where} (bad byte at offset {bad_at}); save it as UTF-8"
        )
    log.info("%s is not UTF-8; decoded it as %s", where, match.encoding)
    return text
