"""The extractive answer's text: the best sentences with their markers, or the partial form.

A full answer leads with its short answer span ("CIA director William Burns
[1].") when there is one, then quotes the sentences that carry it. The partial
form says what the articles do not hold, then quotes what they do say, marked
as not the answer. Both end in ``rag.answer.finish``.
"""

from __future__ import annotations

from dataclasses import replace

from rag.answer import extractive as ex
from rag.answer.decision import KEEP_HAND, KEEP_SELECTED, NEVER, NOT_CLOSE, NOT_QUOTED, Decision, Ranked, unmentioned
from rag.answer.finish import citation, finish
from rag.answer.indirect import indirect
from rag.answer.markers import with_markers
from rag.stores.base import Store
from rag.types import Answer

# The partial state: the topic is there, the asked detail is not. What they do say follows, cited.
# The asked detail is the question restated ("who will lead the delegation") when its words allow.
PARTIAL_TEXT = "The articles don't say {what}. They mention: "
ASKED = "what the question asks"
NOTES = {
    NEVER: "The articles don't say anything about {what}. They mention: ",
    NOT_CLOSE: "The passages closest to the question don't mention {what}. They mention: ",
    NOT_QUOTED: "The passage quoted doesn't mention {what}. It says: ",
}


def compose_answer(index: Store, question: str, r: Ranked, confidence: float) -> Answer:
    """The cited answer from the best sentences, led by its short answer span when there is one."""
    draft = ex.compose(r.standalone, r.ranked, keep=KEEP_SELECTED if r.selected else KEEP_HAND)
    citations = [citation(i + 1, s.candidate) for i, s in enumerate(draft.sentences)]
    # Lead with the short answer, unless the quoted sentence already opens with it.
    opens_with_lead = draft.lead and draft.sentences[0].candidate.text.startswith(draft.lead)
    opening = f"{draft.lead} [1]." if draft.lead and not opens_with_lead else ""
    quotes = [with_markers(s.candidate.text, [i + 1]) for i, s in enumerate(draft.sentences)]
    text = " ".join([opening, *quotes] if opening else quotes)
    return replace(
        finish(index, question, r.standalone, text, citations, r.hits),
        short_answer=draft.lead or "",
        opening=opening,
        confidence=round(confidence, 4),
    )


def partial(index: Store, question: str, r: Ranked, decision: Decision) -> Answer:
    """ "The articles don't say X. They mention: …[1]": what is there, marked as not the answer.

    "The articles don't say anything about X" only when no indexed passage mentions X; when some
    passage elsewhere does, the reply claims no more than is true: the closest passages (or the quoted
    one) don't.
    """
    best = r.ranked[0]
    never = unmentioned(index, decision.missing)
    claim, missing = (NEVER, never) if never else (decision.claim, decision.missing)
    what = " or ".join(missing)
    reason = claim.format(what=what) if missing else decision.reason
    note = NOTES[claim].format(what=what) if missing else PARTIAL_TEXT.format(what=indirect(question) or ASKED)
    quoted = with_markers(best.candidate.text, [1])
    # Only the quote is a claim to check; the note before it is ours, not the articles'.
    answer = finish(index, question, r.standalone, quoted, [citation(1, best.candidate)], r.hits)
    return replace(
        answer,
        text=note + quoted,
        opening=note,
        abstained=True,
        partial=True,
        confidence=round(decision.confidence, 4),
        abstain_reason=reason,
        related=tuple(r.hits[:3]),
    )
