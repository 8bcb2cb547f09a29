"""A chat conversation kept in the user's browser, and exported as Markdown.

The chat's history lives in a Gradio ``BrowserState`` (the browser's
localStorage, per browser; nothing is kept on the server), so a page reload
shows the conversation again and follow-ups still resolve. What is saved is one
plain dict: the chat messages as shown, the turns (question and plain answer
text, what ``ask(history=...)`` needs), each turn as Markdown for "Export", and
the latest sources panel. Pure: values in, values out; the wiring is in ``ui``.
"""

from __future__ import annotations

from collections.abc import Mapping

from rag.app.openai_format import sources_markdown
from rag.types import Answer, Article, Turn

STORAGE_KEY = "rag-news-conversation"
EMPTY: dict = {"messages": [], "turns": [], "exports": [], "sources": ""}


def turn_markdown(question: str, answer: Answer, articles: Mapping[str, Article]) -> str:
    """One exchange for the export: the question as a heading, the answer with its [n], its sources."""
    heading = " ".join((question or "").split()) or "(empty question)"
    return f"## {heading}\n\n{answer.text}{sources_markdown(answer, articles)}\n"


def export_markdown(exports: list[str]) -> str:
    """The whole conversation as one Markdown document."""
    if not exports:
        return "# Conversation\n\n*(no questions asked yet)*\n"
    return "# Conversation\n\n" + "\n".join(exports)


def saved(messages: list | None, turns: list[Turn] | None, exports: list[str] | None, sources: str | None) -> dict:
    """What goes into the browser's storage after each answer."""
    return {
        "messages": list(messages or []),
        "turns": [[t.question, t.answer] for t in turns or []],
        "exports": list(exports or []),
        "sources": sources or "",
    }


def restored(data: object) -> tuple[list, list[Turn], list[str], str]:
    """Messages, turns, exports and sources back from storage; anything malformed is an empty chat."""
    if not isinstance(data, Mapping):
        return [], [], [], ""
    try:
        messages = [m for m in data.get("messages") or [] if isinstance(m, Mapping) and "role" in m]
        turns = [Turn(str(q), str(a)) for q, a in data.get("turns") or []]
        exports = [str(e) for e in data.get("exports") or []]
        sources = str(data.get("sources") or "")
    except (TypeError, ValueError):
        return [], [], [], ""
    return messages, turns, exports, sources
