"""Asking for the API: ranked passages and cited answers, the question checked once before anything loads."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from rag.api._indexing import load_index
from rag.api._reading import default_settings, resolve_settings
from rag.filters import Filters
from rag.settings import Settings
from rag.types import Answer, Hit, Turn

if TYPE_CHECKING:
    from rag.stores import Store


def search(
    question: str,
    k: int = 5,
    *,
    mode: str | None = None,
    filters: Filters | None = None,
    settings: Settings | None = None,
    index: Store | None = None,
    index_dir: str | os.PathLike | None = None,
) -> list[Hit]:
    """Ranked passages for ``question`` (hybrid dense + BM25 by default)."""
    from rag.retrieval.search import check_question, search_index

    question = check_question(question)
    index = index or load_index(resolve_settings(settings, index_dir))
    as_of = settings.as_of if settings is not None else None
    return search_index(index, question, k, mode=mode, filters=filters, as_of=as_of)


def stream_ask(
    question: str,
    history: Sequence[Turn] | None = None,
    *,
    settings: Settings | None = None,
    index: Store | None = None,
    filters: Filters | None = None,
) -> Iterator[Answer]:
    """Partial answers while an LLM writes (none for the extractive answerer), then the checked ``Answer`` last.

    ``filters`` restrict what the answer may quote (e.g. ``Filters(date_from="2025-01-01")``)."""
    from rag.answer import stream_answer
    from rag.retrieval.search import check_question

    question = check_question(question)
    settings = settings or default_settings()
    index = index or load_index(settings)
    yield from stream_answer(index, question, history or (), settings, filters)


def ask(
    question: str,
    history: Sequence[Turn] | None = None,
    *,
    settings: Settings | None = None,
    index: Store | None = None,
    index_dir: str | os.PathLike | None = None,
    filters: Filters | None = None,
    **options: object,
) -> Answer:
    """A cited answer to ``question``; ``history`` turns make follow-ups work; ``options`` replace settings."""
    settings = resolve_settings(settings, index_dir) if index is None else (settings or default_settings())
    if options:
        settings = settings.replace(**options)
    *_, final = stream_ask(
        question, history, settings=settings, index=index, filters=filters
    )  # the checked answer comes last
    return final
