"""Sentence spans: news abbreviations stay whole, and no character is ever lost."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rag.text.sentences as sentences_module
from rag.text.sentences import chunk_sentences, sentences, split_sentences
from rag.types import Chunk

WORDS = [
    "the",
    "officials",
    "said",
    "on",
    "Wednesday",
    "Biden",
    "Putin",
    "Moscow",
    "troops",
    "5,000",
    "3.5",
    "$1.2",
    "U.S.",
    "Mr.",
    "Dr.",
    "Jan.",
    "5",
    "p.m.",
    "J. K.",
    "Rowling",
    "(Reuters)",
    "“quoted”",
    "e.g.",
    "well-known",
    "Ukraine’s",
    "no.",
    "a",
    "(a",
    "note)",
    "–",
    "…",
    "i.e.",
    "St.",
    "Inc.",
    "No.",
    "7",
    "’s",
]
ENDINGS = [".", "!", "?", '."', ".”", ".)", "?”", "...", ";", ""]


@st.composite
def news_text(draw: st.DrawFn) -> str:
    """Paragraphs of sentences built from news-like words and abbreviations."""
    paragraphs = []
    for _ in range(draw(st.integers(1, 4))):
        sents = []
        for _ in range(draw(st.integers(1, 4))):
            words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=12))
            words[0] = words[0][:1].upper() + words[0][1:]
            sents.append(" ".join(words) + draw(st.sampled_from(ENDINGS)))
        paragraphs.append(draw(st.sampled_from([" ", "  ", " \u200b"])).join(sents))
    return draw(st.sampled_from(["\n", "\n\n", " \n ", "\n \n"])).join(paragraphs)


# Arbitrary unicode plus the characters that are special to syntok or to us.
odd_text = st.text(
    alphabet=st.one_of(
        st.characters(),
        st.sampled_from(list(".!?;()[]\"'“”’«»\n\r\t \u200b\u00ad\x00\x1c-–…")),
    ),
    max_size=200,
)


def assert_span_invariants(text: str, spans: list[tuple[int, int]]) -> None:
    previous_end = 0
    owner = [0] * len(text)
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        piece = text[start:end]
        assert piece == piece.strip() and piece
        for i in range(start, end):
            owner[i] += 1
        previous_end = end
    for i, ch in enumerate(text):
        if not ch.isspace():
            assert owner[i] == 1, f"character {ch!r} at {i} is in {owner[i]} spans"


@pytest.mark.parametrize(
    "text",
    [
        "U.S. President Joe Biden met Mr. Putin.",
        "The meeting is set for Jan. 5 at 3 p.m. in Geneva.",
        "J. R. R. Tolkien wrote it.",
        "Dr. Smith paid $5,000 to Acme Inc. on Monday.",
    ],
)
def test_abbreviations_stay_in_one_sentence(text: str) -> None:
    assert sentences(text) == [text]


def test_closing_quotes_and_brackets_stay_with_their_sentence() -> None:
    text = 'He said "we will go." (It was late.) “Fine.” Then he left.'
    assert sentences(text) == [
        'He said "we will go."',
        "(It was late.)",
        "“Fine.”",
        "Then he left.",
    ]


def test_line_breaks_end_sentences_but_hard_wraps_do_not() -> None:
    text = "More from Foreign Policy\nAt Long Last, a headline\nThe officials met\nin Geneva."
    assert sentences(text) == [
        "More from Foreign Policy",
        "At Long Last, a headline",
        "The officials met\nin Geneva.",
    ]


def test_spans_point_into_the_text_and_skip_whitespace() -> None:
    text = "  First one.   Second one!\n\n  Third?  "
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == ["First one.", "Second one!", "Third?"]


@pytest.mark.parametrize("text", ["", " ", "\n\n\t "])
def test_blank_text_has_no_sentences(text: str) -> None:
    assert split_sentences(text) == []


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(news_text(), odd_text))
def test_every_visible_character_is_in_exactly_one_span(text: str) -> None:
    assert_span_invariants(text, split_sentences(text))


def split_uncached(text: str) -> list[tuple[int, int]]:
    sentences_module._spans_in_block.cache_clear()
    return split_sentences(text)


@settings(max_examples=150, deadline=None)
@given(st.one_of(news_text(), odd_text))
def test_skipping_syntok_on_unsplittable_lines_changes_nothing(text: str) -> None:
    fast = split_uncached(text)
    original = sentences_module._may_split
    sentences_module._may_split = lambda block: True
    try:
        assert split_uncached(text) == fast
    finally:
        sentences_module._may_split = original
        sentences_module._spans_in_block.cache_clear()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(news_text(), odd_text), min_size=2, max_size=4))
def test_the_block_cache_never_changes_a_split(texts: list[str]) -> None:
    cold = [split_uncached(text) for text in texts]
    sentences_module._spans_in_block.cache_clear()
    split_sentences("\n".join(texts))  # the same paragraphs, seen first at other offsets
    assert [split_sentences(text) for text in texts] == cold


def test_a_chunk_reads_its_stored_spans_or_splits_when_it_has_none() -> None:
    text = "Kremlin aides spoke. CIA director William Burns traveled to Moscow. He warned Russia."
    stored = Chunk("a:0000", "a", 0, 0, len(text), text, tuple(split_sentences(text)))
    older = replace(stored, sentences=())  # a chunk of an index written before format 4
    assert chunk_sentences(stored) == chunk_sentences(older) == tuple(split_sentences(text))
    assert chunk_sentences(replace(stored, sentences=((0, 20),))) == ((0, 20),)  # stored spans are read, not redone
    # The record round-trips through JSON (lists) back to tuples, and an old record without spans still reads.
    assert Chunk.from_dict(json.loads(json.dumps(stored.to_dict()))) == stored
    old_record = {k: v for k, v in stored.to_dict().items() if k != "sentences"}
    assert Chunk.from_dict(old_record) == older
