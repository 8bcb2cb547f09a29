"""Pure rendering of an ``Answer`` for the chat: marked-up answer text (the panel is in ``sources``).

No Gradio, no I/O: every function takes values and returns a string, so the
escaping rules are unit-tested directly. All article and answer text passes
through ``html.escape`` (and Markdown's own punctuation is backslash-escaped
in chat messages) because article text is untrusted input: an article that
contains ``<script>`` must show those characters, never run them.
"""

from __future__ import annotations

import html
import re

from rag.answer.markers import split_markers
from rag.app.sources import CONTEXT_CHARS, anchor, highlighted_passage, sources_html  # noqa: F401 (re-exported)
from rag.types import Answer

# Markdown would turn these into emphasis, links or code inside a chat bubble.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~$-])")
_VERDICT_LABEL = {
    "weak": ("⚠", "weakly supported by the cited passage"),
    "unsupported": ("✖", "not supported by the cited passage"),
}
_ABSTAIN_NOTE = "No answer found"
# An absolute POSIX path (two parts or more) outside a URL: messages show only its last part.
_SERVER_PATH = re.compile(r"(?<![\w:/.~%-])/(?:[^\s/'\"<>]+/)+([^\s/'\"<>]+)")
_PARTIAL_NOTE = "Not answered: the articles cover the topic, not what was asked"


def escape_markdown(text: str) -> str:
    """HTML-escape ``text`` and neutralise Markdown punctuation so it shows literally."""
    # Markdown first: html.escape's entities ("&#x27;") contain '#', which must stay unescaped.
    return html.escape(_MD_SPECIAL.sub(r"\\\1", text), quote=True)


def _marker_links(numbers: list[int], turn: int) -> str:
    links = ", ".join(f'<a class="cite" href="#{anchor(turn, n)}" title="source {n}">{n}</a>' for n in numbers)
    return f' <sup class="cite">[{links}]</sup>'


def _sentence_spans(answer: Answer, stripped: str) -> list[tuple[int, int, str]]:
    """(start, end, verdict) of each checked sentence, located in the marker-free text."""
    spans: list[tuple[int, int, str]] = []
    cursor = 0
    for sentence in answer.sentences:
        at = stripped.find(sentence.text, cursor)
        if at < 0:  # the checker normalised the sentence; leave that stretch unmarked
            continue
        spans.append((at, at + len(sentence.text), sentence.verdict))
        cursor = at + len(sentence.text)
    return spans


def _lead_end(answer: Answer, stripped: str) -> int:
    """Where a full answer's opening sentence ("Wednesday" of "Wednesday. Jake Sullivan spoke … on Wednesday.")
    ends before its period; 0: the text opens with a quote. The chat shows it in bold on a line of its own,
    so the answer reads first."""
    opening = split_markers(answer.opening)[0] if answer.opening and not answer.partial else ""
    return len(opening) - 1 if opening.endswith(".") and stripped.startswith(opening + " ") else 0


def answer_markdown(answer: Answer, turn: int = 0) -> str:
    """The chat message for a final answer: the lead span first, linked [n] markers, weak/unsupported sentences marked."""
    if answer.abstained and not answer.partial:
        return abstention_markdown(answer)
    stripped, markers = split_markers(answer.text)
    flagged = [s for s in _sentence_spans(answer, stripped) if s[2] in _VERDICT_LABEL]
    lead = _lead_end(answer, stripped)
    if any(start <= lead < end - 1 for start, end, _ in flagged):
        lead = 0  # a highlight runs on past the lead's period: a paragraph break would split it
    quoted = _quote_start(answer, stripped)
    opens = {start: verdict for start, _, verdict in flagged}
    closes = {end for _, end, _ in flagged}
    links: dict[int, list[str]] = {}
    for position, numbers in markers:
        links.setdefault(position, []).append(_marker_links(numbers, turn))
    # Walk the cut points (sentence edges, marker positions) emitting each escaped piece once;
    # a marker at a flagged sentence's end goes inside its highlight, before the close.
    # The lead's own cuts: its words (bold), then the space after its period (a paragraph break).
    # A partial answer's quote starts a block quote: what the articles say, set apart from our note.
    cuts = sorted({0, len(stripped), quoted, *links, *opens, *closes, *((lead, lead + 1, lead + 2) if lead else ())})
    out: list[str] = []
    for a, b in zip(cuts, cuts[1:] + [len(stripped)]):
        if quoted and a == quoted:
            out.append("\n\n> ")
        out.extend(links.pop(a, []))
        if a in closes:
            out.append("</span>")
        if a in opens:
            icon, why = _VERDICT_LABEL[opens[a]]
            out.append(f'<span class="claim claim-{opens[a]}" title="{why}">{icon} ')
        if lead and a == 0:
            out.append(f'<strong class="lead">{escape_markdown(stripped[:lead])}</strong>')
        elif lead and a == lead + 1:
            out.append("\n\n")
        else:
            out.append(escape_markdown(stripped[a:b]))
    body = "".join(out) + _legend(answer)
    # The partial form quotes what the articles do say; it must not read as an answer.
    if answer.fallback:
        body = f'<span class="fallback">**Extractive answer** ({escape_markdown(answer.fallback)}).</span> {body}'
    return f'<span class="partial">**{_PARTIAL_NOTE}.**</span>\n\n{body}' if answer.partial else body


def _quote_start(answer: Answer, stripped: str) -> int:
    """Where a partial answer's quote begins, after our note ("They mention: "); 0 for a full answer."""
    note = answer.opening if answer.partial else ""
    return len(note) if note and stripped.startswith(note) and len(note) < len(stripped) else 0


def _legend(answer: Answer) -> str:
    verdicts = {s.verdict for s in answer.sentences}
    notes = [f"{_VERDICT_LABEL[v][0]} {_VERDICT_LABEL[v][1]}" for v in ("weak", "unsupported") if v in verdicts]
    return f'\n\n<span class="legend">{" · ".join(notes)}</span>' if notes else ""


def abstention_markdown(answer: Answer) -> str:
    lines = [f'<span class="abstain">**{_ABSTAIN_NOTE}.**</span> {escape_markdown(answer.text)}']
    if answer.related:
        lines.append("\n**Possibly related:**")
        for hit in answer.related:
            excerpt = hit.chunk.text if len(hit.chunk.text) <= 160 else hit.chunk.text[:157] + "…"
            lines.append(f"- *{escape_markdown(hit.title)}*: {escape_markdown(excerpt)}")
    return "\n".join(lines)


def plain_markdown(text: str) -> str:
    """Streaming text shown as-is (escaped) before the final, checked answer replaces it."""
    return escape_markdown(text)


def hide_paths(message: str) -> str:
    """``message`` with each absolute server path cut to its last part: the layout of the server is no one's business."""
    return _SERVER_PATH.sub(r"\1", message)


def error_markdown(message: str) -> str:
    return f'<span class="error">⚠ **Sorry:** {escape_markdown(hide_paths(message))}</span>'


def code(text: str) -> str:
    """Untrusted text (an article id) shown as code: escaped, never a Markdown code span it could close."""
    return f"<code>{escape_markdown(text)}</code>"
