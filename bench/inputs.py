"""Reading the benchmark's inputs: articles, questions, and the token count every system is divided by.

Articles go through the project's own reader (``rag.readers.files.read_path``), so
every system sees the same cleaned text under the same ids. Gzipped JSON Lines
(the scale corpus) are streamed in batches through a temporary ``.jsonl`` file
and the same reader, so nothing is unpacked whole.
"""

from __future__ import annotations

import gzip
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from rag.eval.retrieval import Question, read_questions
from rag.readers.files import read_path
from rag.types import Article


def load_articles(path: Path, limit: int | None = None) -> list[Article]:
    path = Path(path)
    if path.suffix == ".gz":
        articles: list[Article] = []
        for batch in iter_gzip_articles(path):
            articles.extend(batch)
            if limit and len(articles) >= limit:
                break
    else:
        articles = read_path(path)
    return articles[:limit] if limit else articles


def iter_gzip_articles(path: Path, batch_size: int = 500) -> Iterator[list[Article]]:
    """Batches of articles from a ``.jsonl.gz`` file, read by the project's jsonl reader."""
    with gzip.open(path, "rt", encoding="utf-8") as source, tempfile.TemporaryDirectory() as tmp:
        part = Path(tmp) / "part.jsonl"
        lines: list[str] = []
        for line in source:
            if line.strip():
                lines.append(line if line.endswith("\n") else line + "\n")
            if len(lines) >= batch_size:
                part.write_text("".join(lines), encoding="utf-8")
                yield read_path(part)
                lines = []
        if lines:
            part.write_text("".join(lines), encoding="utf-8")
            yield read_path(part)


def load_questions(
    path: Path, articles: Sequence[Article], limit: int | None = None, split: str = "all"
) -> tuple[list[Question], int]:
    """Questions of the ``split`` half (``rag.eval.split``) with at least one relevant document in
    ``articles`` (others can't be found), capped at ``limit``; also returns how many the file had."""
    every = read_questions(Path(path), split=split)
    ids = {a.id for a in articles}
    usable = [q for q in every if q.relevant & ids]
    return (usable[:limit] if limit else usable), len(every)


def question_texts(path: Path, limit: int | None = None) -> list[str]:
    """Just the question strings (scaling runs time queries; the scale corpus has no labels)."""
    return [q.question for q in read_questions(Path(path), limit)]


def count_tokens(articles: Sequence[Article], batch: int = 256) -> int:
    """Wordpiece tokens of the article texts (no special tokens): the tokens/s denominator."""
    from rag.embedding.embedder import resolve_model_path
    from rag.settings import DEFAULT_MODEL
    from rag.text.tokens import load_batch_token_counter

    count_batch = load_batch_token_counter(resolve_model_path(DEFAULT_MODEL))
    total = 0
    for start in range(0, len(articles), batch):
        total += sum(count_batch([a.text for a in articles[start : start + batch]]))
    return total
