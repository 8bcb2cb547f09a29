"""Pure translation between OpenAI chat-completion JSON and this project's types.

Requests: the last user message is the question and earlier user/assistant
pairs become ``Turn``s, so follow-ups resolve as in the chat. An assistant
message we wrote ourselves ends with a "Sources" list; it is cut off before the
text becomes history, so the follow-up rewriter sees the answer, not the titles.
Responses: the answer text keeps its ``[n]`` markers and ends with a Markdown
"Sources" list any client can render; the structured ``citations`` and
``abstained`` ride in extension fields that standard clients ignore. No I/O,
no FastAPI: every function takes values and returns values.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass

from rag.errors import InputError
from rag.text.pages import location_dict
from rag.types import Answer, Article, Turn

EXTRACTIVE_MODEL = "rag-extractive"
SOURCES_HEADING = "**Sources**"
_MD_LINK_BREAKERS = re.compile(r"([\[\]()\\*_`])")


@dataclass(frozen=True)
class ChatRequest:
    """A parsed ``/v1/chat/completions`` body: what to answer, with what history and model."""

    model: str
    question: str
    history: tuple[Turn, ...]
    stream: bool


def model_ids(answerer: str) -> list[str]:
    """One model per configured answerer: always the extractive one, plus the LLM when set."""
    return [EXTRACTIVE_MODEL] + ([] if answerer == "extractive" else [f"rag-{answerer}"])


def answerer_for(model: str, answerer: str) -> str | None:
    """The answerer spec a model id stands for, or None when this server offers no such model."""
    if model == EXTRACTIVE_MODEL:
        return "extractive"
    return answerer if answerer != "extractive" and model == f"rag-{answerer}" else None


def _content(message: Mapping, at: int) -> str:
    content = message.get("content")
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # [{"type": "text", "text": ...}, {"type": "image_url", ...}]
        return "\n".join(p["text"] for p in content if isinstance(p, Mapping) and isinstance(p.get("text"), str))
    raise InputError(f"messages[{at}].content must be a string or a list of text parts")


def strip_sources(answer_text: str) -> str:
    """An answer we wrote, without the Sources list we appended to it."""
    return answer_text.split(f"\n\n{SOURCES_HEADING}", 1)[0].strip()


def parse_request(body: object) -> ChatRequest:
    """Check the body's shape and pull out question and history; ``InputError`` says what is wrong."""
    if not isinstance(body, Mapping):
        raise InputError("the request body must be a JSON object")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise InputError("'model' is required (see GET /v1/models)")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise InputError("'messages' must be a non-empty list")
    turns: list[Turn] = []
    pending: str | None = None  # a user message waiting for its answer
    for at, message in enumerate(messages):
        if not isinstance(message, Mapping) or not isinstance(message.get("role"), str):
            raise InputError(f"messages[{at}] must be an object with a 'role'")
        role, text = message["role"], _content(message, at)
        if role == "user":
            pending = text  # two user messages in a row: the later one counts
        elif role == "assistant" and pending is not None:
            turns.append(Turn(pending, strip_sources(text)))
            pending = None
        # system/developer/tool messages carry no question or answer for retrieval
    if messages[-1].get("role") != "user" or pending is None:
        raise InputError("the last message must be the user's question")
    return ChatRequest(model, pending, tuple(turns), body.get("stream") is True)


def _md(text: str) -> str:
    return _MD_LINK_BREAKERS.sub(r"\\\1", " ".join(text.split()))


def sources_markdown(answer: Answer, articles: Mapping[str, Article]) -> str:
    """The Markdown list appended to the answer: title (linked when http/https), location, quote."""
    lines: list[str] = []
    if answer.citations:
        lines.append(SOURCES_HEADING)
        for c in answer.citations:
            url = c.url or getattr(articles.get(c.article_id), "url", None)
            title = _md(c.title or c.article_id)
            if url and url.startswith(("http://", "https://")):
                title = f"[{title}](<{url.replace('>', '%3E')}>)"
            where = f" ({c.location})" if c.location else ""
            lines.append(f"{c.number}. {title}{where}: “{_md(c.quote)}”")
    elif answer.abstained and answer.related:
        lines.append("**Possibly related**")
        lines.extend(f"- {_md(h.title)}" for h in answer.related)
    return "\n\n" + "\n".join(lines) if lines else ""


def citation_dicts(answer: Answer, articles: Mapping[str, Article]) -> list[dict]:
    """The ``citations`` extension: each source's number, article, span and quote."""
    out = []
    for c in answer.citations:
        article = articles.get(c.article_id)
        out.append(
            {
                "number": c.number,
                "article_id": c.article_id,
                "title": c.title,
                "url": c.url or (article.url if article else None),
                "quote": c.quote,
                "start": c.start,
                "end": c.end,
                **location_dict(article, c.start),
            }
        )
    return out


def completion_body(cid: str, model: str, created: int, content: str, extension: dict) -> dict:
    return {
        "id": cid,
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        **extension,
    }


def chunk_body(cid: str, model: str, created: int, delta: dict, finish: str | None = None, **extension) -> dict:
    return {
        "id": cid,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        **extension,
    }


def error_body(message: str, kind: str, code: str | None = None, param: str | None = None) -> dict:
    """OpenAI's error shape: ``{"error": {"message", "type", "param", "code"}}``."""
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


def text_pieces(text: str, words: int = 6) -> list[str]:
    """A one-shot answer cut into a few-word deltas whose concatenation is ``text``."""
    parts = re.findall(r"\S+\s*|\s+", text)
    return ["".join(parts[i : i + words]) for i in range(0, len(parts), words)] or [text]


class RateLimiter:
    """A token bucket per client: ``per_minute`` requests a minute, bursts up to that many."""

    def __init__(self, per_minute: int, clock=time.monotonic):
        self.rate = per_minute / 60.0
        self.capacity = float(per_minute)
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str) -> bool:
        if self.capacity <= 0:
            return True
        now = self._clock()
        with self._lock:
            tokens, then = self._buckets.get(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - then) * self.rate)
            allowed = tokens >= 1.0
            self._buckets[client] = (tokens - 1.0 if allowed else tokens, now)
            if len(self._buckets) > 10_000:  # forget idle clients rather than grow without bound
                self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < 120}
            return allowed
