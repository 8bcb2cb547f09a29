"""Country and US-state names by list: what "Which country ...?" asks for, found in a sentence. Pure."""

from __future__ import annotations

import pytest

from rag.answer.places import COUNTRIES, US_STATES, asked_kind, names_of_kind, new_names_of_kind
from rag.answer.qtypes import question_type
from rag.answer.selection import SELECTION_NAMES, selection_features
from rag.answer.spans import answer_span
from tests.test_selection import _ranked


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Which country has offered to house deportees of any nationality?", "country"),
        ("What Southeast Asian nation became the first to recognize same-sex marriage?", "country"),
        ("Which US state was struck by 32 tornadoes?", "state"),
        ("Which state became the second to ban fluoride?", "state"),
        ("Which state media outlet reported the strike?", None),  # "state media" is not a state
        ("Which company pledged to invest $500 billion?", None),
        ("Who warned Russia?", None),
    ],
)
def test_the_asked_kind(question, kind):
    assert asked_kind(question) == kind


def test_names_are_whole_and_the_longest_wins():
    text = "Officials in New Mexico, Mexico and Papua New Guinea met in Georgia; the Sudanese envoy stayed."
    assert [s.text for s in names_of_kind(text, "country")] == ["Mexico", "Papua New Guinea", "Georgia"]
    assert [s.text for s in names_of_kind(text, "state")] == ["New Mexico", "Georgia"]
    for span in names_of_kind(text, "country") + names_of_kind(text, "state"):
        assert text[span.start : span.end] == span.text
    assert not names_of_kind("the Sudanese envoy and Chinatown", "country")


def test_names_the_question_already_uses_do_not_answer_it_under_any_of_their_forms():
    question = "Which country has offered to house violent US criminals?"
    text = "El Salvador and the United States (U.S.) signed the deal, America said."
    assert [s.text for s in new_names_of_kind(text, "country", question)] == ["El Salvador"]


def test_the_lists_hold_what_news_writes():
    assert {"United States", "U.S.", "Britain", "Turkey", "El Salvador", "Taiwan"} <= COUNTRIES
    assert len(US_STATES) == 50 and all(n == n.strip() and "  " not in n for n in COUNTRIES | US_STATES)


def test_a_country_question_leads_with_the_country_though_no_locative_word_precedes_it():
    question = "Which country has offered to house violent US criminals and deportees?"
    sentence = "A spokesperson said El Salvador and the United States have a vested interest in this."
    assert question_type(question) == "place"
    assert answer_span(sentence, question, "place").text == "El Salvador"


def test_the_selector_sees_which_sentences_name_the_asked_kind():
    question = "Which country has offered to house violent US criminals and deportees?"
    names, other = "The offer came from El Salvador on Monday.", "The United States welcomed the offer on Monday."
    ranked, hits = _ranked([names, other])
    rows = {
        s.candidate.text: dict(zip(SELECTION_NAMES, r))
        for s, r in zip(ranked, selection_features(question, ranked, hits))
    }
    assert rows[names]["q_listed_place"] == rows[other]["q_listed_place"] == 1.0
    assert rows[names]["names_asked_place"] == 1.0 and rows[other]["names_asked_place"] == 0.0
