"""Which numbers answer an amount question: counts of the asked thing, in the asked unit."""

import pytest

from rag.answer.amounts import amounts, asks_amount

EVEREST = "Nepal increased the cost of the permit by 36% to $15,000, and more than 340 people have died there."


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # A fee is money, a percentage a share; a count of people is neither.
        ("What is the new fee to climb Mount Everest?", ["$15,000"]),
        ("What percentage did the cost of the permit rise by?", ["36%"]),
        # "How many" names no unit: every amount that counts nothing else stays.
        ("How many people have died on Everest?", ["36%", "$15,000", "340"]),
    ],
)
def test_amounts_are_in_the_unit_the_question_asks_for(question, expected):
    assert [s.text for s in amounts(EVEREST, question)] == expected


@pytest.mark.parametrize(
    "sentence",
    ["It costs 5 million dollars.", "It costs US$ 5 million.", "It costs £30m a year.", "It costs €12."],
)
def test_money_is_read_by_symbol_or_currency_word(sentence):
    assert amounts(sentence, "What is the price of the ship?")


def test_shares_are_read_in_every_spelling():
    sentence = "The party won 20.8 percent, up from 12 per cent, while the turnout was 84%."
    found = [s.text for s in amounts(sentence, "What percentage of the vote did the party win?")]
    assert found == ["20.8 percent", "12", "84%"]  # "12" is followed by "per cent"
    # A share may be a fraction.
    assert [s.text for s in amounts("It holds over half of the rainforests.", "What percentage does it hold?")] == [
        "over half"
    ]


def test_an_amount_is_asked_for_by_how_many_or_by_a_measure_in_a_unit():
    assert asks_amount("How many troops did Russia move?")
    assert asks_amount("What is the new fee to climb Mount Everest?")
    assert not asks_amount("What was Warsaw's population in 1901?")  # a figure, but in no unit to check
    assert not asks_amount("Which company raised prices?")


def test_a_number_that_counts_something_else_does_not_answer_how_many():
    assert [s.text for s in amounts("Two officials said 5,000 troops moved.", "How many troops moved?")] == ["5,000"]


def test_a_number_counts_what_follows_of_his_or_the():
    works = "Three of his best-known works were published in 1520."
    assert amounts(works, "How many copies of To the Christian Nobility were printed in 1520?") == []
    assert [s.text for s in amounts(works, "How many works were published in 1520?")] == ["Three"]
