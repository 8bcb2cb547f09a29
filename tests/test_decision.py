"""The answerability decision's rules that need no model: a sentence saying the detail is not known."""

from __future__ import annotations

import pytest

from rag.answer.decision import says_not_known


@pytest.mark.parametrize(
    "sentence, question",
    [
        ("No meeting date has been set, he said.", "When will the meeting take place?"),
        ("No decision has yet been made on the route.", "Which route will the pipeline take?"),
        ("The company did not say how many jobs would go.", "How many jobs will Ford cut?"),
        ("A spokesperson declined to say how large the fine was.", "How large was the fine?"),
        ("It was not immediately clear what caused the fire.", "What caused the fire?"),
        ("The cause of the outage remains unclear.", "What was the cause of the outage?"),
        ("The release date has not yet been announced.", "When will the album be released?"),
        ("Whether the talks resume remains to be seen.", "When will the talks resume?"),
    ],
)
def test_sentences_saying_the_asked_detail_is_not_known(sentence, question):
    assert says_not_known(sentence, question)


@pytest.mark.parametrize(
    "sentence, question",
    [
        ("A date has been set for June 3.", "When is the meeting?"),
        ("The company said 300 jobs would go.", "How many jobs will Ford cut?"),
        ("It was clear the talks had failed.", "Why did the talks fail?"),
        ("No one was hurt, police said.", "How many people were hurt?"),
        # The unknown is in another clause than the one that answers.
        (
            "No meeting date has been set, he said, which follows an in-person summit in Geneva in June.",
            "Where did the two leaders hold their in-person summit?",
        ),
    ],
)
def test_sentences_that_state_what_was_asked(sentence, question):
    assert not says_not_known(sentence, question)
