"""LangChain adapter: the hybrid search as a ``langchain_core`` ``BaseRetriever``.

Lets users compose our retrieval with their own chains. Each ``Document``
carries the chunk text and, in its metadata, the provenance a citation needs
(article id, title, url, character offsets, scores). Only ``langchain-core`` is
used; ``langchain-community`` is being sunset.
"""

from __future__ import annotations

from typing import Any

from rag._extras import needs

with needs("langchain"):
    from langchain_core.callbacks import CallbackManagerForRetrieverRun
    from langchain_core.documents import Document
    from langchain_core.retrievers import BaseRetriever

from rag.api import search
from rag.filters import Filters
from rag.types import Hit


class RagRetriever(BaseRetriever):
    """``RagRetriever(index=load_index(), k=4).invoke("Who warned Russia?")``."""

    index: Any
    k: int = 4
    mode: str | None = None
    filters: Filters | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        hits = search(query, self.k, mode=self.mode, filters=self.filters, index=self.index)
        return [hit_to_document(hit) for hit in hits]


def hit_to_document(hit: Hit) -> Document:
    chunk = hit.chunk
    return Document(
        page_content=chunk.text,
        id=chunk.id,
        metadata={
            "article_id": chunk.article_id,
            "title": hit.title,
            "url": hit.url,
            "published": hit.published,
            "start": chunk.start,
            "end": chunk.end,
            "score": hit.score,
            "rank": hit.rank,
            "dense_score": hit.dense_score,
            "bm25_score": hit.bm25_score,
        },
    )
