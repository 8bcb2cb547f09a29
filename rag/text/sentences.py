"""Sentence spans over article text, found with the ``syntok`` segmenter.

Chunking, citation quotes and the support check all work in whole sentences, so
they need sentence boundaries as character offsets into ``Article.text``, never
as re-joined strings. ``syntok`` handles the abbreviations news is full of
("U.S.", "Mr.", "Jan. 5", "p.m.", "J. R. R. Tolkien") and keeps closing quotes
and brackets with their sentence.

Guarantees of :func:`split_sentences`, whatever the input:

* spans are sorted, non-overlapping and stripped of surrounding whitespace;
* every non-whitespace character of ``text`` lies in exactly one span (syntok
  drops a few characters, e.g. zero-width spaces, from its token stream; by
  building spans from sentence *starts* those characters land in a neighbour
  span instead of vanishing).

Pure: no I/O; the only state is a cache of each block's spans, keyed by its text.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import replace
from typing import TYPE_CHECKING

from syntok import segmenter

if TYPE_CHECKING:
    from rag.types import Chunk

log = logging.getLogger(__name__)

# A line break ends a sentence unless the next line starts in lowercase (a hard
# wrap inside a sentence). Cleaned articles put one paragraph per line and have
# headline/byline lines without final punctuation ("More from Foreign Policy"),
# which syntok would otherwise glue onto the next paragraph's first sentence.
_LINE_BREAK = re.compile(r"\n\s*(?=\S)")

_SPLITTERS: frozenset[str] | None
_TAIL: frozenset[str] | None
try:  # Mirror syntok's own character classes so the shortcut below stays exact.
    from syntok._segmentation_states import State as _State

    _SPLITTERS = frozenset("".join(_State.terminals)) | _State.opening_brackets
    _TAIL = frozenset("".join(_State.terminals)) | _State.closing_quotes | _State.closing_brackets
except (ImportError, AttributeError):  # pragma: no cover - syntok internals moved
    log.warning("syntok internals changed; segmenting every line with syntok")
    _SPLITTERS = _TAIL = None


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans ``(start, end)`` of the sentences in ``text``."""
    spans: list[tuple[int, int]] = []
    for block_start, block_end in _blocks(text):
        spans.extend(_block_sentences(text, block_start, block_end))
    return spans


def chunk_sentences(chunk: Chunk) -> tuple[tuple[int, int], ...]:
    """A chunk's sentence spans: stored at build, or split now for a chunk of an older index."""
    return chunk.sentences or tuple(split_sentences(chunk.text))


def with_spans(chunk: Chunk) -> Chunk:
    """The chunk with its sentence spans stored (a chunk of an index older than format 4 gains them)."""
    return chunk if chunk.sentences else replace(chunk, sentences=chunk_sentences(chunk))


def sentences(text: str) -> list[str]:
    """The sentences of ``text`` as strings (``text[start:end]`` of each span)."""
    return [text[start:end] for start, end in split_sentences(text)]


def _blocks(text: str) -> list[tuple[int, int]]:
    """Stripped runs of lines that may share a sentence (see ``_LINE_BREAK``)."""
    first = len(text) - len(text.lstrip())
    if first == len(text):
        return []
    starts = [first]
    for match in _LINE_BREAK.finditer(text, first):
        if not text[match.end()].islower():
            starts.append(match.end())
    ends = starts[1:] + [len(text)]
    return [(s, s + len(text[s:e].rstrip())) for s, e in zip(starts, ends)]


def _block_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    return [(start + s, start + e) for s, e in _spans_in_block(text[start:end])]


# A block's spans depend on its text alone, and the same paragraphs are split again and again:
# chunking splits the article, embedding splits each chunk (whose inner paragraphs are the
# article's), and every answer splits the passages it reads.
@functools.lru_cache(maxsize=8192)
def _spans_in_block(block: str) -> tuple[tuple[int, int], ...]:
    end = len(block)
    if not _may_split(block):
        return ((0, end),)
    candidates = {0}
    for paragraph in segmenter.analyze(block):
        for sentence in paragraph:
            candidates.add(sentence[0].offset)
    starts: list[int] = []
    for s in sorted(candidates):
        # Skip leading whitespace; a start with only whitespace after it
        # (syntok's empty end-of-text token) is dropped here.
        while s < end and block[s].isspace():
            s += 1
        if s < end and (not starts or s > starts[-1]):
            starts.append(s)
    spans = zip(starts, starts[1:] + [end])
    stripped = [(s, s + len(block[s:e].rstrip())) for s, e in spans]
    return tuple(_merge_punctuation_only(block, stripped))


def _may_split(block: str) -> bool:
    """False when syntok cannot split ``block``: it splits only at terminal
    punctuation or an opening bracket, so a block with neither (apart from its
    final punctuation) is one sentence. Skipping syntok there cuts sentence
    splitting, the costliest step of chunking, by ~15-20% on news text."""
    splitters, tail = _SPLITTERS, _TAIL
    if splitters is None or tail is None:
        return True
    body_end = len(block)
    while body_end and (block[body_end - 1] in tail or block[body_end - 1].isspace()):
        body_end -= 1
    return any(ch in splitters for ch in block[:body_end])


def _merge_punctuation_only(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A "sentence" with no letter or digit (a stray closing quote or bracket
    that syntok put after a split) belongs to the sentence before it."""
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and not any(ch.isalnum() for ch in text[s:e]):
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged
