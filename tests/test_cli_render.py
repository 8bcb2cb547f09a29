"""The terminal's answer layout (pure: hand-made ``Answer`` values, no index)."""

from __future__ import annotations

from rag.cli.render import render_answer
from rag.types import Answer, Citation

QUOTE = "U.S. National Security Advisor Jake Sullivan spoke with his Russian counterpart on Wednesday."
NOTE = "The articles don't say anything about Xi Jinping. They mention: "


def _citation() -> Citation:
    return Citation(
        number=1,
        article_id="a1",
        title="Kremlin Says Second Biden-Putin Meeting Is in the Works",
        url="",
        quote=QUOTE,
        start=556,
        end=556 + len(QUOTE),
        chunk_id="a1#0",
        passage=QUOTE,
    )


def _answer(**fields) -> Answer:
    return Answer(question="When did Sullivan speak with Patrushev?", citations=(_citation(),), **fields)


def test_a_full_answers_opening_stands_on_a_line_of_its_own():
    out = render_answer(
        _answer(text=f"Wednesday [1]. {QUOTE[:-1]} [1].", opening="Wednesday [1].", short_answer="Wednesday")
    )
    opening, blank, quote = out.splitlines()[:3]
    assert (opening, blank) == ("Wednesday [1].", "")
    assert quote.startswith("U.S. National Security Advisor")


def test_a_partial_answer_says_it_does_not_answer_then_indents_what_the_articles_say():
    out = render_answer(_answer(text=f"{NOTE}{QUOTE[:-1]} [1].", opening=NOTE, abstained=True, partial=True))
    heading, note, quote = out.splitlines()[:3]
    assert heading.startswith("NOT ANSWERED")
    assert note == NOTE.strip()
    assert quote.startswith("    U.S. National Security Advisor")


def test_text_without_an_opening_of_ours_is_shown_whole_and_wrapped():
    text = f"Wednesday [1]. {QUOTE[:-1]} [1]. " * 3  # as a model might write it: nothing to set apart
    out = render_answer(_answer(text=text.strip()))
    body = out.split("\n\nSources:")[0]
    assert " ".join(body.split()) == text.strip() and "\n\n" not in body
    assert max(map(len, body.splitlines())) <= 100


def test_an_opening_the_text_does_not_start_with_is_not_cut_out():
    text = f"{QUOTE[:-1]} [1]."
    out = render_answer(_answer(text=text, opening="Thursday [1]."))
    assert out.startswith("U.S. National Security Advisor") and "Thursday" not in out
