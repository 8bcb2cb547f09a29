"""The optional reranking stage: pure reordering, and a real CrossEncoder made locally from the packaged weights."""

from __future__ import annotations

import time

import pytest

from rag.errors import ConfigError
from rag.retrieval.rerank import CrossEncoderReranker, rerank
from rag.types import Chunk, Hit


def _hits(texts):
    return [
        Hit(chunk=Chunk(f"c{i}", "a", i, 0, len(t), t), title="t", score=1.0 / (i + 1), rank=i + 1)
        for i, t in enumerate(texts)
    ]


class ByLength:
    def scores(self, question, passages):
        return [float(len(p)) for p in passages]


def test_rerank_orders_by_the_rerankers_scores_and_renumbers():
    hits = rerank("q", _hits(["aa", "a", "aaaa", "aaa"]), ByLength())
    assert [h.chunk.text for h in hits] == ["aaaa", "aaa", "aa", "a"]
    assert [h.rank for h in hits] == [1, 2, 3, 4] and hits[0].score == 4.0
    assert rerank("q", [], ByLength()) == []


def test_a_missing_reranker_folder_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="RAG_RERANKER"):
        CrossEncoderReranker(str(tmp_path / "nope"))


@pytest.fixture(scope="module")
def cross_encoder(tmp_path_factory):
    """A CrossEncoder saved by sentence-transformers from the packaged MiniLM (its head is untrained)."""
    import torch
    from sentence_transformers import CrossEncoder

    from rag.embedding.embedder import resolve_model_path
    from rag.settings import DEFAULT_MODEL

    torch.manual_seed(0)
    folder = tmp_path_factory.mktemp("reranker")
    CrossEncoder(resolve_model_path(DEFAULT_MODEL), num_labels=1).save(str(folder))
    return str(folder)


def test_search_with_a_local_cross_encoder_returns_its_order(seed_index, cross_encoder):
    from rag.retrieval.search import search_index

    plain = search_index(seed_index, "Who warned Russia?", 8)
    seed_index.settings = seed_index.settings.replace(reranker=cross_encoder, rerank_depth=8)
    try:
        search_index(seed_index, "warm up", 1)
        start = time.perf_counter()
        hits = search_index(seed_index, "Who warned Russia?", 5)
        elapsed = time.perf_counter() - start
    finally:
        seed_index.settings = seed_index.settings.replace(reranker="")
    model = CrossEncoderReranker(cross_encoder)
    expected = model.scores("Who warned Russia?", [h.chunk.text for h in hits])
    assert [h.score for h in hits] == pytest.approx(sorted(expected, reverse=True), abs=1e-5)
    assert len(hits) == 5 and {h.chunk.id for h in hits} <= {h.chunk.id for h in plain}  # reordered, not new
    print(f"rerank of 8 passages: {elapsed * 1000:.0f} ms")
