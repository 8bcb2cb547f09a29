"""Numbers as a text writes them: Roman numerals by value, in the contexts that make them numbers."""

from __future__ import annotations

import pytest

from rag.answer.numerals import figures, is_numeral, number_keys, numeral_values, value
from rag.answer.terms import holds, question_terms, text_keys


@pytest.mark.parametrize(
    ("numeral", "expected"), [("I", 1), ("IV", 4), ("VIII", 8), ("IX", 9), ("XIV", 14), ("XXXIX", 39)]
)
def test_a_numeral_is_read_by_value(numeral, expected):
    assert value(numeral) == expected


def test_one_letter_numerals_are_numbers_only_after_a_word_that_takes_one():
    assert numeral_values("It was listed grade I in 1954, after World War I.") == [1, 1]
    assert numeral_values("Then I said that X, formerly Twitter, and V8 engines") == []
    assert numeral_values("the megaphase I") == [] and numeral_values("its superseries, X") == []
    assert numeral_values("Elizabeth II and Title IX") == [2, 9]  # two letters or more: a number anywhere


def test_what_is_not_a_numeral_up_to_39_is_not_read():
    assert numeral_values("Super Bowl XLIX, a CD, IIII") == []  # past 39, an acronym, not a numeral
    assert not is_numeral("I") and not is_numeral("IIII") and is_numeral("XII")


def test_number_keys_hold_figures_and_numerals_by_their_digits():
    assert number_keys("5,000 troops in Phase II") == ["5000", "2"]
    assert figures("the 15th of 5,000 in the 80s") == ["5,000"]


@pytest.mark.parametrize(
    ("question", "passage"),
    [
        ("Who listed the Grainger Market as grade 1 in 1954?", "It was listed grade I in 1954 by English Heritage."),
        ("Who fought in World War II?", "Soldiers of World War 2 marched."),
    ],
)
def test_a_number_is_found_in_either_form(question, passage):
    keys = text_keys(passage)
    numbers = [t for t in question_terms(question) if t.specific and t.stem.isdigit()]
    assert numbers and all(holds(keys, t) for t in numbers)


def test_the_pronoun_i_is_no_figure():
    assert "1" not in text_keys("I think the grades were fair.")
