"""What an add takes in: the articles not yet indexed, cut into chunks that fit the model, embedded once.

Kept apart from ``rag.stores.folder.index`` because both stores add the same way: the folder
index and the Milvus store sort new articles from known ones (by id and by
content hash), chunk them so title plus chunk fit the model's window, and embed
each chunk in one pass that also yields its sentences' vectors (late chunking).
Only where the result is stored differs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from rag.embedding.embedder import Passages, document_text
from rag.settings import Settings
from rag.text.chunking import chunk_article
from rag.text.sentences import chunk_sentences
from rag.types import Article, Chunk

#: ``Embedder.encode_passages``'s shape: (texts, sentence spans, progress=) -> Passages.
Encode = Callable[..., Passages]


@dataclass(frozen=True, eq=False)
class NewBatch:
    """Articles an ``add`` takes (``fresh``) and leaves (``skipped``), with the fresh ones' chunks and vectors."""

    fresh: tuple[Article, ...]
    skipped: tuple[Article, ...]
    chunks: list[Chunk]
    passages: Passages | None


def split_new(articles: Iterable[Article], known_ids: set[str], known_hashes: set[str]) -> tuple[list, list]:
    """(fresh, skipped): an article is skipped when its id or its content is already indexed, or repeated."""
    hashes = set(known_hashes)
    fresh: list[Article] = []
    skipped: list[Article] = []
    for article in articles:
        if article.content_hash in hashes or article.id in known_ids:
            skipped.append(article)
            continue
        hashes.add(article.content_hash)
        fresh.append(article)
    return fresh, skipped


def chunk_articles(articles: Sequence[Article], settings: Settings, *, progress: bool = False) -> list[Chunk]:
    """The chunks ``settings`` make of ``articles``: whole sentences, title and chunk within the window."""
    from tqdm.auto import tqdm

    from rag.embedding.embedder import resolve_model_path
    from rag.text.tokens import load_batch_token_counter, load_token_counter

    path = resolve_model_path(settings.model)
    count, count_batch = load_token_counter(path), load_batch_token_counter(path)
    out: list[Chunk] = []
    for article in tqdm(articles, desc="chunking", unit="article", disable=not progress):
        # Title and chunk are embedded together and must fit the window with [CLS]/[SEP].
        title_tokens = min(count(article.title), settings.max_seq_tokens // 4)
        budget = min(settings.chunk_tokens, settings.max_seq_tokens - 2 - title_tokens)
        out.extend(
            chunk_article(
                article,
                count,
                chunk_tokens=budget,
                overlap_sentences=settings.overlap_sentences,
                count_tokens_batch=count_batch,
            )
        )
    return out


def embed_chunks(chunks: list[Chunk], titles: dict[str, str], encode: Encode, *, progress: bool = False) -> Passages:
    """Each chunk's vector (embedded with its article's title) and its sentences' vectors, in one pass."""
    texts = [document_text(titles[c.article_id], c.text) for c in chunks]
    # Sentence spans within the embedded text (title + newline + chunk) for late-chunked vectors.
    spans = [_shifted(chunk_sentences(c), len(t) - len(c.text)) for c, t in zip(chunks, texts)]
    return encode(texts, spans, progress=progress)


def _shifted(spans: Sequence[tuple[int, int]], by: int) -> list[tuple[int, int]]:
    return [(a + by, b + by) for a, b in spans]
