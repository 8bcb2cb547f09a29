"""Split an article into overlapping chunks of whole sentences that fit a token budget.

A chunk is what gets embedded and retrieved, and what an answer cites, so it
must (a) fit the embedding model's window, or the model silently truncates it
and the tail becomes unfindable, and (b) start and end on sentence boundaries,
so a quote never starts mid-sentence. Every chunk is an exact slice of
``article.text`` (``text[start:end] == chunk.text``), inner newlines included.

The token counter is injected (see ``rag.text.tokens``), which keeps this module
pure and testable with any tokenizer.

Budget: ``count_tokens(chunk.text) <= chunk_tokens - (title_tokens or 0)``. If
the embedder prepends the title, the caller must either pick ``chunk_tokens``
so that title + chunk + special tokens fit the window (the settings'
default: 200 of 256, leaving 54 for the title), or pass ``chunk_tokens`` = the
window less special tokens and ``title_tokens`` = the title's cost, so the
title's share is taken off this article's budget.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Callable, Sequence
from typing import NamedTuple

from rag.text.sentences import split_sentences
from rag.types import Article, Chunk

log = logging.getLogger(__name__)

TokenCounter = Callable[[str], int]
BatchTokenCounter = Callable[[Sequence[str]], list[int]]
_WORD = re.compile(r"\S+")


class _Unit(NamedTuple):
    """A sentence, or a piece of a sentence too long for any chunk."""

    start: int
    end: int
    tokens: int  # real count of text[start:end]


def chunk_article(
    article: Article,
    count_tokens: TokenCounter,
    *,
    chunk_tokens: int = 200,
    overlap_sentences: int = 1,
    title_tokens: int | None = None,
    count_tokens_batch: BatchTokenCounter | None = None,
) -> list[Chunk]:
    """Greedily pack whole sentences into chunks of at most the token budget.

    Each chunk after the first repeats the last ``overlap_sentences`` sentences
    of the previous one, fewer when that would leave no room for a new
    sentence or when the previous chunk has no more sentences than that.
    ``count_tokens_batch`` (optional) counts many texts at once, for speed.
    """
    budget = chunk_tokens - (title_tokens or 0)
    if budget < 1:
        raise ValueError(f"chunk_tokens ({chunk_tokens}) must exceed title_tokens ({title_tokens})")
    if overlap_sentences < 0:
        raise ValueError(f"overlap_sentences must be >= 0, got {overlap_sentences}")
    text = article.text
    batch = count_tokens_batch or (lambda texts: [count_tokens(t) for t in texts])
    spans = split_sentences(text)
    if not spans:
        return []
    counts = batch([text[s:e] for s, e in spans])
    units: list[_Unit] = []
    for (start, end), tokens in zip(spans, counts):
        if tokens <= budget:
            units.append(_Unit(start, end, tokens))
        else:
            units.extend(_split_long_sentence(text, start, end, budget, count_tokens, batch))

    # Fast path: pack on summed sentence counts, then check every chunk with one
    # real count. For a wordpiece tokenizer the sum is exact when sentences are
    # separated by whitespace, so the check almost never fails; when it does
    # (other tokenizers, sentences glued without a space) pack again counting
    # every candidate chunk for real.
    prefix = list(itertools.accumulate((u.tokens for u in units), initial=0))
    groups = _pack(units, overlap_sentences, lambda i, j: prefix[j] - prefix[i] <= budget)
    real = batch([text[units[i].start : units[j - 1].end] for i, j in groups])
    if any(n > budget for n in real):
        log.debug("token sums under-count for %s; packing with real counts", article.id)

        def fits(i: int, j: int) -> bool:
            if j - i == 1:
                return units[i].tokens <= budget
            return count_tokens(text[units[i].start : units[j - 1].end]) <= budget

        groups = _pack(units, overlap_sentences, fits)
    return [
        Chunk(
            id=f"{article.id}:{index:04d}",
            article_id=article.id,
            index=index,
            start=units[i].start,
            end=units[j - 1].end,
            text=(part := text[units[i].start : units[j - 1].end]),
            # The chunk's own split (not its units): the sentence vectors follow it, and syntok may cut a
            # chunk's first or last paragraph differently from the whole article's.
            sentences=tuple(split_sentences(part)),
        )
        for index, (i, j) in enumerate(groups)
    ]


def _pack(units: list[_Unit], overlap: int, fits: Callable[[int, int], bool]) -> list[tuple[int, int]]:
    """Half-open unit ranges ``[i, j)``, one per chunk. ``fits(i, j)`` must hold
    for any single unit, which guarantees progress."""
    groups: list[tuple[int, int]] = []
    i = 0
    while i < len(units):
        j = i + 1
        while j < len(units) and fits(i, j + 1):
            j += 1
        groups.append((i, j))
        if j == len(units):
            break
        # Repeat up to `overlap` sentences, but fewer than the chunk holds (or
        # the next chunk would not advance) and only as many as leave room
        # for the next new sentence.
        back = min(overlap, j - i - 1)
        while back and not fits(j - back, j + 1):
            back -= 1
        i = j - back
    return groups


def _split_long_sentence(
    text: str,
    start: int,
    end: int,
    budget: int,
    count_tokens: TokenCounter,
    batch: BatchTokenCounter,
) -> list[_Unit]:
    """Forced split: the one place a chunk boundary may fall inside a sentence.

    A sentence over the budget (a run-on list, a table flattened into one line)
    is cut at word boundaries into the fewest greedy pieces that each fit.
    """
    log.debug("sentence at %d-%d exceeds %d tokens; splitting at words", start, end, budget)
    words = [m.span() for m in _WORD.finditer(text, start, end)]
    word_counts = batch([text[s:e] for s, e in words])
    pieces: list[_Unit] = []
    k = 0
    while k < len(words):
        if word_counts[k] > budget:
            pieces.extend(_split_long_word(text, *words[k], budget, count_tokens))
            k += 1
            continue
        m, total = k + 1, word_counts[k]
        while m < len(words) and total + word_counts[m] <= budget:
            total += word_counts[m]
            m += 1
        tokens = count_tokens(text[words[k][0] : words[m - 1][1]])
        while tokens > budget and m - k > 1:  # sums under-counted: shed words
            m -= 1
            tokens = count_tokens(text[words[k][0] : words[m - 1][1]])
        pieces.append(_Unit(words[k][0], words[m - 1][1], tokens))
        k = m
    return pieces


def _split_long_word(text: str, start: int, end: int, budget: int, count_tokens: TokenCounter) -> list[_Unit]:
    """A single "word" over budget (a URL, a hash): cut it by characters,
    each piece the longest prefix that fits (binary search)."""
    pieces: list[_Unit] = []
    while start < end:
        low, high = start + 1, end  # invariant: the answer lies in [low, high]
        while low < high:
            mid = (low + high + 1) // 2
            if count_tokens(text[start:mid]) <= budget:
                low = mid
            else:
                high = mid - 1
        tokens = count_tokens(text[start:low])
        if tokens > budget:  # one character over budget: nothing smaller exists
            log.warning("character at %d alone exceeds %d tokens", start, budget)
        pieces.append(_Unit(start, low, tokens))
        start = low
    return pieces
