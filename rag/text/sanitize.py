"""Text hygiene for anything typed, pasted or named: control characters, long questions, names in messages.

Every question and article passes through here. Control characters are never
text: they come from binary junk, terminal escapes (``\\x1b[31m``) or broken
decoders, and a lone surrogate cannot even be encoded to UTF-8 for hashing or
tokenizing. A terminal escape goes whole (``\x1b[31m``, not just its ESC, which
would leave ``[31m`` behind). Questions also lose invisible format characters
(bidi overrides and isolates such as U+202E and U+2066, zero-width characters
such as U+200B): they change tokens without changing what the user sees, so a
question of nothing else is empty. A question is cut rather than refused, and
only its head is ever looked at, so a 10 MB paste costs no more than a long
one. Pure: no I/O.
"""

from __future__ import annotations

import re

# Terminal escape sequences (ECMA-48): CSI (ESC [ or the C1 byte), OSC/DCS/APC/PM strings ended
# by BEL or ESC \\ (at most 512 characters: an unterminated one must not eat an article), then
# any other two-character ESC sequence.
_ANSI = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x9d\x9e\x9f])[^\x07\x1b\x9c]{0,512}(?:\x07|\x1b\\|\x9c)"
    r"|\x1b[ -/]*[0-~]"
)
# Invisible format characters: bidi marks, embeddings, overrides and isolates, zero-width space,
# word joiner and invisible operators, byte-order mark, Mongolian vowel separator. The zero-width
# (non-)joiners U+200C/U+200D stay: Persian and Indic spelling and emoji sequences need them.
INVISIBLE = re.compile("[\u061c\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_JOINERS_ONLY = re.compile("[\u200c\u200d\\s]*")
# C0/C1 control characters that are not whitespace, and lone surrogates.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ud800-\udfff]")
# Control characters Python counts as whitespace (vertical tab, form feed, CR, separators,
# NEL) other than tab and newline: they separate words, so they become a space.
_SPACE_CONTROL = re.compile("[\x0b\x0c\r\x1c-\x1f\x85]")
# A question is cut to its limit, so reading more than this many raw characters of it is
# wasted work (a 10 MB paste costs microseconds, not a regex pass over 10 MB).
QUESTION_READ_FACTOR = 4


def strip_controls(text: str) -> str:
    """``text`` without control characters or lone surrogates; tab and newline are kept."""
    if "\x1b" in text or "\x9b" in text or "\x9d" in text or "\x90" in text:
        text = _ANSI.sub("", text)
    return _SPACE_CONTROL.sub(" ", _CONTROL.sub("", text))


def strip_invisible(text: str) -> str:
    """``text`` without bidi controls and zero-width characters (see ``INVISIBLE``)."""
    return INVISIBLE.sub("", text)


def clean_question(question: str, limit: int) -> tuple[str, bool]:
    """(the question without control characters, trimmed and cut to ``limit`` chars; was it cut).

    A long paste is cut, not refused: its opening is usually the question. The cut
    falls at the last whitespace before the limit, so no half word reaches BM25.
    """
    text = strip_invisible(strip_controls((question or "")[: limit * QUESTION_READ_FACTOR])).strip()
    if _JOINERS_ONLY.fullmatch(text):
        text = ""  # joiners with nothing to join: as empty as it looks
    if len(text) <= limit:
        return text, len(question or "") > limit * QUESTION_READ_FACTOR
    head = text[:limit]
    if not text[limit].isspace() and len(head.split(None, 1)) > 1:
        head = head.rsplit(None, 1)[0]
    return head.rstrip(), True


def shown(value: object) -> str:
    """``value`` (a path, a URL) as one printable line for a message.

    A file name may hold line breaks or terminal escapes; shown as-is it would split
    the one-line error or recolour the user's terminal, so it is shown escaped. Bidi
    controls and zero-width characters are not printable either, so an id or title
    holding U+202E shows as ``\u202e`` instead of reversing the rest of the line.
    """
    text = str(value)
    return text if text.isprintable() else repr(text)[1:-1]
