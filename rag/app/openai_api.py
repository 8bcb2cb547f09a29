"""An OpenAI-compatible HTTP API beside the chat: ``/v1/models`` and ``/v1/chat/completions``.

The routes are FastAPI routes handed to Gradio's own FastAPI app (``launch(app_kwargs=
{"routes": ...})``), so they run in the chat's process on the chat's port and read the
same ``IndexHolder``: an article uploaded in the Library tab is answerable here at once.
Any OpenAI client (the ``openai`` package, Open WebUI, LibreChat) can use the index as
a "model"; see ``openai_format`` for what goes in and out.

Guards, in order: a per-address rate limit (``Settings.api_rate_limit``), the Bearer key
(``RAG_API_KEY``; checked whenever set, and ``serve`` refuses a non-loopback host without
one, see ``rag.app.hosts.check_api_exposure``), a request size limit, then the body's shape. Every
refusal is an OpenAI-shaped error, so clients show its message. Answering is CPU work:
it runs in the thread pool, never on the event loop.
"""

from __future__ import annotations

import hmac
import json
import logging
import secrets
import time
from collections.abc import Iterator

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from rag.app import openai_format as fmt
from rag.errors import InputError, RagError
from rag.settings import Settings

log = logging.getLogger(__name__)

MAX_REQUEST_BYTES = 1_000_000  # a long conversation is tens of kB; the question itself is cut at 4,000 chars


def _error(status: int, message: str, kind: str, code: str | None = None, headers: dict | None = None):
    return JSONResponse(fmt.error_body(message, kind, code), status_code=status, headers=headers)


def _authorized(request: Request, key: str) -> bool:
    if not key:
        return True
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), key.encode())


def build_routes(settings: Settings) -> list:
    """The API's routes for ``settings``, answering from the process's index (``rag.api``)."""
    from rag.api import ask, load_index, stream_ask
    from rag.retrieval.search import check_question

    router = APIRouter()
    limiter = fmt.RateLimiter(settings.api_rate_limit)
    created = int(time.time())

    def guard(request: Request):
        """The error response for a request that may not proceed, else None."""
        client = request.client.host if request.client else "?"
        if not limiter.allow(client):
            return _error(
                429,
                f"rate limit reached: {settings.api_rate_limit} requests per minute",
                "requests",
                "rate_limit_exceeded",
                {"Retry-After": "1"},
            )
        if not _authorized(request, settings.api_key):
            return _error(
                401,
                "Incorrect API key provided (send it as 'Authorization: Bearer KEY')",
                "invalid_request_error",
                "invalid_api_key",
            )
        return None

    @router.get("/v1/models")
    async def models(request: Request):
        if (refused := guard(request)) is not None:
            return refused
        data = [
            {"id": m, "object": "model", "created": created, "owned_by": "rag-news"}
            for m in fmt.model_ids(settings.answerer)
        ]
        return JSONResponse({"object": "list", "data": data})

    @router.post("/v1/chat/completions")
    async def chat_completions(request: Request):
        if (refused := guard(request)) is not None:
            return refused
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > MAX_REQUEST_BYTES:
            return _too_large()
        body = b""
        async for part in request.stream():  # counted as it arrives: a missing or lying length is no way around
            body += part
            if len(body) > MAX_REQUEST_BYTES:
                return _too_large()
        try:
            chat = fmt.parse_request(json.loads(body or b"null"))
        except (ValueError, InputError) as error:  # JSONDecodeError is a ValueError
            return _error(400, f"invalid request: {error}", "invalid_request_error", "invalid_request")
        answerer = fmt.answerer_for(chat.model, settings.answerer)
        if answerer is None:
            offered = ", ".join(fmt.model_ids(settings.answerer))
            return _error(
                404,
                f"the model {chat.model!r} does not exist; this server offers: {offered}",
                "invalid_request_error",
                "model_not_found",
            )
        try:
            check_question(chat.question)  # an empty question costs no index or model
        except InputError as error:
            return _error(400, str(error), "invalid_request_error", "invalid_question")
        run_settings = settings.replace(answerer=answerer)
        index = load_index(settings)  # one snapshot for the whole answer
        cid = f"chatcmpl-{secrets.token_hex(12)}"
        now = int(time.time())
        if chat.stream:
            events = _stream(stream_ask, index, chat, run_settings, cid, now)
            return StreamingResponse(
                events, media_type="text/event-stream", headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
            )
        try:
            answer = await run_in_threadpool(ask, chat.question, chat.history, settings=run_settings, index=index)
        except RagError as error:
            return _error(400, str(error), "invalid_request_error", "rag_error")
        except Exception:
            log.exception("answering %r through the API failed", chat.question[:200])
            return _error(500, "answering failed; the details are in the server log", "server_error", "server_error")
        content = answer.text + fmt.sources_markdown(answer, index.articles)
        extension = {"citations": fmt.citation_dicts(answer, index.articles), "abstained": answer.abstained}
        return JSONResponse(fmt.completion_body(cid, chat.model, now, content, extension))

    return list(router.routes)


def _too_large():
    return _error(
        413, f"the request is larger than {MAX_REQUEST_BYTES:,} bytes", "invalid_request_error", "request_too_large"
    )


def _sse(data: dict | str) -> bytes:
    return f"data: {data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)}\n\n".encode()


def _stream(stream_ask, index, chat: fmt.ChatRequest, settings: Settings, cid: str, now: int) -> Iterator[bytes]:
    """SSE chunks: the role, the answer text as it comes, the Sources list, the extension, ``[DONE]``.

    A sync generator: Starlette runs it in the thread pool, so answering never blocks the loop.
    """

    def chunk(delta: dict, finish: str | None = None, **extension) -> bytes:
        return _sse(fmt.chunk_body(cid, chat.model, now, delta, finish, **extension))

    yield chunk({"role": "assistant", "content": ""})
    sent = ""
    try:
        final = None
        for answer in stream_ask(chat.question, chat.history, settings=settings, index=index):
            if final is not None and answer.text.startswith(sent) and len(answer.text) > len(sent):
                yield chunk({"content": answer.text[len(sent) :]})  # an LLM's partial answer, as it grows
                sent = answer.text
            final = answer
        if final is None:
            raise RagError("no answer was produced; try rephrasing the question")
        if final.text.startswith(sent):
            for piece in fmt.text_pieces(final.text[len(sent) :]):
                yield chunk({"content": piece})
        else:  # the support check changed what was streamed: send the checked answer in full
            yield chunk({"content": "\n\n---\n" + final.text})
        yield chunk({"content": fmt.sources_markdown(final, index.articles)})
        yield chunk({}, "stop", citations=fmt.citation_dicts(final, index.articles), abstained=final.abstained)
    except RagError as error:
        yield _sse(fmt.error_body(str(error), "invalid_request_error", "rag_error"))
    except Exception:
        log.exception("streaming an answer to %r failed", chat.question[:200])
        yield _sse(fmt.error_body("answering failed; the details are in the server log", "server_error"))
    yield _sse("[DONE]")
