"""rag.answer.slots: a sentence that puts another name, number or ordinal where the question names one."""

from __future__ import annotations

import pytest

from rag.answer.slots import slot_conflict

KHAN = "In 1186, Temüjin was elected khan of the Mongols."
DEWAR = "In 1891 Scottish chemist James Dewar was able to produce enough liquid oxygen to study."
PLAGUE = "Surveys indicate the first variant entered Europe through the port of Marseille around November 1347."
HEAVENS = "The report blamed a conjunction of three planets in 1345 that caused a great pestilence in the air."


@pytest.mark.parametrize(
    ("question", "sentence"),
    [
        ("Who was elected khan of the Merkits in 1186?", KHAN),  # a name after "khan of the"
        ("In 1891, which German chemist produced enough liquid oxygen to study?", DEWAR),  # a name before "chemist"
        ("Through which port did the second variant of the plague enter Europe?", PLAGUE),  # an ordinal
        ("What did a conjunction of four planets cause?", HEAVENS),  # a number, spelled out
        # A number with thousands separators is one number ("20,000", not "20" and "000").
        ("How many of the 30,000 troops were Normans?", "Of the 20,000 troops, 8,000 were Normans."),
        # A year one digit off is another year, not a slip of the pen.
        ("What closed in the last week of February 1973?", "In the last week of February 1974, stations closed."),
        # A name may open with a lower-case particle.
        ("Who supplemented the work of Ibn Wafid?", "Peter supplemented the work of al-Maridini."),
        # A bracketed aside stands outside the slot: "its 209-acre (85 ha) main campus".
        ("What is Harvard's 358-acre main campus centered on?", "Its 209-acre (85 ha) main campus is on the Yard."),
        ("Who was elected khan of the Merkits?", "In 1186, Temüjin was elected khan (leader) of the Mongols."),
    ],
)
def test_another_filler_in_the_questions_slot_conflicts(question, sentence):
    assert slot_conflict(question, sentence) is not None


@pytest.mark.parametrize(
    ("question", "sentence"),
    [
        ("Who was elected khan of the Mongols in 1186?", KHAN),  # the sentence has the name
        ("Through which port did the first variant of the plague enter Europe?", PLAGUE),
        ("What did a conjunction of three planets cause?", HEAVENS),
        # A comma ends the slot: "anthem, while Academy ..." is no "anthem at Super Bowl 50".
        (
            "Who sang the anthem at Super Bowl 50?",
            "Lady Gaga performed the national anthem, while Academy Award winner Marlee Matlin signed it.",
        ),
        # Another kind there (a word, not a name), or function words the question does not have.
        ("Who was elected khan of the Merkits?", "Temüjin was elected khan of all tribes."),
        ("Who was elected khan of the Merkits?", "Temüjin was elected khan by the Mongols."),
        # Another word of the same name is there ("Carter"): "Joe" after "President" is no other "Jimmy".
        (
            "Who spoke at former President Jimmy Carter’s funeral?",
            "President Joe Biden spoke after Carter died.",
        ),
        # The sentence's word is part of a name there ("News Group Newspapers"), not the question's noun.
        ("Harry sued the publishers of which UK newspaper?", "Harry sued News Group Newspapers, the publisher."),
        # A question's first word is capitalised, not a name.
        ("Low doses are used with what drugs?", "Lower doses are used with cytotoxic drugs."),
        # One letter apart: a misspelling, not another name ("The Mark of Anarchy").
        ("Who wrote The Mark of Anarchy?", "Percy Shelley wrote The Mask of Anarchy."),
        # The filler is one of the question's own names: not another.
        ("Which Mongols khan was elected by the Merkits?", "The Mongols elected Temüjin khan."),
    ],
)
def test_no_conflict_when_the_slot_holds_the_name_or_is_not_the_same_slot(question, sentence):
    assert slot_conflict(question, sentence) is None


def test_the_conflict_names_what_was_asked_and_what_the_sentence_has_instead():
    assert slot_conflict("Who was elected khan of the Merkits in 1186?", KHAN) == ("Merkits", "Mongols")
    assert slot_conflict("Which German chemist produced liquid oxygen?", DEWAR) == ("German", "Scottish")
    assert slot_conflict("What did a conjunction of four planets cause?", HEAVENS) == ("four", "three")
    assert slot_conflict("How many of the 30,000 troops were Normans?", "Of the 20,000 troops, 8,000 were.") == (
        "30,000",
        "20,000",
    )
    # A possessive ends a name: "Jake Sullivan's" is there, "Ukrainian" is not.
    sullivan = "Jake Sullivan spoke with his Russian counterpart, Nikolai Patrushev."
    assert slot_conflict("Who is Jake Sullivan's Ukrainian counterpart?", sullivan) == ("Ukrainian", "Russian")
