"""Building in blocks: the block size changes memory, never the index."""

from __future__ import annotations

import dataclasses

import numpy as np

from rag.api import read_articles
from rag.retrieval.search import search_index
from rag.stores.folder import bulk
from rag.stores.folder.index import Index
from tests.synthetic import question, write_corpus


def test_the_block_size_does_not_change_the_index(tmp_path, settings, monkeypatch):
    articles = read_articles([write_corpus(tmp_path / "corpus", range(9))])
    # A repeat of an article (new id, same content) in a later block, and a repeated id.
    articles += [dataclasses.replace(articles[1], id="copy-of-1"), articles[4]]
    whole = Index.build(articles, settings)
    monkeypatch.setattr(bulk, "BUILD_BLOCK", 2)
    blocks = Index.build(articles, settings)
    assert len(whole.articles) == len(blocks.articles) == 9 and "copy-of-1" not in blocks.articles
    assert [c.id for c in blocks.chunks] == [c.id for c in whole.chunks]
    assert np.allclose(blocks.dense.all_vectors(), whole.dense.all_vectors(), atol=1e-5)
    for i in (0, 3, 8):
        found = [(h.chunk.id, round(h.score, 5)) for h in search_index(blocks, question(i), 5)]
        assert found == [(h.chunk.id, round(h.score, 5)) for h in search_index(whole, question(i), 5)]
    assert blocks.sentence_vectors(blocks.chunks[-1]) is not None
