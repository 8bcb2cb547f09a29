"""The LangChain default tutorial recipe as a benchmark system.

Exactly the steps of LangChain's RAG tutorial, with the same packaged
embedding model as ours so the comparison is about the pipeline, not the model:

- ``RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)`` over
  each article's text (the article id kept in the metadata);
- ``HuggingFaceEmbeddings(model_name=<packaged MiniLM path>, model_kwargs={"device": "cpu"})``
  with its defaults (no normalisation, sentence-transformers batch size 32);
- ``FAISS.from_documents`` (flat L2 index) and ``similarity_search(q, k=4)``.

Recall@10 needs ten results, so queries ask ``similarity_search(q, k=10)`` and
the shorter cut-offs are prefixes of that list (a flat index ranks the same).
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

from bench.probes import folder_bytes, median_seconds, timed
from rag.embedding.embedder import resolve_model_path
from rag.settings import DEFAULT_MODEL
from rag.types import Article

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def _faiss_class():
    with warnings.catch_warnings():
        # langchain-community announces its sunset on import; nothing else is silenced.
        warnings.filterwarnings("ignore", message=r"`langchain-community` is being sunset", category=DeprecationWarning)
        from langchain_community.vectorstores import FAISS
    return FAISS


class LangChainSystem:
    name = "langchain"
    mode = "dense (L2)"
    answers = False

    def __init__(self):
        self.embeddings = None
        self.store = None

    def prepare(self) -> float:
        """Load the embedding model (kept out of the build time); returns seconds."""
        from langchain_huggingface import HuggingFaceEmbeddings

        def load():
            return HuggingFaceEmbeddings(model_name=resolve_model_path(DEFAULT_MODEL), model_kwargs={"device": "cpu"})

        self.embeddings, seconds = timed(load)
        _faiss_class()
        return seconds

    def build(self, articles: list[Article]) -> int:
        from langchain_core.documents import Document
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        docs = [Document(page_content=a.text, metadata={"doc_id": a.id, "title": a.title}) for a in articles]
        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
        chunks = splitter.split_documents(docs)
        self.store = _faiss_class().from_documents(chunks, self.embeddings)
        return len(chunks)

    def search(self, question: str, k: int = 10) -> list[tuple[str, str]]:
        docs = self.store.similarity_search(question, k=k)
        return [(d.metadata["doc_id"], d.page_content) for d in docs]

    def disk(self, folder: Path) -> dict:
        """``save_local`` to ``folder``, then time ``FAISS.load_local`` (median of 3)."""
        folder = Path(folder)
        self.store.save_local(str(folder))
        size = folder_bytes(folder)
        faiss_cls = _faiss_class()

        def load():
            return faiss_cls.load_local(str(folder), self.embeddings, allow_dangerous_deserialization=True)

        load_s = median_seconds(load)
        files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
        return {"index_bytes": size, "load_s": round(load_s, 4), "files": files}
