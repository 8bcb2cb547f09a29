"""The LLM answerer: a LangChain chat model writes, the support check decides what to trust.

Retrieved passages reach the model only as fenced, numbered data in the user
message (``rag.answer.prompts.format_sources``), never in the system message, and the
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

import logging
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from rag._extras import needs

with needs("llm"):
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from rag.answer.chat_models import first_line as _first_line
from rag.answer.chat_models import make_chat_model
from rag.answer.compose import compose_answer, partial
from rag.answer.decision import Decision, Ranked, decide, rank
from rag.answer.finish import ABSTAIN_TEXT, abstain, citation_for_claim, finish
from rag.answer.followup import rewrite_followup
from rag.answer.markers import strip_markers, with_markers
from rag.answer.prompts import Rendered, format_history, format_sources, load_prompt, neutralise
from rag.answer.support import parse_claims, strip_invalid_markers
from rag.errors import RagError
from rag.filters import Filters
from rag.retrieval.search import MAX_QUESTION_CHARS
from rag.settings import Settings
from rag.types import Answer, Hit, Turn

log = logging.getLogger(__name__)

_ECHO = re.compile(r"</?(?:sources|question)>|<<<|>>>", re.IGNORECASE)
# Beyond what rag.answer.prompts.neutralise handles: characters a model reads as nothing (zero-width, soft
# hyphen, bidi controls), so "</sour\u200bces>" would read as the tag; full-width, small and HTML-entity
# forms of < and >; the <question> tag; and chat-template tokens (<|im_end|>) that a local model's
# tokenizer would turn into real turn boundaries.
_INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_LT = re.compile(r"&(?:lt|#0*60|#x0*3c);|[\uff1c\ufe64]", re.IGNORECASE)
_GT = re.compile(r"&(?:gt|#0*62|#x0*3e);|[\uff1e\ufe65]", re.IGNORECASE)
_TEMPLATE_TOKEN = re.compile(r"<\||\|>")
_QUESTION_TAG = re.compile(r"<(\s*/?\s*question\b)", re.IGNORECASE)


def stream_llm_answer(
    index, question: str, history: Sequence[Turn], settings: Settings, filters: Filters | None = None
) -> Iterator[Answer]:
    """Partial answers while the model writes, then the checked final ``Answer`` last."""
    model = make_chat_model(settings.answerer, settings.llm_temperature)
    folder = settings.prompts_dir
    standalone = condense_question(model, question, history, settings.answerer, folder) if history else question
    r = rank(index, standalone, settings, filters)
    decision = decide(r, settings)
    hits = list(r.hits)
    if not decision.answers:
        # The passages don't answer: the model is not asked, so it cannot fill the gap from memory.
        yield (
            partial(index, question, r, decision) if decision.partial else abstain(question, standalone, hits, decision)
        )
        return
    text = ""
    for piece in _tokens(model, answer_messages(standalone, hits, folder), settings.answerer):
        text += piece
        yield Answer(question=question, text=text, standalone_question=standalone)
    final = finalize_answer(index, question, standalone, text, hits, settings.llm_unsupported)
    yield replace(fallback(index, question, r, decision, final), confidence=round(decision.confidence, 4))


#: Share of unsupported sentences at which the model's answer is not shown (2 of 3 is still shown, marked).
FALLBACK_SHARE = 0.75


def fallback(index, question: str, r: Ranked, decision: Decision, final: Answer) -> Answer:
    """The model's checked answer, or, when most of it fails the support check, the extractive answer, saying why.

    Under the "drop" policy an answer with nothing left already abstains; it now says why.
    """
    if final.abstained:
        return final
    unsupported = sum(s.verdict == "unsupported" for s in final.sentences)
    if not final.sentences or unsupported / len(final.sentences) < FALLBACK_SHARE:
        return final
    why = (
        f"{unsupported} of {len(final.sentences)} sentences of the model's answer failed the support check; "
        "showing the extractive answer instead"
    )
    log.warning("LLM answer not shown: %s", why)
    return replace(compose_answer(index, question, r, decision.confidence), fallback=why)


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
    prompt = load_prompt("answer", folder).render_parts(
        abstain_text=ABSTAIN_TEXT, sources=format_sources(shown), question=as_data(question)
    )
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
        return replace(abstain(question, standalone, hits), abstain_reason="the model found no answer in the passages")
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
        return replace(
            abstain(question, standalone, hits),
            abstain_reason="every sentence of the model's answer failed the support check",
        )
    cited = {n for s in kept for n in s.citations}
    return replace(
        answer,
        text=" ".join(with_markers(s.text, s.citations) for s in kept),
        sentences=tuple(kept),
        citations=tuple(c for c in answer.citations if c.number in cited),
    )


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
        return " ".join(strip_markers(s).replace("’", "'").lower().split()).rstrip(".! ")

    return norm(text).startswith(norm(ABSTAIN_TEXT))
