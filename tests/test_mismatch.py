"""Rules for a sentence that covers the question's words and still does not answer it."""

from __future__ import annotations

import pytest

from rag.answer.mismatch import (
    NO_YEAR,
    NOT_KNOWN,
    OTHER_END,
    OTHER_NAME,
    OTHER_SPEAKER,
    PAST,
    mismatch,
    other_speaker,
    says_not_known,
    told_as_past,
)


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
        # The clause that says something is not known shares "meet", but a date is unknown and a place is asked.
        ("No meeting date has been set, he said, which follows a summit in Geneva.", "Where did they meet in June?"),
    ],
)
def test_sentences_that_state_what_was_asked(sentence, question):
    assert not says_not_known(sentence, question)


def test_the_asked_person_named_while_someone_else_speaks():
    question = "What did Volodymyr Zelensky say in response to Medvedev's article?"
    sentence = (
        "In a ranting article in October, former Russian President Dmitry Medvedev said it was meaningless to "
        "engage in talks with Ukraine and included remarks about Ukrainian President Volodymyr Zelensky."
    )
    assert other_speaker(sentence, question) and mismatch(sentence, question) == OTHER_SPEAKER


@pytest.mark.parametrize(
    "sentence",
    [
        "Zelensky said the article was beneath comment.",
        "“We will not be intimidated,” Zelensky said in his nightly address.",
        "“We will not be intimidated,” said Zelensky.",
        "Zelensky, speaking in a video address on Tuesday evening, told reporters the talks were over.",
        "Zelensky’s office said the remarks were antisemitic.",
        # No one speaks: whether the sentence answers is the scorer's to weigh.
        "Zelensky's plan calls for a full ceasefire.",
        # The asked person is not named: the scorer's missing-name features weigh that.
        "Medvedev said talks were meaningless.",
    ],
)
def test_the_asked_person_speaking_or_no_speaker_at_all(sentence):
    assert not other_speaker(sentence, "What did Zelensky say about the talks?")


def test_other_questions_ask_for_no_speaker():
    sentence = "Medvedev said talks with Zelensky were meaningless."
    assert not other_speaker(sentence, "Who called talks with Zelensky meaningless?")


def test_the_future_asked_and_the_past_told():
    question = "Where will Burns travel next month?"
    sentence = "CIA director William Burns traveled to Moscow earlier this month to warn Russia."
    assert told_as_past(sentence, question) and mismatch(sentence, question) == PAST


@pytest.mark.parametrize(
    "sentence, question",
    [
        # The sentence speaks of the future too.
        ("Burns traveled to Moscow and plans to return in December.", "Where will Burns travel next month?"),
        ("Burns will travel to Kyiv next month.", "Where will Burns travel next month?"),
        # The question asks about the past.
        ("Burns traveled to Moscow earlier this month.", "Where did Burns travel?"),
        # The asked verb is in the past in the question as well ("will be elected").
        ("Leo XIV was elected pope on Thursday.", "Who will be elected pope?"),
    ],
)
def test_no_tense_mismatch(sentence, question):
    assert not told_as_past(sentence, question)


def test_the_first_rule_that_holds_is_the_reason():
    assert mismatch("No meeting date has been set, he said.", "When will the meeting take place?") == NOT_KNOWN
    assert mismatch("The meeting took place in Geneva.", "Where did the meeting take place?") == ""


def test_another_name_where_the_question_has_one():
    sentence = "In 1186, Temüjin was elected khan of the Mongols."
    reason = OTHER_NAME.format(filler="Mongols", asked="Merkits")
    assert mismatch(sentence, "Who was elected khan of the Merkits in 1186?") == reason
    assert mismatch(sentence, "Who was elected khan of the Mongols in 1186?") == ""


@pytest.mark.parametrize(
    "sentence, question, reason",
    [
        (
            "The university also operates the Press, the largest in the country.",
            "In what year was the Press founded?",
            NO_YEAR,
        ),
        ("The Press was founded in 1891.", "In what year was the Press founded?", ""),
        ("The Press was founded in the 1890s.", "Which year was the Press founded?", ""),
        ("Until 1991 Ukraine was a Soviet republic.", "Until what year was Ukraine a Soviet republic?", ""),
        # A figure is no year: "5,000" holds no "000", "3.1415" no "1415".
        ("In July, in a 5,000-word essay, Putin wrote of Ukraine.", "In what year did Putin write the essay?", NO_YEAR),
        ("Pi is about 3.1415, he wrote.", "In what year did he write it?", NO_YEAR),
        # "When" may be answered by an event, not a date: left to the scorer.
        ("Immunodeficiency occurs when the immune system is less active.", "When does immunodeficiency occur?", ""),
    ],
)
def test_a_question_asking_in_what_year_needs_a_year(sentence, question, reason):
    assert mismatch(sentence, question) == reason


def test_the_other_end_of_a_ranking_is_named_in_the_reason():
    sentence = "NEW YORK — Rapper Kendrick Lamar earned a leading 10 nominations for the American Music Awards."
    question = "Which artist received the least nominations for the American Music Awards?"
    assert mismatch(sentence, question) == OTHER_END.format(asked="least", found="leading")
    assert mismatch(sentence, question.replace("least", "most")) == ""
