"""Late-chunked sentence vectors: pooling, int8 storage kept in step with chunk rows, and their use."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from rag.embedding.sentvec import SentenceVectors, pool_spans, quantize
from rag.text.sentences import split_sentences
from tests.conftest import BURNS


def _unit(n: int, d: int = 16, seed: int = 0) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal((n, d)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_pool_spans_averages_the_tokens_inside_each_span_and_skips_special_tokens():
    tokens = np.array([[9, 9], [1, 0], [3, 0], [0, 2], [9, 9]], dtype=np.float32)
    spans = np.array([[0, 0], [0, 3], [4, 8], [10, 14], [0, 0]])  # [CLS] a b c [SEP]
    out = pool_spans(tokens, spans, [(0, 8), (9, 14), (20, 30)])
    assert np.allclose(out[0], [1, 0])  # mean of (1,0),(3,0), normalised; [CLS] left out
    assert np.allclose(out[1], [0, 1])
    assert not out[2].any()  # no token there (cut by the model's length limit): no vector


@hsettings(max_examples=50, deadline=None)
@given(st.integers(1, 40), st.integers(0, 10_000))
def test_int8_codes_keep_cosines_within_a_hundredth(n, seed):
    x = _unit(n, 384, seed)
    codes, scales = quantize(x)
    back = codes.astype(np.float32) * scales[:, None]
    q = _unit(1, 384, seed + 1)[0]
    assert np.max(np.abs(back @ q - x @ q)) < 0.01


@hsettings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 5), min_size=1, max_size=12), st.data())
def test_rows_stay_aligned_through_add_and_remove(counts, data):
    rows = [_unit(c, 8, seed=i) if c else np.zeros((0, 8), np.float32) for i, c in enumerate(counts)]
    cut = data.draw(st.integers(0, len(rows)))
    joined = SentenceVectors.from_rows(rows[:cut], 8).added(SentenceVectors.from_rows(rows[cut:], 8))
    assert joined.rows == len(rows)
    drop = data.draw(st.sets(st.integers(0, len(rows) - 1)))
    smaller = joined.removed(drop)
    kept = [r for i, r in enumerate(rows) if i not in drop]
    assert smaller.rows == len(kept)
    for row, expected in enumerate(kept):
        assert smaller.row(row).shape == expected.shape
        assert np.allclose(smaller.row(row), expected, atol=0.01)


@hsettings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 5), min_size=0, max_size=12), st.data())
def test_blocks_joined_equal_all_rows_at_once(counts, data):
    """Quantizing block by block (as builds do, to bound memory) gives the same rows as all at once."""
    rows = [_unit(c, 8, seed=i) if c else np.zeros((0, 8), np.float32) for i, c in enumerate(counts)]
    cuts = sorted(data.draw(st.lists(st.integers(0, len(rows)), max_size=4)))
    edges = [0, *cuts, len(rows)]
    blocks = [SentenceVectors.from_rows(rows[a:b], 8) for a, b in zip(edges, edges[1:])]
    joined, whole = SentenceVectors.joined(blocks, 8), SentenceVectors.from_rows(rows, 8)
    assert joined.rows == whole.rows == len(rows)
    assert np.array_equal(joined.offsets, whole.offsets) and np.array_equal(joined.scales, whole.scales)
    assert np.array_equal(joined.codes(), whole.codes())
    assert SentenceVectors.joined([], 8).rows == 0


def test_save_and_load_memory_mapped(tmp_path):
    vectors = SentenceVectors.from_rows([_unit(3), _unit(2, seed=1)], 16)
    vectors.save(tmp_path / "s")
    loaded = SentenceVectors.load(tmp_path / "s")
    assert isinstance(loaded.parts[0], np.memmap)
    assert np.array_equal(loaded.row(1), vectors.row(1))
    assert SentenceVectors.load(tmp_path / "missing") is None


def test_a_loaded_file_grown_by_adds_saves_and_loads_the_same_rows(tmp_path):
    base = SentenceVectors.from_rows([_unit(3), np.zeros((0, 16), np.float32), _unit(2, seed=1)], 16)
    base.save(tmp_path / "a")
    grown = SentenceVectors.load(tmp_path / "a").added(SentenceVectors.from_rows([_unit(4, seed=2)], 16))
    grown = grown.added(SentenceVectors.from_rows([np.zeros((0, 16), np.float32)], 16))
    assert len(grown.parts) == 3 and grown.rows == 5
    grown.save(tmp_path / "b")
    again = SentenceVectors.load(tmp_path / "b")
    for row in range(5):
        assert np.array_equal(again.row(row), grown.row(row))
    assert np.array_equal(again.row(3), SentenceVectors.from_rows([_unit(4, seed=2)], 16).row(0))
    assert again.row(4).shape == (0, 16) and again.row(1).shape == (0, 16)
    assert np.array_equal(grown.code_range(1, 9), again.code_range(1, 9))  # across blocks


def test_one_pass_gives_the_chunk_vector_and_sentence_vectors_near_their_own_embeddings(seed_index):
    embedder = seed_index.embedder
    chunk = next(c for c in seed_index.chunks if BURNS in c.text)
    spans = split_sentences(chunk.text)
    encoded = embedder.encode_passages([chunk.text], [spans])
    assert float(encoded.vectors[0] @ embedder.encode([chunk.text])[0]) > 0.999
    alone = embedder.encode([chunk.text[a:b] for a, b in spans])
    late = encoded.sentences.row(0)
    own = np.einsum("ij,ij->i", late, alone)
    # Pooled vectors carry some of the chunk's context, yet nearly all stay closest to their own sentence.
    assert np.mean(np.argmax(late @ alone.T, axis=1) == np.arange(len(spans))) >= 0.8
    assert np.median(own) > 0.7, own


def test_answers_use_stored_vectors_and_match_an_index_without_them(seed_index, settings, monkeypatch):
    from rag.answer.pipeline import answer_question

    embedder = seed_index.embedder
    calls: list[int] = []
    real_encode = embedder.encode
    monkeypatch.setattr(embedder, "encode", lambda texts, **kw: calls.append(len(texts)) or real_encode(texts, **kw))
    answer = answer_question(seed_index, "Who warned Russia?", [], settings)
    assert BURNS in [c.quote for c in answer.citations]
    assert sum(calls) <= 2  # the question itself, and at most one claim that is not a verbatim quote

    seed_index.dense.sentences = None  # as an index saved before sentence vectors existed
    fallback = answer_question(seed_index, "Who warned Russia?", [], settings)
    assert BURNS in [c.quote for c in fallback.citations]
    assert sum(calls) > 2  # now the candidate sentences had to be embedded
