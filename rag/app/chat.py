"""The streaming chat handler: question in, progressively shown answer and sources panel out.

Each request reads the process's current index once (``rag.api.load_index``)
and keeps that object for the whole answer, so an upload finishing mid-answer
cannot mix two indexes. Follow-ups work because the session's earlier turns
(the plain answer text, markers included) are passed to ``rag.api.stream_ask``
as ``Turn``s. Any
``RagError`` becomes a message in the chat; anything else is logged and shown
as a generic apology, so one bad request never stops the app serving.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator

import gradio as gr

from rag.api import load_index, stream_ask
from rag.app import conversation, render
from rag.errors import RagError
from rag.filters import Filters
from rag.retrieval.search import MAX_QUESTION_CHARS
from rag.settings import Settings
from rag.stores.base import Store
from rag.text.sanitize import clean_question
from rag.types import Answer, Turn

log = logging.getLogger(__name__)

STREAM_WORDS = 6  # words added per update when replaying a one-shot (extractive) answer
STREAM_PAUSE = 0.012  # seconds between updates: visible as typing, adds ~0.1 s to an answer
SHOWN_QUESTION_CHARS = 300  # a pasted 100 KB "question" is summarised, not echoed in full

Outputs = tuple[str, list[dict], str, list[Turn], list[str]]


def shown_question(question: str) -> str:
    text = question or ""
    if len(text) > SHOWN_QUESTION_CHARS:
        text = f"{text[:SHOWN_QUESTION_CHARS]}… ({len(question):,} characters)"
    return render.plain_markdown(text) if text.strip() else "*(empty question)*"


def make_handler(settings: Settings, load: Callable[[Settings], Store] = load_index):
    """The ``/ask`` handler for ``settings``; ``load`` gives the index snapshot a request answers from."""

    def ask(
        question: str,
        history: list[dict] | None,
        turns: list[Turn] | None,
        exports: list[str] | None = None,
        dates: tuple[str, str] = ("", ""),
    ) -> Iterator[Outputs]:
        # An empty chat is a new conversation, whatever the session remembers (e.g. an API
        # caller starting over with history=[]). ``exports`` holds each turn as Markdown, for "Export".
        turns = list(turns or []) if history else []
        exports = list(exports or [])[: len(turns)] if history else []
        history = [*(history or []), {"role": "user", "content": shown_question(question)}]
        reply = {"role": "assistant", "content": "…"}
        history.append(reply)
        yield "", history, gr.skip(), turns, exports
        try:
            filters = date_filters(dates)  # a bad date is a RagError: shown in the chat
            index = load(settings)  # one snapshot for the whole answer, sources panel included
            final = None
            streamed = False
            for answer in stream_ask(question, turns, settings=settings, index=index, filters=filters):
                if final is not None:  # an LLM's partial answer: show its text so far
                    reply["content"] = render.plain_markdown(final.text)
                    streamed = True
                    yield "", history, gr.skip(), turns, exports
                final = answer
            if final is None:
                raise RagError("no answer was produced; try rephrasing the question")
            if not streamed:  # a one-shot (extractive) answer: type its text out first
                yield from _replay(final, reply, history, turns, exports)
            turn = len(turns)
            reply["content"] = render.answer_markdown(final, turn)
            if clean_question(question, MAX_QUESTION_CHARS)[1]:
                reply["content"] += f"\n\n*Only the first {MAX_QUESTION_CHARS:,} characters of the question were used.*"
            if filters:
                reply["content"] += f"\n\n*{date_note(filters)}*"  # Filters holds only YYYY-MM-DD dates
            turns = [*turns, Turn(final.question, final.text)]
            exports = [*exports, conversation.turn_markdown(question, final, index.articles)]
            yield "", history, render.sources_html(final, index.articles, turn), turns, exports
        except RagError as error:
            reply["content"] = render.error_markdown(str(error))
            yield "", history, gr.skip(), turns, exports
        except Exception:  # the app must keep serving; the log has the traceback
            log.exception("answering %r failed", (question or "")[:200])
            reply["content"] = render.error_markdown(
                "something went wrong answering that question; the details are in the server log"
            )
            yield "", history, gr.skip(), turns, exports

    return ask


def date_filters(dates: tuple[str, str] | list[str] | None) -> Filters | None:
    """The chat's "Published between" fields as ``Filters``; None when both are empty."""
    padded = [*(dates or ()), "", ""]
    date_from, date_to = ((d or "").strip() or None for d in padded[:2])
    return Filters(date_from=date_from, date_to=date_to) if date_from or date_to else None


def date_note(filters: Filters) -> str:
    """ "Only articles published from 2025-01-01 to 2025-03-31.": under an answer the range restricted."""
    since = f"from {filters.date_from}" if filters.date_from else ""
    until = f"to {filters.date_to}" if filters.date_to else ""
    return f"Only articles published {' '.join(p for p in (since, until) if p)}."


def _replay(
    final: Answer, reply: dict, history: list[dict], turns: list[Turn], exports: list[str]
) -> Iterator[Outputs]:
    """Show the plain answer text a few words at a time before the checked rendering replaces it."""
    words = final.text.split(" ")
    for end in range(STREAM_WORDS, len(words), STREAM_WORDS):
        reply["content"] = render.plain_markdown(" ".join(words[:end])) + " …"
        yield "", history, gr.skip(), turns, exports
        time.sleep(STREAM_PAUSE)
