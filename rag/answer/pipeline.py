"""From a question to a checked, cited ``Answer``: the edge where retrieval, the model and the pure parts meet.

The extractive path here is deterministic and offline; the LLM path
(``rag.answer.llm``) streams tokens. Both rank the passages' sentences and follow
the same answerability decision (``rag.answer.decision``), and both end in
``rag.answer.finish``: markers parsed, each sentence checked against the passage
it cites. Questions arrive checked (``rag.api`` runs ``check_question`` once per ask).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence

from rag.answer.compose import compose_answer, partial
from rag.answer.decision import decide, rank
from rag.answer.finish import abstain
from rag.answer.followup import rewrite_followup
from rag.filters import Filters
from rag.settings import Settings
from rag.stores.base import Store
from rag.types import Answer, Turn

log = logging.getLogger(__name__)


def answer_question(
    index: Store, question: str, history: Sequence[Turn], settings: Settings, filters: Filters | None = None
) -> Answer:
    *_, final = stream_answer(index, question, history, settings, filters)
    return final


def stream_answer(
    index: Store, question: str, history: Sequence[Turn], settings: Settings, filters: Filters | None = None
) -> Iterator[Answer]:
    """Partial answers (text so far) while an LLM writes, then the checked final ``Answer`` last.

    ``filters`` (a date range, sources, articles) restrict the passages an answer may quote."""
    if settings.answerer != "extractive":
        from rag.answer.llm import stream_llm_answer

        yield from stream_llm_answer(index, question, history, settings, filters)
        return
    yield extractive_answer(index, question, history, settings, filters)


def extractive_answer(
    index: Store, question: str, history: Sequence[Turn], settings: Settings, filters: Filters | None = None
) -> Answer:
    standalone = rewrite_followup(question, history)
    r = rank(index, standalone, settings, filters)
    decision = decide(r, settings)
    if decision.partial:
        return partial(index, question, r, decision)
    if not decision.answers:
        return abstain(question, standalone, r.hits, decision)
    return compose_answer(index, question, r, decision.confidence)
