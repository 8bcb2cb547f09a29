"""bench.unanswerable's rewrites: each turns an answerable question into one its own article cannot answer."""

from __future__ import annotations

import random

import pytest

from bench.unanswerable import VERBS, antonym, negate, predicate

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


def test_a_predicate_swap_keeps_the_form_and_avoids_the_articles_verbs():
    article = "Luke Kuechly warned the Broncos. The Panthers praised him and signed him in 2012."
    for seed in range(20):
        swapped = predicate("Who warned the Broncos?", article, random.Random(seed))
        assert swapped and swapped.startswith("Who ") and swapped.endswith(" the Broncos?")
        verb = swapped.split()[1]
        assert any(verb == forms[2] for forms in VERBS)  # a past tense for a past tense
        assert verb not in ("warned", "praised", "signed")
    # "was criticized" takes a participle: "was written", never "was wrote".
    swapped = {predicate("Which player was criticized?", "", random.Random(s)) for s in range(200)}
    assert "Which player was written?" in swapped and "Which player was wrote?" not in swapped


def test_no_predicate_swap_without_a_listed_verb():
    assert predicate("Who is Jake Sullivan's counterpart?", "", random.Random(0)) is None
    assert predicate("Who pondered the question?", "", random.Random(0)) is None
