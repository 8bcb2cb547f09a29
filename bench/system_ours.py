"""Our pipeline as a benchmark system, plus BM25-only and dense-only views of the same index.

``ours`` is ``Index.build`` with default ``Settings()`` (hybrid dense + BM25
retrieval, ranked article first: ``rag.retrieval.article_rank``) and the extractive answerer.
``bm25``, ``dense`` and ``rrf`` (the earlier equal-weight RRF hybrid) search that
same built index in another mode, so they add no build cost of their own: their
build, size and load figures are ours.
"""

from __future__ import annotations

from pathlib import Path

from bench.probes import folder_bytes, median_seconds, timed
from rag.settings import Settings
from rag.types import Article


class OursSystem:
    name = "ours"
    mode = "hybrid"
    answers = True

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings()
        self.index = None

    def prepare(self) -> float:
        """Load the embedding model (kept out of the build time); returns seconds."""
        from rag.embedding.factory import embedder_for

        def load():
            embedder = embedder_for(self.settings)
            if hasattr(embedder, "warm"):  # ONNX: sessions are made on first use
                embedder.encode_passages(["warm up"] * (65), [[]] * 65)
            return embedder

        _, seconds = timed(load)
        return seconds

    def build(self, articles: list[Article]) -> int:
        """Build the index in memory; returns the number of chunks (passages)."""
        from rag.stores.folder.index import Index

        self.index = Index.build(articles, self.settings)
        return len(self.index.chunks)

    def search(self, question: str, k: int = 10) -> list[tuple[str, str]]:
        """Top-``k`` passages as ``(article_id, passage_text)``, best first."""
        from rag.retrieval.search import search_index

        hits = search_index(self.index, question, k, mode=self.mode)
        return [(h.chunk.article_id, h.chunk.text) for h in hits]

    def answer(self, question: str):
        from rag.answer.pipeline import answer_question

        return answer_question(self.index, question, (), self.settings)

    def disk(self, folder: Path) -> dict:
        """Save to ``folder``, then time loading it back (median of 3)."""
        from rag.stores.folder.index import Index

        folder = Path(folder)
        self.index.save(folder)
        size = folder_bytes(folder)
        load_s = median_seconds(lambda: Index.load(self.settings, folder))
        return {"index_bytes": size, "load_s": round(load_s, 4), "files": _names(folder)}


class ModeView:
    """``bm25``, ``dense`` or ``rrf``: another mode of ours' already built index."""

    answers = False

    def __init__(self, ours: OursSystem, mode: str):
        self.ours = ours
        self.name = self.mode = mode

    def search(self, question: str, k: int = 10) -> list[tuple[str, str]]:
        from rag.retrieval.search import search_index

        hits = search_index(self.ours.index, question, k, mode=self.mode)
        return [(h.chunk.article_id, h.chunk.text) for h in hits]


def _names(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
