"""Citation markers: the ``[n]`` (or ``[1, 2]``) that ties an answer sentence to its source. Pure.

One pattern for every reader and writer of markers: the support check parses
them, the LLM path and the follow-up rewriter strip them, the chat turns them
into links, and the extractive answerer writes them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

#: A marker with the space before it; group 1 holds the numbers ("1" or "1, 2").
MARKER = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")
_CLOSERS = ".!?…”\"'’)"


def strip_markers(text: str) -> str:
    """``text`` without its markers (and the space before each)."""
    return MARKER.sub("", text)


def numbers(marker: re.Match[str]) -> list[int]:
    """The source numbers of one ``MARKER`` match."""
    return [int(n) for n in marker.group(1).split(",")]


def with_markers(sentence: str, cited: Sequence[int]) -> str:
    """'…buildup.' -> '…buildup [1, 2].' (the marker sits inside the sentence it supports)."""
    body = sentence.rstrip()
    tail = ""
    while body and body[-1] in _CLOSERS:
        tail = body[-1] + tail
        body = body[:-1]
    return f"{body} [{', '.join(map(str, cited))}]{tail or '.'}"


def split_markers(text: str) -> tuple[str, list[tuple[int, list[int]]]]:
    """``text`` without markers, and each marker's position in that text with its numbers."""
    out: list[str] = []
    found: list[tuple[int, list[int]]] = []
    cursor = length = 0
    for match in MARKER.finditer(text):
        out.append(text[cursor : match.start()])
        length += match.start() - cursor
        found.append((length, numbers(match)))
        cursor = match.end()
    out.append(text[cursor:])
    return "".join(out), found
