"""Who "the two leaders" are: the people a sentence counts but does not name."""

from __future__ import annotations

from rag.answer.reference import referred_names

BEFORE = (
    "Preparations are underway for a meeting between U.S. President Joe Biden and Russian President Vladimir "
    "Putin, Kremlin spokesperson Dmitry Peskov said. Biden and Putin last spoke in July."
)


def test_the_two_leaders_are_the_two_the_passage_keeps_naming():
    # Peskov is named last, but Biden and Putin are the ones the passage is about.
    names = referred_names("It follows a summit between the two leaders in Geneva.", BEFORE)
    assert sorted(names.split()) == ["Biden", "Joe", "Putin", "Vladimir"]


def test_three_are_counted_as_three():
    before = "Angela Merkel met Emmanuel Macron and Boris Johnson. Merkel, Macron and Johnson spoke."
    names = referred_names("The three leaders agreed.", before)
    assert sorted(names.split()) == ["Angela", "Boris", "Emmanuel", "Johnson", "Macron", "Merkel"]


def test_a_sentence_that_counts_nobody_refers_to_nobody():
    assert referred_names("No meeting date has been set, he said.", BEFORE) == ""
    assert referred_names("The two countries signed a deal.", BEFORE) == ""
    assert referred_names("The two leaders met.", "Nobody is named here.") == ""
