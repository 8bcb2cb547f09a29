"""Unit tests of the app's pure parts: answer/sources rendering and upload validation."""

from __future__ import annotations

from dataclasses import replace

import pytest

from rag.app import render, uploads
from rag.errors import InputError
from rag.types import Answer, Article, Chunk, Citation, Hit, SentenceSupport

PASSAGE = "Intro sentence. CIA director William Burns traveled to Moscow. <script>alert(1)</script> End."
QUOTE = "CIA director William Burns traveled to Moscow."


def _article(**changes) -> Article:
    fields = dict(
        id="a1",
        title="Kremlin <b>Talks</b>",
        text=PASSAGE,
        content_hash="h",
        url="https://example.com/k",
        published="2021-11-19",
        authors=("Amy Mackinnon",),
        source="k.txt",
    )
    return Article(**{**fields, **changes})


def _citation(number: int = 1, passage: str = PASSAGE, quote: str = QUOTE) -> Citation:
    start = passage.index(quote)
    return Citation(
        number=number,
        article_id="a1",
        title="Kremlin <b>Talks</b>",
        quote=quote,
        start=100 + start,
        end=100 + start + len(quote),
        chunk_id="a1:0000",
        url="https://example.com/k",
        passage=passage,
        passage_start=100,
    )


def _hit(text: str = PASSAGE, title: str = "Kremlin <b>Talks</b>") -> Hit:
    chunk = Chunk(id="a1:0000", article_id="a1", index=0, start=100, end=100 + len(text), text=text)
    return Hit(
        chunk=chunk, title=title, score=0.0325, rank=1, dense_score=0.61, dense_rank=1, bm25_score=1.26, bm25_rank=2
    )


def _answer(verdicts=("supported", "supported"), **changes) -> Answer:
    text = "William Burns warned Russia [1]. He traveled to Moscow [1]."
    sentences = (
        SentenceSupport("William Burns warned Russia.", (1,), verdicts[0], 0.9),
        SentenceSupport("He traveled to Moscow.", (1,), verdicts[1], 0.8),
    )
    fields = dict(
        question="Who warned Russia?", text=text, citations=(_citation(),), sentences=sentences, hits=(_hit(),)
    )
    return Answer(**{**fields, **changes})


# -- answer text -------------------------------------------------------------------------------


def test_markers_become_links_to_their_source_entries():
    html = render.answer_markdown(_answer(), turn=3)
    assert html.count('href="#src-3-1"') == 2
    assert ">1</a>]" in html and "[1]" not in html.replace(
        '[<a class="cite" href="#src-3-1" title="source 1">1</a>]', ""
    )
    sources = render.sources_html(_answer(), {"a1": _article()}, turn=3)
    assert 'id="src-3-1"' in sources


def test_supported_sentences_are_not_flagged():
    html = render.answer_markdown(_answer())
    assert "claim-weak" not in html and "claim-unsupported" not in html and "⚠" not in html


def test_weak_sentence_is_visibly_marked_with_its_marker_inside():
    html = render.answer_markdown(_answer(("supported", "weak")))
    assert '<span class="claim claim-weak"' in html and "⚠" in html
    weak = html.split('claim-weak"', 1)[1].split("</span>", 1)[0]
    assert "He traveled to Moscow" in weak and "#src-0-1" in weak
    assert "William Burns" not in weak
    assert "weakly supported" in html  # the legend explains the mark


def test_unsupported_sentence_is_marked_differently_from_weak():
    html = render.answer_markdown(_answer(("unsupported", "weak")))
    assert '<span class="claim claim-unsupported"' in html and "✖" in html
    assert '<span class="claim claim-weak"' in html
    unsupported = html.split('claim-unsupported"', 1)[1].split("</span>", 1)[0]
    assert "William Burns warned Russia" in unsupported


def test_answer_text_is_escaped_for_markdown_and_html():
    answer = _answer(text="Use <script>alert(1)</script> *now* [1].", sentences=())
    html = render.answer_markdown(answer)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "\\*now\\*" in html


def _led(verdict: str = "supported") -> Answer:
    """An answer as ``rag.answer.compose`` writes one whose quote does not open with its short answer."""
    quote = "U.S. National Security Advisor Jake Sullivan spoke with Patrushev on Wednesday."
    return _answer(
        question="When did Sullivan speak with Patrushev?",
        text=f"Wednesday [1]. {quote[:-1]} [1].",
        short_answer="Wednesday",
        opening="Wednesday [1].",
        sentences=(SentenceSupport("Wednesday.", (1,), verdict, 0.9), SentenceSupport(quote, (1,), "supported", 0.9)),
    )


def test_the_lead_span_is_bold_and_on_a_line_of_its_own():
    md = render.answer_markdown(_led(), turn=1)
    lead, rest = md.split("\n\n")
    assert (
        lead
        == '<strong class="lead">Wednesday</strong> <sup class="cite">[<a class="cite" href="#src-1-1" title="source 1">1</a>]</sup>.'
    )
    assert rest.startswith("U.S. National Security Advisor") and 'href="#src-1-1"' in rest


def test_a_flagged_lead_keeps_its_highlight_closed_before_the_break():
    md = render.answer_markdown(_led("weak"))
    lead, rest = md.split("\n\n", 1)
    assert lead.startswith('<span class="claim claim-weak"') and lead.endswith("</span>")
    assert "claim-weak" not in rest.split('<span class="legend">')[0]


def test_no_lead_line_when_the_quote_opens_with_the_answer_or_the_answer_is_partial():
    assert "\n\n" not in render.answer_markdown(_answer(short_answer="William Burns")).split('<span class="legend">')[0]
    partial = replace(_led(), abstained=True, partial=True)
    assert '<strong class="lead">' not in render.answer_markdown(partial)


def test_only_the_answers_own_opening_is_set_apart():
    # A model's answer that happens to start with the short answer's words has no opening of ours.
    assert '<strong class="lead">' not in render.answer_markdown(replace(_led(), opening=""))
    # An opening the text no longer starts with (edited after composing) is not cut out of it.
    assert '<strong class="lead">' not in render.answer_markdown(replace(_led(), opening="Thursday [1]."))


def test_abstention_shows_possibly_related_passages():
    answer = Answer(
        question="Who won the World Cup?",
        text="The indexed articles don't contain an answer.",
        abstained=True,
        related=(_hit(),),
        hits=(_hit(),),
    )
    md = render.abstention_markdown(answer)
    assert render.answer_markdown(answer) == md
    assert "No answer found" in md and "Possibly related" in md and "Kremlin" in md
    assert "<script>" not in md and "<b>" not in md
    panel = render.sources_html(answer, {})
    assert "Possibly related" in panel and "&lt;script&gt;" in panel and "<script>" not in panel


def test_partial_answer_is_marked_as_not_answered_yet_keeps_its_linked_sources():
    note = "The articles don't say anything about Xi Jinping. They mention: "
    answer = _answer(
        text=note + "William Burns warned Russia [1].",
        opening=note,
        sentences=(SentenceSupport("William Burns warned Russia.", (1,), "supported", 0.9),),
        abstained=True,
        partial=True,
        abstain_reason="the articles never mention Xi Jinping",
    )
    md = render.answer_markdown(answer, turn=2)
    assert md.startswith('<span class="partial">**Not answered') and "No answer found" not in md
    assert 'href="#src-2-1"' in md and "Xi Jinping" in md
    assert 'id="src-2-1"' in render.sources_html(answer, {"a1": _article()}, turn=2)


def test_a_partial_answer_sets_what_the_articles_say_apart_as_a_quote():
    note = "The articles don't say anything about Xi Jinping. They mention: "
    answer = _answer(
        text=f"{note}{QUOTE[:-1]} [1].",
        opening=note,
        sentences=(SentenceSupport(QUOTE, (1,), "weak", 0.5),),
        abstained=True,
        partial=True,
    )
    heading, note, quote = render.answer_markdown(answer).split("\n\n")[:3]
    assert heading.startswith('<span class="partial">**Not answered') and heading.endswith("</span>")
    assert note == "The articles don&#x27;t say anything about Xi Jinping. They mention: "
    assert quote.startswith('> <span class="claim claim-weak"') and "CIA director William Burns" in quote
    assert 'href="#src-0-1"' in quote


def test_llm_fallback_says_the_extractive_answer_is_shown_and_why():
    md = render.answer_markdown(_answer(fallback="3 of 3 sentences of the model's answer failed the support check"))
    assert '<span class="fallback">**Extractive answer**' in md and "failed the support check" in md


# -- sources panel ------------------------------------------------------------------------------


def test_sources_panel_highlights_the_quote_and_escapes_article_text():
    panel = render.sources_html(_answer(), {"a1": _article()})
    assert f"<mark>{QUOTE}</mark>" in panel
    assert "<script>" not in panel and "&lt;script&gt;alert(1)&lt;/script&gt;" in panel
    assert "<b>" not in panel and "Kremlin &lt;b&gt;Talks&lt;/b&gt;" in panel


def test_sources_panel_shows_link_author_and_date():
    panel = render.sources_html(_answer(), {"a1": _article()})
    assert 'href="https://example.com/k"' in panel and 'rel="noopener noreferrer"' in panel
    assert "Amy Mackinnon" in panel and "2021-11-19" in panel


def test_sources_panel_never_links_a_javascript_url():
    citation = _citation()
    answer = _answer(citations=(Citation(**{**citation.__dict__, "url": "javascript:alert(1)"}),))
    panel = render.sources_html(answer, {"a1": _article(url="javascript:alert(1)")})
    assert "javascript:" not in panel


def test_retrieval_scores_sit_in_a_collapsible_toggle():
    panel = render.sources_html(_answer(), {"a1": _article()})
    scores = panel.split('<details class="scores">', 1)[1]
    assert "<summary>Retrieval scores</summary>" in scores
    assert "0.0325" in scores and "0.6100" in scores and "1.26" in scores


def test_highlight_falls_back_to_search_when_offsets_are_stale():
    stale = Citation(**{**_citation().__dict__, "start": 0, "end": 5})
    assert f"<mark>{QUOTE}</mark>" in render.highlighted_passage(stale)


def test_empty_panel_before_any_answer():
    assert "appear here" in render.sources_html(None, {})


# -- uploads ------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["../../x.txt", "..\\..\\x.txt", "/etc/passwd.txt", "a/b.txt", ".."])
def test_path_like_names_are_refused(raw):
    with pytest.raises(InputError, match="looks like a path"):
        uploads.check_name(raw)


def test_sanitize_name_keeps_the_basename_only():
    assert uploads.sanitize_name("../../x.txt") == "x.txt"
    assert uploads.sanitize_name("..\\evil..md") == "evil.md"
    assert uploads.sanitize_name("ok\x00name.txt") == "okname.txt"
    assert uploads.sanitize_name("\x1b[31mred\x1b[0m.txt") == "red.txt"  # escapes go whole, no "[31m" left
    with pytest.raises(InputError, match="empty"):
        uploads.sanitize_name("../..")
    with pytest.raises(InputError, match="empty"):
        uploads.sanitize_name("   ")


@pytest.mark.parametrize("name", ["a.txt", "B.MD", "page.html", "page.htm", "batch.jsonl", "report.pdf", "memo.DOCX"])
def test_allowed_extensions(name):
    assert uploads.check_name(name) == name


@pytest.mark.parametrize("name", ["photo.png", "report.odt", "noextension", "archive.tar.gz"])
def test_other_extensions_are_refused(name):
    with pytest.raises(InputError, match="not supported"):
        uploads.check_name(name)


def test_size_limit():
    uploads.check_size("a.txt", 100, 100)
    with pytest.raises(InputError, match="upload limit is 100 bytes"):
        uploads.check_size("a.txt", 101, 100)
    with pytest.raises(InputError, match="empty"):
        uploads.check_size("a.txt", 0, 100)


def test_binary_content_is_refused():
    with pytest.raises(InputError, match="binary file"):
        uploads.check_text("x.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    uploads.check_text("x.txt", b"caf\xe9 and more text here")  # other encodings are detected on reading
    uploads.check_text("x.txt", "UTF-16 text".encode("utf-16"))  # NUL bytes, but a byte-order mark
    uploads.check_text("x.txt", "Café ☕".encode())


def test_store_upload_copies_into_the_private_folder(tmp_path):
    source = tmp_path / "tmp-upload"
    source.write_text("Title\nStandfirst.\nBody text.", encoding="utf-8")
    stored = uploads.store_upload(source, "harbour.txt", tmp_path / "index", 1000)
    assert stored.path.parent == (tmp_path / "index" / "uploads").resolve()
    assert stored.path.name.endswith("-harbour.txt") and stored.path.read_bytes() == source.read_bytes()
    with pytest.raises(InputError, match="looks like a path"):
        uploads.store_upload(source, "../../x.txt", tmp_path / "index", 1000)
    with pytest.raises(InputError, match="upload limit"):
        uploads.store_upload(source, "big.txt", tmp_path / "index", 10)
    assert not (tmp_path / "x.txt").exists()


def test_long_passages_are_trimmed_around_the_quote():
    passage = "word " * 200 + QUOTE + " tail" * 200
    html = render.highlighted_passage(_citation(passage=passage))
    assert f"<mark>{QUOTE}</mark>" in html
    assert html.startswith("…") and html.endswith("…") and len(html) < 2 * render.CONTEXT_CHARS + 200


# -- server edge ---------------------------------------------------------------------------------


def test_exposed_host_without_auth_warns(capsys):
    from rag.app.server import is_loopback, warn_if_exposed
    from rag.settings import Settings

    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("example.com")
    assert not warn_if_exposed(Settings(host="127.0.0.1"))
    assert not warn_if_exposed(Settings(host="0.0.0.0", auth=("u", "p")))
    assert warn_if_exposed(Settings(host="0.0.0.0"))
    assert "WITHOUT a password" in capsys.readouterr().err


# -- chat handler (no model: the answer stream is faked) ----------------------------------------


class _Holder:
    filters = None

    class index:  # noqa: N801 - stands in for an Index instance
        articles = {"a1": _article()}


def _run_handler(monkeypatch, stream, question="Who warned Russia?", history=None, turns=None, dates=("", "")):
    from rag.app import chat
    from rag.settings import Settings

    def fake_stream_ask(q, h, *, settings, index, filters):
        _Holder.filters = filters
        return stream(index, q, h, settings)

    monkeypatch.setattr(chat, "stream_ask", fake_stream_ask)
    monkeypatch.setattr(chat, "STREAM_PAUSE", 0)
    handler = chat.make_handler(Settings(), load=lambda _: _Holder.index)
    # Snapshot each update as it is yielded: the handler reuses its message dicts, as Gradio allows.
    return [
        (q, [dict(m) for m in h], src, list(t))
        for q, h, src, t, _ in handler(question, history or [], turns or [], [], dates)
    ]


def test_the_chat_date_range_restricts_the_answer_and_says_so(monkeypatch):
    from rag.filters import Filters

    def stream(index, question, history, settings):
        yield _answer()

    updates = _run_handler(monkeypatch, stream, dates=(" 2025-01-01 ", ""))
    assert _Holder.filters == Filters(date_from="2025-01-01")
    assert "Only articles published from 2025-01-01." in updates[-1][1][-1]["content"]
    updates = _run_handler(monkeypatch, stream, dates=("2025-01-01", "2025-03-31"))
    assert "Only articles published from 2025-01-01 to 2025-03-31." in updates[-1][1][-1]["content"]
    updates = _run_handler(monkeypatch, stream)
    assert _Holder.filters is None and "Only articles" not in updates[-1][1][-1]["content"]


def test_a_bad_date_in_the_chat_is_a_message_not_a_crash(monkeypatch):
    def stream(index, question, history, settings):
        yield _answer()

    for dates, message in ((("June 2025", ""), "must be an ISO date"), (("2025-02-01", "2025-01-01"), "is after")):
        updates = _run_handler(monkeypatch, stream, dates=dates)
        assert message in updates[-1][1][-1]["content"]


def test_handler_streams_partials_then_renders_the_final_answer(monkeypatch):
    seen_history = []

    def stream(index, question, history, settings):
        seen_history.append(list(history))
        yield Answer(question=question, text="William")
        yield _answer()

    from rag.types import Turn

    earlier = [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]
    updates = _run_handler(monkeypatch, stream, history=earlier, turns=[Turn("q", "a [1].")])
    assert seen_history == [[Turn("q", "a [1].")]]
    assert [u[1][-1]["content"] for u in updates][1] == "William"  # the partial, shown as-is
    _, history, sources, turns = updates[-1]
    assert 'href="#src-1-1"' in history[-1]["content"] and 'id="src-1-1"' in sources
    assert turns[-1] == Turn("Who warned Russia?", _answer().text)


def test_handler_shows_library_errors_in_the_chat(monkeypatch):
    def stream(index, question, history, settings):
        raise InputError("the question is empty; type a question about the indexed articles")
        yield  # pragma: no cover

    updates = _run_handler(monkeypatch, stream, question="")
    assert "question is empty" in updates[-1][1][-1]["content"]
    assert "(empty question)" in updates[-1][1][-2]["content"]


def test_handler_survives_unexpected_errors(monkeypatch):
    def stream(index, question, history, settings):
        raise ValueError("boom")
        yield  # pragma: no cover

    updates = _run_handler(monkeypatch, stream)
    assert "something went wrong" in updates[-1][1][-1]["content"]


def test_empty_history_starts_a_new_conversation(monkeypatch):
    from rag.types import Turn

    seen = []

    def stream(index, question, history, settings):
        seen.append(list(history))
        yield _answer()

    _run_handler(monkeypatch, stream, history=[], turns=[Turn("old", "old answer")])
    assert seen == [[]]
