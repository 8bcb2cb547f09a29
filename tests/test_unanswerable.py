"""bench.unanswerable's rewrites: each turns an answerable question into one its own article cannot answer."""

from __future__ import annotations

import pytest

from bench.unanswerable import antonym, negate

ARTICLE = "Luke Kuechly was the Panthers' tackle leader. The Broncos beat the Steelers in the divisional round."


@pytest.mark.parametrize(
    "question, negated",
    [
        ("Who was the Panthers' tackle leader?", "Who was not the Panthers' tackle leader?"),
        ("Which team did the Broncos beat?", "Which team did the Broncos not beat?"),
    ],
)
def test_negation_goes_before_what_is_asked(question, negated):
    assert negate(question, ARTICLE) == negated


def test_no_negation_when_the_article_says_what_did_not_happen():
    article = ARTICLE + " The Broncos did not beat the Patriots in the regular season."
    assert negate("Which team did the Broncos beat?", article) is None


def test_no_negation_of_a_question_already_negative_or_without_a_form_to_negate():
    assert negate("Who did not play?", ARTICLE) is None
    assert negate("How many points were scored?", ARTICLE) is None


def test_antonym_only_when_the_article_never_uses_it():
    assert antonym("Who was the largest team?", ARTICLE) == "Who was the smallest team?"
    assert antonym("Who was the largest team?", ARTICLE + " It was the smallest crowd.") is None
