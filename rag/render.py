"""Plain-text rendering of hits and answers for the terminal.

Kept apart from the CLI's argument handling so the app and tests can reuse it.
"""

from __future__ import annotations

import textwrap

from rag.types import Answer, Hit

_MARK = {"supported": "", "weak": " (weakly supported)", "unsupported": " (UNSUPPORTED)"}


def render_hits(hits: list[Hit]) -> str:
    if not hits:
        return "no passages found"
    blocks = []
    for hit in hits:
        c = hit.chunk
        head = f"{hit.rank}. [{hit.score:.4f}] {hit.title}  ({c.article_id} {c.start}:{c.end})"
        blocks.append(head + "\n" + textwrap.indent(textwrap.fill(c.text, 100), "   "))
    return "\n\n".join(blocks)


def render_answer(answer: Answer) -> str:
    lines = [answer.text, ""]
    if answer.partial:  # on topic, but not the asked detail: say so before anything is quoted
        lines = [f"NOT ANSWERED ({answer.abstain_reason}).", *lines]
    if answer.fallback:
        lines = [f"EXTRACTIVE ANSWER ({answer.fallback}).", *lines]
    flagged = [s for s in answer.sentences if s.verdict != "supported"]
    for sentence in flagged:
        lines.append(f"note: {sentence.verdict}{_MARK[sentence.verdict]}: {sentence.text}")
    if answer.citations:
        lines.append("Sources:")
    for c in answer.citations:
        where = f" <{c.url}>" if c.url else ""
        lines.append(f"[{c.number}] {c.title}{where}  ({c.article_id} {c.start}:{c.end})")
        lines.append(textwrap.indent(textwrap.fill(f"“{c.quote}”", 100), "    "))
    if answer.abstained and answer.related and not answer.partial:
        lines.append("Possibly related:")
        for hit in answer.related:
            lines.append(f"- {hit.title}: {textwrap.shorten(hit.chunk.text, 160)}")
    return "\n".join(lines).rstrip()
