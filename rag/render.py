"""Plain-text rendering of hits and answers for the terminal.

Kept apart from the CLI's argument handling so the app and tests can reuse it.
Titles and ids come from article files: they go through ``shown`` so a bidi
override or terminal escape in one cannot reorder or recolour the terminal.
"""

from __future__ import annotations

import textwrap

from rag.sanitize import shown
from rag.types import Answer, Hit

_MARK = {"supported": "", "weak": " (weakly supported)", "unsupported": " (UNSUPPORTED)"}


def render_hits(hits: list[Hit]) -> str:
    if not hits:
        return "no passages found"
    blocks = []
    for hit in hits:
        c = hit.chunk
        head = f"{hit.rank}. [{hit.score:.4f}] {shown(hit.title)}  ({shown(c.article_id)} {c.start}:{c.end})"
        blocks.append(head + "\n" + textwrap.indent(textwrap.fill(c.text, 100), "   "))
    return "\n\n".join(blocks)


def render_answer(answer: Answer) -> str:
    lines = [answer.text, ""]
    flagged = [s for s in answer.sentences if s.verdict != "supported"]
    for sentence in flagged:
        lines.append(f"note: {sentence.verdict}{_MARK[sentence.verdict]}: {sentence.text}")
    if answer.citations:
        lines.append("Sources:")
    for c in answer.citations:
        where = f" <{c.url}>" if c.url else ""
        lines.append(f"[{c.number}] {shown(c.title)}{where}  ({shown(c.article_id)} {c.start}:{c.end})")
        lines.append(textwrap.indent(textwrap.fill(f"“{c.quote}”", 100), "    "))
    if answer.abstained and answer.related:
        lines.append("Possibly related:")
        for hit in answer.related:
            lines.append(f"- {shown(hit.title)}: {textwrap.shorten(hit.chunk.text, 160)}")
    return "\n".join(lines).rstrip()
