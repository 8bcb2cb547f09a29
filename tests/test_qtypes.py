"""What kind of answer a question asks for: its first words, or the noun after which / what."""

import pytest

from rag.answer.places import asked_kind
from rag.answer.qtypes import QTYPES, asked_noun, asked_verb, asking, measured, question_type


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
        # The sentence that asks, after the scene a news quiz sets, a leading clause or a preposition.
        ("A jet crashed while landing, injuring 21 people. Where did the incident occur?", "place"),
        ("Musk's X was hit by outages this week. What year did Musk acquire the platform?", "date"),
        ("Trump said a “gold card” will go on sale. Around how much will it cost?", "number"),
        ("During the playoff games, who did not throw at all?", "person"),
        ("Until what year was Ukraine a Soviet republic?", "date"),
        ("Before which election did the party split?", "other"),
        ("Under which president did he serve?", "person"),
        ("Which U.S. President met Mr. Putin in Geneva?", "person"),  # abbreviations end no sentence
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


@pytest.mark.parametrize(
    "question, asked",
    [
        ("A lunar lander touched down days ago. What was its name?", "What was its name?"),
        ("In which area of the White House did he speak?", "which area of the White House did he speak?"),
        ("In 1700, who migrated to Virginia?", "who migrated to Virginia?"),
        # A question that opens with its wh-word is whole, whatever follows a comma.
        ("What is the fort, which the Romans built, called?", "What is the fort, which the Romans built, called?"),
        ("The US proposed a deal over which region?", "The US proposed a deal over which region?"),
    ],
)
def test_the_asking_part_is_read_for_type_noun_and_verb(question, asked):
    assert asking(question) == asked


def test_the_scene_a_quiz_sets_lends_no_verb():
    # The scene's "which" is a relative pronoun, not the question: read from it, the verb was lost.
    assert asked_verb("The firm, which built the tower, said it will open soon. What is the tower called?") == "called"


@pytest.mark.parametrize(
    ("question", "measure"),
    [
        ("What is the new fee to climb Mount Everest?", "fee"),
        ("What is the list price of Apple’s latest top-of-the-line iPhone?", "price"),
        ("What was Warsaw's population in 1901?", "population"),
        ("What percentage of the vote did the AfD receive?", "percentage"),
        ("Nepal raised its permits this week. What is the new fee?", "fee"),
        # A name, a kind or a reason is no measure, though a measure word is in the question.
        ("What is the name of the fee?", None),
        ("What is the age range of most prostitutes in Kenya?", None),
        ("Which company raised prices this week?", None),
        ("How many troops did Russia move?", None),
    ],
)
def test_a_measure_is_asked_for_by_its_noun(question, measure):
    assert measured(question) == measure
    if measure:
        assert question_type(question) == "number"
