"""A question restated as a clause for the partial answer, or None when that would need reordering its words."""

from __future__ import annotations

import pytest

from rag.answer.indirect import indirect


@pytest.mark.parametrize(
    ("question", "clause"),
    [
        ("Who warned Russia?", "who warned Russia"),
        (
            "Which European leader called Putin about the troop buildup?",
            "which European leader called Putin about the troop buildup",
        ),
        (
            "How many people were killed in the 2014 annexation of Crimea?",
            "how many people were killed in the 2014 annexation of Crimea",
        ),
        ("Who will lead the Russian delegation?", "who will lead the Russian delegation"),
        ("Which company has agreed to settle the claims?", "which company has agreed to settle the claims"),
        ("Who is NATO's secretary general?", "who is NATO's secretary general"),
        ("What is the U.S. position on Ukraine?", "what is the U.S. position on Ukraine"),
        ("Who wrote “The Oregon District?”", "who wrote “The Oregon District”"),
        ("  Who   is leading the talks ?  ", "who is leading the talks"),
    ],
)
def test_a_question_whose_words_are_in_a_statements_order_is_restated(question, clause):
    assert indirect(question) == clause


@pytest.mark.parametrize(
    "question",
    [
        "What did Xi Jinping say about the summit?",  # the subject sits between "did" and the verb
        "How many troops did Russia move to the Belarus border?",
        "How many tanks has Russia deployed near Ukraine?",
        "When will the virtual Biden-Putin meeting take place?",  # "when" is never the subject
        "How will the United States respond?",
        "What is Xi Jinping doing?",  # "what Xi Jinping is doing"
        "Who is the leader chosen by the party?",
        "Who are they?",
        "How many are there?",
        "Whose idea was the summit?",
        "Which country is Moscow the capital of?",
        "Which of the following is the smallest coral reef?",  # the choices are not shown
        "Elon Musk's X went down this week. Which company owns it?",  # a quiz's preamble
        "The UK opened its first drugs consumption room in which city?",
        "Who?",
        "Whose English translation of the Bible did the Luther Bible influence?",  # a long phrase, then "did"
    ],
)
def test_a_question_that_would_need_reordering_is_left_to_the_general_wording(question):
    assert indirect(question) is None
