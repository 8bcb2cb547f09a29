"""Chunking: exact slices, whole sentences, real token budget, sentence overlap."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from rag.embedding.embedder import resolve_model_path
from rag.settings import DEFAULT_MODEL
from rag.text.chunking import chunk_article
from rag.text.sentences import split_sentences
from rag.text.tokens import load_batch_token_counter, load_token_counter
from rag.types import Article

DATA = Path(__file__).resolve().parents[1] / "data/articles"
SEED = DATA / "kremlin-says-second-biden-putin-meeting.txt"
BURNS = (
    "CIA director William Burns traveled to Moscow earlier this month to warn Russia that "
    "Washington was closely watching its troop buildup."
)
WORDS = [
    "the",
    "officials",
    "said",
    "Biden",
    "Putin",
    "Moscow",
    "troops",
    "border",
    "buildup",
    "5,000",
    "3.5",
    "$1.2",
    "U.S.",
    "Mr.",
    "Dr.",
    "Jan.",
    "p.m.",
    "J. K.",
    "Rowling",
    "“quoted”",
    "(Reuters)",
    "well-known",
    "Ukraine’s",
    "Kremlin",
    "a",
    "in",
    "on",
]

# Loading tokenizer.json takes milliseconds; share one tokenizer across tests.
MODEL = resolve_model_path(DEFAULT_MODEL)
COUNT = load_token_counter(MODEL)
COUNT_BATCH = load_batch_token_counter(MODEL)


@st.composite
def article_text(draw: st.DrawFn, max_words: int = 14) -> str:
    paragraphs = []
    for _ in range(draw(st.integers(1, 5))):
        sents = []
        for _ in range(draw(st.integers(1, 6))):
            words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=max_words))
            words[0] = words[0][:1].upper() + words[0][1:]
            sents.append(" ".join(words) + draw(st.sampled_from([".", "?", '."', ".”", "!"])))
        paragraphs.append(" ".join(sents))
    return draw(st.sampled_from(["\n", "\n\n"])).join(paragraphs)


def make_article(text: str) -> Article:
    return Article(id="a1", title="T", text=text, content_hash="x")


def visible(text: str) -> str:
    return re.sub(r"\s+", "", text)


def new_parts(text: str, chunks: list) -> str:
    """The chunks' text with each overlap with the previous chunk cut off."""
    ends = [0] + [c.end for c in chunks]
    return "".join(text[max(c.start, end) : c.end] for c, end in zip(chunks, ends))


def check_chunks(text: str, budget: int, overlap: int, batch: bool) -> None:
    """Invariants (1)-(4) and (6) for one article."""
    article = make_article(text)
    kwargs = {"count_tokens_batch": COUNT_BATCH} if batch else {}
    chunks = chunk_article(article, COUNT, chunk_tokens=budget, overlap_sentences=overlap, **kwargs)
    spans = split_sentences(text)
    starts = {s for s, _ in spans}
    ends = {e for _, e in spans}
    long_spans = [(s, e) for s, e in spans if COUNT(text[s:e]) > budget]

    def inside_long_sentence_at_word_gap(pos: int) -> bool:
        return any(s < pos < e for s, e in long_spans) and (text[pos - 1].isspace() or text[pos].isspace())

    new_parts = []
    previous_end = 0
    for index, chunk in enumerate(chunks):
        assert chunk.id == f"a1:{index:04d}" and chunk.index == index
        assert text[chunk.start : chunk.end] == chunk.text  # (1) exact slice
        assert chunk.sentences == tuple(split_sentences(chunk.text))  # (7) the spans answers and vectors use
        assert COUNT(chunk.text) <= budget  # (4) real token budget
        # (3) whole sentences, except forced splits of over-long sentences.
        assert chunk.start in starts or inside_long_sentence_at_word_gap(chunk.start)
        assert chunk.end in ends or inside_long_sentence_at_word_gap(chunk.end)
        assert chunk.start >= (chunks[index - 1].start + 1 if index else 0)
        new_parts.append(text[max(chunk.start, previous_end) : chunk.end])
        previous_end = chunk.end
    # (2) the non-overlapping parts reassemble every visible character, in order.
    assert visible("".join(new_parts)) == visible(text)
    # (6) deterministic.
    again = chunk_article(article, COUNT, chunk_tokens=budget, overlap_sentences=overlap)
    assert again == chunks


@settings(max_examples=150, deadline=None)
@given(article_text(), st.sampled_from([12, 30, 60, 200]), st.integers(0, 3), st.booleans())
def test_chunk_invariants(text: str, budget: int, overlap: int, batch: bool) -> None:
    check_chunks(text, budget, overlap, batch)


@settings(max_examples=40, deadline=None)
@given(article_text(max_words=120), st.sampled_from([16, 40]), st.integers(0, 2))
def test_chunk_invariants_with_over_long_sentences(text: str, budget: int, overlap: int) -> None:
    check_chunks(text, budget, overlap, batch=True)


@settings(max_examples=150, deadline=None)
@given(article_text(), st.sampled_from([60, 100, 200]), st.integers(0, 3))
def test_overlap_and_greedy_packing(text: str, budget: int, overlap: int) -> None:
    """(5) Consecutive chunks share the previous chunk's last sentences: exactly
    min(overlap, its sentence count - 1) unless that many plus the next new
    sentence would not fit; and a chunk could not take one more sentence."""
    spans = split_sentences(text)
    assume(all(COUNT(text[s:e]) <= budget for s, e in spans))  # no forced splits here
    article = make_article(text)
    chunks = chunk_article(article, COUNT, chunk_tokens=budget, overlap_sentences=overlap)
    members = [[k for k, (s, e) in enumerate(spans) if c.start <= s and e <= c.end] for c in chunks]
    for previous, current in zip(members, members[1:]):
        shared = [k for k in previous if k in current]
        assert shared == previous[len(previous) - len(shared) :] == current[: len(shared)]
        wanted = min(overlap, len(previous) - 1)
        assert len(shared) <= wanted
        first_new = previous[-1] + 1
        assert current[len(shared)] == first_new
        if len(shared) < wanted:
            more = spans[previous[-(len(shared) + 1)]][0]
            assert COUNT(text[more : spans[first_new][1]]) > budget
        # Greedy: the previous chunk could not also hold the next sentence.
        assert COUNT(text[spans[previous[0]][0] : spans[first_new][1]]) > budget


@settings(max_examples=100, deadline=None)
@given(article_text())
def test_summed_sentence_counts_equal_the_real_count(text: str) -> None:
    """Why the fast path is safe for wordpiece: whitespace-separated sentences
    cost exactly the sum of their counts, so the final check rarely fails."""
    spans = split_sentences(text)
    assert COUNT(text) == sum(COUNT(text[s:e]) for s, e in spans)


@settings(max_examples=100, deadline=None)
@given(article_text(), st.sampled_from([40, 120]), st.integers(0, 2))
def test_budget_holds_when_sums_under_count(text: str, budget: int, overlap: int) -> None:
    """Counting characters, a joined chunk costs more than its sentences' sum
    (the gaps count), which forces the real-count fallback."""
    chunks = chunk_article(make_article(text), len, chunk_tokens=budget, overlap_sentences=overlap)
    assert all(len(c.text) <= budget and text[c.start : c.end] == c.text for c in chunks)
    assert visible(new_parts(text, chunks)) == visible(text)


def test_us_biden_putin_is_one_sentence() -> None:
    text = "U.S. President Joe Biden met Mr. Putin."
    assert split_sentences(text) == [(0, len(text))]
    assert [c.text for c in chunk_article(make_article(text), COUNT)] == [text]


def test_seed_article_keeps_the_burns_sentence_whole() -> None:
    title, _, body = SEED.read_text(encoding="utf-8").partition("\n")
    article = Article(id="kremlin", title=title, text=body, content_hash="x")
    chunks = chunk_article(article, COUNT, count_tokens_batch=COUNT_BATCH)
    assert len(chunks) > 3
    assert any(BURNS in c.text for c in chunks)
    assert all(COUNT(c.text) <= 200 and body[c.start : c.end] == c.text for c in chunks)
    assert visible(new_parts(body, chunks)) == visible(body)


def test_long_word_is_cut_by_characters() -> None:
    chunks = chunk_article(make_article("a" * 35), len, chunk_tokens=10, overlap_sentences=0)
    assert [(c.start, c.end) for c in chunks] == [(0, 10), (10, 20), (20, 30), (30, 35)]


def test_title_tokens_come_off_the_budget() -> None:
    text = " ".join(f"Sentence number {i} is here." for i in range(40))
    chunks = chunk_article(make_article(text), COUNT, chunk_tokens=60, title_tokens=20)
    assert all(COUNT(c.text) <= 40 for c in chunks)
    with pytest.raises(ValueError):
        chunk_article(make_article(text), COUNT, chunk_tokens=20, title_tokens=20)


@pytest.mark.parametrize("text", ["", "  \n\n "])
def test_blank_article_has_no_chunks(text: str) -> None:
    assert chunk_article(make_article(text), COUNT) == []
