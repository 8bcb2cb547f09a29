"""Plain-text rendering of hits and answers for the terminal.

Titles and ids come from article files: they go through ``shown`` so a bidi
override or terminal escape in one cannot reorder or recolour the terminal.

Kept apart from the CLI's argument handling so the app and tests can reuse it.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from rag.stores.stats import IndexStats
from rag.text.sanitize import shown
from rag.types import Answer, Hit

if TYPE_CHECKING:
    from rag.api import SyncReport

_PARTIAL_NOTE = "NOT ANSWERED: the articles cover the topic, not what was asked."
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
    lines = [*_answer_text(answer), ""]
    if answer.partial:  # on topic, but not the asked detail: say so before anything is quoted
        lines = [_PARTIAL_NOTE, *lines]
    if answer.fallback:
        lines = [f"EXTRACTIVE ANSWER ({answer.fallback}).", *lines]
    flagged = [s for s in answer.sentences if s.verdict != "supported"]
    for sentence in flagged:
        lines.append(f"note: {sentence.verdict}{_MARK[sentence.verdict]}: {sentence.text}")
    if answer.citations:
        lines.append("Sources:")
    for c in answer.citations:
        where = f" <{c.url}>" if c.url else ""
        at = f", {c.location}" if c.location else ""
        lines.append(f"[{c.number}] {shown(c.title)}{where}  ({shown(c.article_id)} {c.start}:{c.end}{at})")
        lines.append(textwrap.indent(textwrap.fill(f"“{c.quote}”", 100), "    "))
    if answer.abstained and answer.related and not answer.partial:
        lines.append("Possibly related:")
        for hit in answer.related:
            lines.append(f"- {shown(hit.title)}: {textwrap.shorten(hit.chunk.text, 160)}")
    return "\n".join(lines).rstrip()


def _answer_text(answer: Answer) -> list[str]:
    """The answer's paragraphs, as the chat lays them out: a full answer's opening ("Wednesday [1].") on a line
    of its own above the quote that carries it; a partial answer's note, then what the articles do say, indented."""
    opening = answer.opening if answer.text.startswith(answer.opening) else ""
    rest = _fill(answer.text[len(opening) :].strip())
    if not opening:
        return [rest]
    if answer.partial:
        return [_fill(opening.strip()), textwrap.indent(rest, "    ")]
    return [opening, "", rest]


def _fill(text: str) -> str:
    return textwrap.fill(text, 100, break_long_words=False, break_on_hyphens=False)


def render_stats(stats: IndexStats) -> str:
    lines = [
        f"index      {stats.folder}  (format v{stats.format_version})",
        f"model      {stats.model}  ({stats.dimension} dims)",
        f"chunking   {stats.chunk_tokens} tokens, overlap {stats.overlap_sentences} sentence(s)",
        f"articles   {stats.articles}",
        f"chunks     {stats.chunks}",
        f"on disk    {stats.disk_bytes / 1e6:.1f} MB",
        f"built      {stats.built_at}   updated {stats.updated_at}",
    ]
    if stats.log:
        lines.append(f"log        {stats.log} change(s) since the last build (rag index compact folds them in)")
    for row in stats.rows[:50]:
        lines.append(
            f"  {shown(row.id)}  {row.chunks:>4} chunks  {row.published or '----------'}  {shown(row.title[:70])}"
        )
    if len(stats.rows) > 50:
        lines.append(f"  … and {len(stats.rows) - 50} more")
    return "\n".join(lines)


def render_sync(report: SyncReport) -> str:
    """``rag index sync``'s report: one line per added article and per feed, then the totals."""
    change = report.change
    lines = [f"added   {shown(a.id)}  {shown(a.title)}" for a in (change.added if change else ())]
    for url, reason in report.failures:
        lines.append(f"failed  {url}: {reason}")
    for feed in report.feeds:
        lines.append(
            f"feed    {feed.url}: {len(feed.articles)} read, {len(feed.already)} already indexed, "
            f"{len(feed.failures)} unreadable"
        )
        lines.extend(f"skipped {link}: {why}" for link, why in feed.failures)
    added, same = (len(change.added), len(change.skipped)) if change else (0, 0)
    feeds = len(report.feeds) + len(report.failures)
    lines.append(f"added {added} article(s) from {feeds} feed(s)" + (f"; {same} had known content" if same else ""))
    return "\n".join(lines)
