"""Retrieval on the bundled seed article with the real packaged model."""

from __future__ import annotations

import pytest

from rag.api import search
from tests.conftest import BURNS, seed_questions

ANSWERABLE = [q for q in seed_questions() if q["answerable"]]


def test_who_warned_russia_top_hit_is_the_burns_passage(seed_index):
    top = search("Who warned Russia?", 1, index=seed_index)[0]
    assert BURNS in top.chunk.text
    assert seed_index.articles[top.chunk.article_id].text[top.chunk.start : top.chunk.end] == top.chunk.text


@pytest.mark.parametrize("question", ANSWERABLE, ids=[q["id"] for q in ANSWERABLE])
def test_evidence_passage_is_at_rank_two_or_better(seed_index, question):
    hits = search(question["question"], 5, index=seed_index)
    ranks = [h.rank for h in hits if question["evidence"] in h.chunk.text]
    assert ranks and ranks[0] <= 2, f"evidence ranks {ranks} for {question['question']!r}"


def test_langchain_retriever_returns_documents_with_provenance(seed_index):
    from rag.integrations.langchain import RagRetriever

    docs = RagRetriever(index=seed_index, k=2).invoke("Who warned Russia?")
    assert BURNS in docs[0].page_content
    meta = docs[0].metadata
    article = seed_index.articles[meta["article_id"]]
    assert article.text[meta["start"] : meta["end"]] == docs[0].page_content
