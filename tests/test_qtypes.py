"""What kind of answer a question asks for: its first words, or the noun after which / what."""

import pytest

from rag.answer.places import asked_kind
from rag.answer.qtypes import QTYPES, asked_noun, asked_verb, question_type


@pytest.mark.parametrize(
    "question, qtype",
    [
        ("Who warned Russia?", "person"),
        ("How many troops were sent?", "number"),
        ("When did the summit happen?", "date"),
        ("Where did he travel?", "place"),
        ("Which region is it?", "place"),
        ("What does Blinken fear?", "other"),
        # The asked noun behind modifiers, capitalised or not.
        ("Which California city was affected by unprecedented wildfires?", "place"),
        ("Which popular tourist island declared a state of emergency?", "place"),
        ("The US has proposed a deal over which Ukrainian region?", "place"),
        ("Which Marvel star got engaged in Paris this week?", "person"),
        ("Which world leader is suing the podcaster?", "person"),
        ("What German poet was descended from Huguenots?", "person"),
        ("A panel ruled that which state’s law was unconstitutional?", "place"),
        # A function word or a third modifier ends the search: these ask for no person or place.
        ("What did Queen Elizabeth II open in Newcastle in 1981?", "other"),
        ("What is the country known for?", "other"),
        ("What type of city grew there?", "other"),
        ("Which US holiday takes place on the third Monday of February?", "other"),
        ("Which state-run media outlet reported it?", "other"),
        ("Which state media reported it first?", "other"),
    ],
)
def test_question_types(question, qtype):
    assert question_type(question) == qtype
    assert qtype in QTYPES


def test_the_asked_noun_is_what_the_place_lists_answer():
    assert asked_noun("The newly elected Pope hails from which US state?") == "state"
    assert asked_kind("The newly elected Pope hails from which US state?") == "state"
    assert asked_kind("England beat which nation on Sunday?") == "country"
    assert asked_kind("What countries does Kenya compete with?") == "country"
    # Another noun is asked for, though a country or the nation is named later.
    assert asked_kind("Which city held the nation’s first parade?") is None
    assert asked_kind("Friedrich Ratzel thought imperialism was what for the country?") is None


def test_no_which_or_what_no_noun():
    assert asked_noun("Who warned Russia?") is None
    assert asked_noun("") is None


@pytest.mark.parametrize(
    "question, verb",
    [
        ("Who warned Russia?", "warned"),
        ("Who will represent Ukraine at the virtual summit?", "represent"),
        ("How did Poland respond to the migrant crisis?", "respond"),
        ("What did Oleksii Reznikov ask Lloyd Austin for?", "ask"),
        ("Where will the next in-person summit be held?", "held"),
        ("Which Russian general commands the troops?", "commands"),
        ("Which region is the U.S. reorienting its priorities toward?", "reorienting"),
        ("Who is Jake Sullivan's Russian counterpart?", None),
        ("How long was Putin's July essay?", None),
    ],
)
def test_the_asked_verb_is_found_by_its_place(question, verb):
    assert asked_verb(question) == verb
