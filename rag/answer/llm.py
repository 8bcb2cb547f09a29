"""The LLM answerer: a LangChain chat model writes, the support check decides what to trust.

Retrieved passages reach the model only as fenced, numbered data in the user
message (``rag.prompts.format_sources``), never in the system message, and the
question sits in its own ``<question>`` block, so neither article text nor a
question can pose as instructions. ``as_data`` first removes what could still
close a block or open a chat turn (see there). Tokens stream out as partial
``Answer``s; the final one is checked like the extractive path's
(``pipeline.finish``): markers outside 1..len(hits) go, each cited n becomes a
``Citation`` quoting the sentence of ``hits[n-1]`` that best supports it, every
sentence gets a verdict, and ``settings.llm_unsupported`` keeps ("mark") or
removes ("drop") the unsupported ones. Models are "provider:model" for
``init_chat_model``, or "hf-gguf:<path.gguf>" for a local GGUF via transformers
(how the tests run SmolLM2 offline).
"""

from __future__ import annotations

import functools
import logging
import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from rag.answer.followup import rewrite_followup
from rag.answer.pipeline import ABSTAIN_TEXT, abstain, citation_for_claim, finish
from rag.answer.support import parse_claims, strip_invalid_markers
from rag.errors import ConfigError, RagError
from rag.prompts import Rendered, format_history, format_sources, load_prompt, neutralise
from rag.retrieve import MAX_QUESTION_CHARS, search_index
from rag.settings import Settings
from rag.types import Answer, Hit, Turn

log = logging.getLogger(__name__)

#: New tokens a local GGUF model may write per call: a CPU budget, and answers are short anyway.
LOCAL_MAX_NEW_TOKENS = 160
_MARKERS = re.compile(r"\s*\[\d+(?:\s*,\s*\d+)*\]")
_TAIL = re.compile(r"[.!?…\"”’')]*$")
_ECHO = re.compile(r"</?(?:sources|question)>|<<<|>>>", re.IGNORECASE)
# Beyond what rag.prompts.neutralise handles: characters a model reads as nothing (zero-width, soft
# hyphen, bidi controls), so "</sour\u200bces>" would read as the tag; full-width, small and HTML-entity
# forms of < and >; the <question> tag; and chat-template tokens (<|im_end|>) that a local model's
# tokenizer would turn into real turn boundaries.
_INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_LT = re.compile(r"&(?:lt|#0*60|#x0*3c);|[\uff1c\ufe64]", re.IGNORECASE)
_GT = re.compile(r"&(?:gt|#0*62|#x0*3e);|[\uff1e\ufe65]", re.IGNORECASE)
_TEMPLATE_TOKEN = re.compile(r"<\||\|>")
_QUESTION_TAG = re.compile(r"<(\s*/?\s*question\b)", re.IGNORECASE)


def make_chat_model(spec: str, temperature: float) -> BaseChatModel:
    """A streaming chat model for "provider:model"; any problem building it is one ``ConfigError``."""
    provider, _, model = (part.strip() for part in spec.partition(":"))
    if not provider or not model:
        raise ConfigError(f"answerer must look like 'provider:model' (e.g. 'openai:gpt-4o-mini'), got {spec!r}")
    if provider == "hf-gguf":
        return local_gguf_chat_model(model, temperature, LOCAL_MAX_NEW_TOKENS)
    options: dict[str, str] = {}
    # Local OpenAI-compatible servers (llama.cpp, vLLM, LM Studio) need no key, but the client insists on one.
    if provider == "openai" and os.environ.get("OPENAI_BASE_URL") and not os.environ.get("OPENAI_API_KEY"):
        options["api_key"] = "not-needed"
    from langchain.chat_models import init_chat_model

    try:
        return init_chat_model(model, model_provider=provider, temperature=temperature, streaming=True, **options)
    except ImportError as error:
        raise ConfigError(f"answerer {spec!r} needs a package that is not installed: {_first_line(error)}") from None
    except Exception as error:  # unknown provider, missing credentials, rejected options
        raise ConfigError(f"answerer {spec!r} cannot be used: {_first_line(error)}") from None


@functools.lru_cache(maxsize=4)
def local_gguf_chat_model(path: str, temperature: float, max_new_tokens: int) -> BaseChatModel:
    """A local GGUF model as a LangChain chat model (weights load once per process)."""
    tokenizer, model = _load_gguf(path)
    from langchain_huggingface import ChatHuggingFace, HuggingFacePipeline
    from transformers import pipeline

    sampling = {"do_sample": True, "temperature": temperature} if temperature > 0 else {"do_sample": False}
    generator = pipeline("text-generation", model=model, tokenizer=tokenizer,
                         max_new_tokens=max_new_tokens, return_full_text=False, **sampling)
    # The tokenizer is passed in so ChatHuggingFace never looks the model id up on a hub.
    return ChatHuggingFace(llm=HuggingFacePipeline(pipeline=generator, model_id=path),
                           tokenizer=tokenizer, model_id=path, streaming=True)


@functools.lru_cache(maxsize=2)
def _load_gguf(path: str):
    file = Path(path).expanduser()
    if not file.is_file():
        raise ConfigError(f"no GGUF file at {file} (answerer 'hf-gguf:<path-to.gguf>')")
    try:
        from transformers import AutoModelForCausalLM, AutoTokenizer
    except ImportError:
        raise ConfigError("answerer 'hf-gguf:...' needs transformers, gguf and langchain-huggingface") from None
    log.info("loading local model %s", file)
    tokenizer = AutoTokenizer.from_pretrained(str(file.parent), gguf_file=file.name)
    model = AutoModelForCausalLM.from_pretrained(str(file.parent), gguf_file=file.name)
    return tokenizer, model.eval()


def stream_llm_answer(index, question: str, history: Sequence[Turn], settings: Settings) -> Iterator[Answer]:
    """Partial answers while the model writes, then the checked final ``Answer`` last."""
    model = make_chat_model(settings.answerer, settings.llm_temperature)
    folder = settings.prompts_dir
    standalone = condense_question(model, question, history, settings.answerer, folder) if history else question
    hits = search_index(index, standalone, settings.k, as_of=settings.as_of)
    if not hits:
        yield abstain(question, standalone, hits)
        return
    text = ""
    for piece in _tokens(model, answer_messages(standalone, hits, folder), settings.answerer):
        text += piece
        yield Answer(question=question, text=text, standalone_question=standalone)
    yield finalize_answer(index, question, standalone, text, hits, settings.llm_unsupported)


def condense_question(
    model: BaseChatModel, question: str, history: Sequence[Turn], spec: str = "", folder: Path | None = None
) -> str:
    """The follow-up rewritten as a standalone question; the rule-based rewrite if the model's reply is unusable."""
    turns = [Turn(as_data(turn.question), as_data(turn.answer)) for turn in history]
    prompt = load_prompt("condense", folder).render_parts(history=format_history(turns), question=as_data(question))
    with _model_errors(spec):
        reply = str(model.invoke(_messages(prompt)).text)
    lines = [line.strip() for line in _ECHO.sub("", reply).splitlines() if line.strip()]
    standalone = re.sub(r"^(standalone question|question)\s*:\s*", "", lines[0], flags=re.I) if lines else ""
    standalone = standalone.strip().strip("\"'“”")
    if not standalone or len(standalone) > MAX_QUESTION_CHARS:
        log.warning("condense reply unusable (%r); using the rule-based rewrite", reply[:80])
        return rewrite_followup(question, history)
    log.info("condensed %r -> %r", question, standalone)
    return standalone


def answer_messages(question: str, hits: Sequence[Hit], folder: Path | None = None) -> list[BaseMessage]:
    """System rules, then the user message: the fenced sources block, then the delimited question."""
    # Prompt-only copies of the hits: their text is the model's view, not an article span any more.
    shown = [replace(h, title=as_data(h.title), chunk=replace(h.chunk, text=as_data(h.chunk.text))) for h in hits]
    prompt = load_prompt("answer", folder).render_parts(abstain_text=ABSTAIN_TEXT, sources=format_sources(shown),
                                                        question=as_data(question))
    return _messages(prompt)


def as_data(text: str) -> str:
    """Untrusted text (an article, a question) made safe to quote inside a delimited block of the prompt.

    Nothing left in it can close ``<sources>``, ``<question>`` or a ``<<<``/``>>>`` fence, in any case,
    spacing, width or entity spelling, or open a chat turn; the words themselves are kept, as data.
    """
    text = _GT.sub(">", _LT.sub("<", _INVISIBLE.sub("", text)))
    text = _TEMPLATE_TOKEN.sub(lambda m: m.group(0).replace("<", "‹").replace(">", "›"), text)
    return neutralise(_QUESTION_TAG.sub(r"‹\1", text))


def finalize_answer(
    index, question: str, standalone: str, text: str, hits: Sequence[Hit], unsupported: str = "mark"
) -> Answer:
    """The model's text checked: valid citations only, exact quotes, a verdict per sentence, the policy applied."""
    valid = set(range(1, len(hits) + 1))
    # Small models echo the prompt's delimiters; they are never part of an answer.
    text = strip_invalid_markers(_ECHO.sub("", text).strip(), valid).strip()
    claims = parse_claims(text, valid) if text else []
    if not claims or _abstains(text):
        return abstain(question, standalone, hits)
    claims_of: dict[int, list[str]] = {}
    for claim in claims:
        for number in claim.citations:
            claims_of.setdefault(number, []).append(claim.text)
    # One citation per number: the passage sentence that best supports everything cited to it.
    citations = [citation_for_claim(n, " ".join(texts), hits[n - 1]) for n, texts in sorted(claims_of.items())]
    answer = finish(index, question, standalone, text, citations, hits)
    counts = {v: sum(s.verdict == v for s in answer.sentences) for v in ("supported", "weak", "unsupported")}
    log.info("LLM answer checked: %s (policy %s)", counts, unsupported)
    if unsupported != "drop":
        return answer
    kept = [s for s in answer.sentences if s.verdict != "unsupported"]
    if not kept:
        return abstain(question, standalone, hits)
    cited = {n for s in kept for n in s.citations}
    return replace(answer, text=" ".join(_with_markers(s.text, s.citations) for s in kept), sentences=tuple(kept),
                   citations=tuple(c for c in answer.citations if c.number in cited))


def _messages(prompt: Rendered) -> list[BaseMessage]:
    system = [SystemMessage(prompt.system)] if prompt.system else []
    return [*system, HumanMessage(prompt.user)]


def _tokens(model: BaseChatModel, messages: list[BaseMessage], spec: str) -> Iterator[str]:
    with _model_errors(spec):
        for chunk in model.stream(messages):
            if piece := str(chunk.text):
                yield piece


@contextmanager
def _model_errors(spec: str) -> Iterator[None]:
    """A failing model call (server down, bad key, timeout) becomes one readable ``RagError``."""
    try:
        yield
    except RagError:
        raise
    except Exception as error:
        raise RagError(f"the answerer {spec!r} failed: {type(error).__name__}: {_first_line(error)}") from error


def _abstains(text: str) -> bool:
    """Did the model give the fixed no-answer sentence (give or take markers, case and quotes)?"""
    def norm(s: str) -> str:
        return " ".join(_MARKERS.sub("", s).replace("’", "'").lower().split()).rstrip(".! ")

    return norm(text).startswith(norm(ABSTAIN_TEXT))


def _with_markers(sentence: str, numbers: Sequence[int]) -> str:
    """'…buildup.' -> '…buildup [1, 2].' (markers sit inside the sentence, as the prompt asks)."""
    body = sentence.rstrip()
    tail = _TAIL.search(body).group(0)
    body = body[: len(body) - len(tail)]
    return f"{body} [{', '.join(map(str, numbers))}]{tail or '.'}"


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
