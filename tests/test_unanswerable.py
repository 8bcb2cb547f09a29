"""bench.unanswerable's rewrites: each turns an answerable question into one its own article cannot answer."""

from __future__ import annotations

import random

import pytest

from bench.unanswerable import VERBS, antonym, inside, negate, predicate

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


KHAN = (
    "Temüjin married Börte when he was 16. Soon after, she was kidnapped by the Merkits. "
    "In 1186, Temüjin was elected khan of the Mongols. In 1187, Jamukha launched an attack against him."
)


def test_an_inside_swap_takes_a_name_the_article_holds_outside_the_sentences_that_answer():
    swapped = {
        inside("Who was elected khan of the Mongols in 1186?", KHAN, ["Temüjin"], random.Random(s)) for s in range(30)
    }
    assert "Who was elected khan of the Merkits in 1186?" in swapped
    assert "Who was elected khan of the Mongols in 1187?" in swapped  # a year the article holds elsewhere
    for question in swapped:
        # Never a name of the answering sentence, nor one the article does not hold.
        assert "Temüjin" not in question and "Börte" not in question
        assert all(w in KHAN for w in question.rstrip("?").split()[1:] if w[:1].isupper() or w.isdigit())


def test_no_inside_swap_that_another_sentence_may_answer_or_without_an_answering_sentence():
    both = "Temüjin was elected khan of the Mongols. Temüjin was also elected khan of the Merkits."
    assert inside("Who was elected khan of the Mongols?", both, ["Temüjin"], random.Random(0)) is None
    assert inside("Who was elected khan of the Mongols?", KHAN, ["Genghis"], random.Random(0)) is None
