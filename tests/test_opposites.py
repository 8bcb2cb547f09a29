"""Opposite words: the passage uses the opposite of a question word and never the word itself."""

import pytest

from rag.answer.opposites import OPPOSITES, asks_opposite, negation_unmet, opposite_rank
from rag.answer.text import stem


def test_opposites_are_symmetric():
    assert all(a in OPPOSITES[b] for a, others in OPPOSITES.items() for b in others)


def test_a_passage_using_only_the_opposite_is_flagged():
    assert asks_opposite("Which is the smallest state?", "Alaska is the largest state.") == 1.0


def test_a_passage_using_the_word_itself_is_not():
    assert (
        asks_opposite("Which is the largest state?", "Alaska is the largest state, Rhode Island the smallest.") == 0.0
    )


def test_hyphenated_words_count_as_their_parts():
    passage = "At the time, Iran was the world's second-largest oil exporter."
    assert asks_opposite("Who was the world's second smallest oil producer?", passage) == 1.0
    assert asks_opposite("Who was the world's second largest oil exporter?", passage) == 0.0


def test_plain_graded_words_have_opposites_too():
    assert asks_opposite("Where did the fire spread slowly?", "The fire spread quickly in the cabin.") == 1.0
    assert asks_opposite("What powers small stations?", "Turbines power large stations.") == 1.0


def test_losing_is_the_opposite_of_every_form_of_winning():
    passage = "Six-time Grammy winner Lady Gaga performed the national anthem."
    assert asks_opposite("How many Grammys has Lady Gaga lost?", passage) == 1.0
    assert (
        asks_opposite("Which Super Bowl did Elway lose?", "Elway led the Broncos to victory in Super Bowl XXXIII.")
        == 1.0
    )
    assert asks_opposite("How many Grammys has Lady Gaga won?", passage) == 0.0


def test_before_is_not_answered_by_what_followed():
    passage = "Following the Peterloo massacre of 1819, Percy Shelley wrote The Mask of Anarchy."
    assert asks_opposite("Before the Peterloo massacre, what did Shelley write?", passage) == 1.0
    assert asks_opposite("After the Peterloo massacre, what did Shelley write?", passage) == 0.0


def test_the_word_after_how_measures_and_contrasts_nothing():
    assert asks_opposite("How long was the delay?", "There was a short delay of five minutes.") == 0.0
    assert asks_opposite("What was the long delay?", "There was a short delay of five minutes.") == 1.0


def test_a_question_naming_both_opposites_asks_which_one_holds():
    assert asks_opposite("Is the focus on mentorship high or low?", "The focus on mentorship is high.") == 0.0
    assert asks_opposite("Is the focus on mentorship low?", "The focus on mentorship is high.") == 1.0


def test_a_word_the_passage_only_negates_with_non_is_flagged():
    assert asks_opposite("Which Marxist writers led the debate?", "Non-Marxist writers led the debate.") == 1.0
    assert asks_opposite("Which Marxist writers led it?", "Marxist and non-Marxist writers led it.") == 0.0


def test_words_without_an_opposite_never_flag():
    assert asks_opposite("Who warned Russia?", "Burns warned Russia.") == 0.0
    assert stem("largest") in OPPOSITES


def test_a_negative_question_needs_a_sentence_that_negates_something():
    assert negation_unmet("Who was not the tackle leader?", "Kuechly was the tackle leader.") == 1.0
    assert negation_unmet("Which team did not make the playoffs?", "The Jets did not make the playoffs.") == 0.0
    assert negation_unmet("Who can't vote?", "Prisoners cannot vote in most states.") == 0.0
    assert negation_unmet("Who never lost?", "No team went unbeaten.") == 0.0
    assert negation_unmet("Who was the tackle leader?", "Kuechly was the tackle leader.") == 0.0


@pytest.mark.parametrize(
    ("question", "sentence", "ends"),
    [
        (
            "Who registered the least sacks on the team?",
            "Kawann Short led the team in sacks with 11.",
            ("least", "led"),
        ),
        (
            "What is the smallest annual event in fashion?",
            "The Met Gala is the most prestigious fashion event.",
            ("smallest", "most"),
        ),
        (
            "Which player had the most interceptions?",
            "Norman had the fewest interceptions of the starters.",
            ("most", "fewest"),
        ),
    ],
)
def test_a_question_asking_one_end_of_a_ranking_met_by_the_other_end(question, sentence, ends):
    assert opposite_rank(question, sentence) == ends


@pytest.mark.parametrize(
    ("question", "sentence"),
    [
        ("Who had the least sacks?", "Short had the least sacks, Allen led the team."),  # the asked end is there
        ("What was the biggest outbreak?", "At least 58 cases were reported."),  # "at least" ranks nothing
        ("Who led the attack?", "The smallest force was led by Ribault."),  # "led" asks for no rank
        ("Which park is the largest or the smallest?", "The most visited park is Yosemite."),  # both ends asked
    ],
)
def test_no_ranking_conflict(question, sentence):
    assert opposite_rank(question, sentence) is None
