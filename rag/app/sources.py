"""Pure HTML for the sources panel: each citation's article, metadata and highlighted passage.

Article titles, passages and quotes are untrusted text, so every one goes
through ``html.escape``; links are only ever http(s) URLs. Anchors are
``src-<turn>-<n>`` so the ``[n]`` links in each chat answer jump to the
matching entry. Retrieval scores sit in a closed ``<details>`` toggle: useful
for judging a bad answer, noise otherwise.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

from rag.types import Answer, Article, Citation, Hit

CONTEXT_CHARS = 240  # passage text shown either side of a highlighted quote


def anchor(turn: int, number: int) -> str:
    """The element id of source ``number`` for the ``turn``-th answer (ids stay unique per turn)."""
    return f"src-{turn}-{number}"


def sources_html(answer: Answer | None, articles: Mapping[str, Article], turn: int = 0) -> str:
    """The sources panel: one entry per citation (or 'possibly related' passages), then scores."""
    if answer is None:
        return '<div class="sources empty">Sources for the latest answer appear here.</div>'
    parts = ['<div class="sources">']
    if answer.citations:
        parts.append('<h3>Sources</h3><ol class="source-list">')
        parts.extend(_citation_entry(c, articles.get(c.article_id), turn) for c in answer.citations)
        parts.append("</ol>")
    elif answer.abstained and answer.related:
        parts.append('<h3>Possibly related</h3><ul class="source-list related">')
        parts.extend(_related_entry(h) for h in answer.related)
        parts.append("</ul>")
    else:
        parts.append("<p>No sources.</p>")
    if answer.hits:
        parts.append(_scores_table(answer.hits))
    parts.append("</div>")
    return "".join(parts)


def _title_html(title: str, url: str | None) -> str:
    text = html.escape(title)
    if url and url.startswith(("http://", "https://")):  # never a javascript: link from article data
        return f'<a href="{html.escape(url, quote=True)}" target="_blank" rel="noopener noreferrer">{text}</a>'
    return text


def _meta_html(article: Article | None, location: str = "") -> str:
    bits = [location] if location else []
    if article is not None:
        bits += [", ".join(article.authors)] if article.authors else []
        bits += [article.published] if article.published else []
    return f' <span class="meta">{html.escape(" · ".join(bits))}</span>' if bits else ""


def highlighted_passage(citation: Citation) -> str:
    """The passage, escaped, with the supporting quote wrapped in ``<mark>``."""
    passage, quote = citation.passage or citation.quote, citation.quote
    at = citation.start - citation.passage_start
    if not (0 <= at and passage[at : at + len(quote)] == quote):
        at = passage.find(quote)  # offsets from an older index: fall back to a search
    if at < 0 or not quote:
        return f"{html.escape(passage)}<br><mark>{html.escape(quote)}</mark>"
    before, after = _trim_start(passage[:at]), _trim_end(passage[at + len(quote) :])
    return f"{html.escape(before)}<mark>{html.escape(quote)}</mark>{html.escape(after)}"


def _trim_start(text: str) -> str:
    """Keep about CONTEXT_CHARS before the quote, cut at a word boundary, so the quote is in view."""
    if len(text) <= CONTEXT_CHARS:
        return text
    cut = text[-CONTEXT_CHARS:]
    return "…" + cut[cut.find(" ") + 1 :] if " " in cut else "…" + cut


def _trim_end(text: str) -> str:
    if len(text) <= CONTEXT_CHARS:
        return text
    cut = text[:CONTEXT_CHARS]
    return (cut[: cut.rfind(" ")] if " " in cut else cut) + "…"


def _citation_entry(citation: Citation, article: Article | None, turn: int) -> str:
    url = citation.url or (article.url if article else None)
    return (
        f'<li class="source" id="{anchor(turn, citation.number)}" value="{citation.number}">'
        f'<div class="source-title">{_title_html(citation.title, url)}{_meta_html(article, citation.location)}</div>'
        f'<blockquote class="passage">{highlighted_passage(citation)}</blockquote></li>'
    )


def _related_entry(hit: Hit) -> str:
    return (
        f'<li class="source related"><div class="source-title">{_title_html(hit.title, hit.url)}</div>'
        f'<blockquote class="passage">{html.escape(hit.chunk.text)}</blockquote></li>'
    )


def _number(value: float | int | None, digits: int = 4) -> str:
    if value is None:
        return "–"
    return str(value) if isinstance(value, int) else f"{value:.{digits}f}"


def _scores_table(hits: tuple[Hit, ...]) -> str:
    rows = "".join(
        f"<tr><td>{h.rank}</td><td>{html.escape(h.title)}</td><td>{_number(h.score)}</td>"
        f"<td>{_number(h.dense_rank)}</td><td>{_number(h.dense_score)}</td>"
        f"<td>{_number(h.bm25_rank)}</td><td>{_number(h.bm25_score, 2)}</td></tr>"
        for h in hits
    )
    return (
        '<details class="scores"><summary>Retrieval scores</summary><table>'
        "<tr><th>#</th><th>article</th><th>fused</th><th>dense rank</th><th>dense</th>"
        f"<th>BM25 rank</th><th>BM25</th></tr>{rows}</table></details>"
    )
