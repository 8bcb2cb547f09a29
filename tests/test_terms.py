"""How a question's terms are found in a text: by their own form, their acronym, or their root. Pure."""

from __future__ import annotations

import gc

import pytest

from rag.answer.terms import holds, literal, question_terms, roots, slips, text_keys


def _found(question: str, text: str) -> dict[str, bool]:
    """Whether ``text`` holds each specific term of ``question``."""
    keys = text_keys(text)
    return {t.text: holds(keys, t) for t in question_terms(question) if t.specific}


@pytest.mark.parametrize(
    ("question", "text"),
    [
        ("What did the US say?", "The U.S. said no."),
        ("What did the US say?", "The United States said no."),
        ("What did the United States say?", "The U.S. said no."),
        ("What did the US say?", "America said no."),
        ("What did the UK say?", "British officials said no."),
        ("When did the UMC meet?", "The United Methodist Church met in May."),
        ("Which Indian leader spoke?", "The leader of India spoke."),
        ("Which American firm won?", "A firm from America won."),
        ("Which firm in Germany won?", "A German firm won."),
        ("What did Nasa find?", "NASA found water."),
        ("Which party won Bedigo?", "Labor won Bendigo."),  # a slip of the pen
        ("What was Ghandi's method?", "Gandhi's method was satyagraha."),  # two letters swapped
        ("What did Zelenskiy say?", "Zelensky said no."),  # another transliteration
        ("Who sang at Superbowl 50?", "Lady Gaga sang at Super Bowl 50."),
        ("Which conjecture says there are 4 primes?", "Brocard's conjecture says there are four primes."),
        ("Which US state banned fluoride?", "Utah banned fluoride."),
        ("What did Cramer prove?", "Harald Cramér proved it."),  # accents are not part of a key
        ("What did Erdoğan say?", "Erdogan said no."),
        ("Where did Trần Hưng Đạo win?", "Trần Hưng Đạo won at Bạch Đằng."),  # whole words, not "Tr"
    ],
)
def test_a_name_is_found_by_its_acronym_or_its_country(question, text):
    assert all(_found(question, text).values()), _found(question, text)


@pytest.mark.parametrize(
    ("question", "text", "missing"),
    [
        ("What did the US say?", "They told us nothing.", "US"),  # the pronoun is not the country
        ("Which firm in Austria won?", "A firm in Australia won.", "Austria"),
        ("What did Xi Jinping say?", "Peskov said nothing.", "Xi"),
        ("Who wrote The Mark?", "Shelley wrote The Mask.", "Mark"),  # short names differ by a letter
        ("Who leads Slovenia?", "Fico leads Slovakia.", "Slovenia"),  # two letters apart
        ("Were 5 people hurt?", "Four people were hurt.", "5"),
        ("Which US ally spoke?", "Georgia spoke.", "US"),  # the country, not the state
        ("What did Cramér prove?", "Cram said so.", "Cramér"),  # an ASCII reading once cut it to "Cram"
    ],
)
def test_a_different_name_is_still_missing(question, text, missing):
    assert _found(question, text)[missing] is False


def test_names_numbers_and_acronyms_are_specific_but_weekdays_are_not():
    specific = {t.text: t.specific for t in question_terms("Who met the UN envoy on Monday in Geneva in 2021?")}
    assert specific == {"met": False, "UN": True, "envoy": False, "Monday": False, "Geneva": True, "2021": True}


def test_a_word_of_a_multi_word_name_carries_the_names_initials():
    terms = {t.text: t.acronym for t in question_terms("What did the United Methodist Church decide?")}
    assert terms["United"] == terms["Methodist"] == terms["Church"] == "UMC"


def test_ordinals_and_decades_are_not_specific_because_passages_give_years():
    specific = {
        t.text: t.specific for t in question_terms("Which Roman Catholic of the 15th century spoke in the 80s?")
    }
    assert specific["15th"] is False and specific["80s"] is False and specific["Roman"] is True
    assert not any(t.text.startswith("A") for t in question_terms("Who was the V&A's first director?"))


def test_a_spelled_hundred_is_the_number():
    keys = text_keys("William Smith set out the principles almost a hundred years before Darwin.")
    assert all(holds(keys, t) for t in question_terms("What came 100 years before Darwin?") if t.text != "came")


def test_roots_keep_four_letters_and_the_word_itself():
    assert "americ" in roots("American") and "americ" in roots("America")
    assert set(roots("Austria")).isdisjoint(roots("Australia"))
    assert roots("Iran") == ("iran",) and roots("Oslo") == ("oslo",) and roots("UK") == ()


def test_a_name_with_a_typographic_possessive_is_still_a_specific_name():
    terms = {t.text: t.specific for t in question_terms("What did Britain’s leaders tell Luther's monks?")}
    assert terms["Britain’s"] and terms["Luther's"] and not terms["monks"]


def test_numbers_compare_by_value_and_symbols_by_name():
    keys = text_keys("Turbines run at up to 565 °C, four times more than 12% of engines, for fifteen or forty hours.")
    assert {"565", "4", "12", "15", "40"} <= keys
    assert all(holds(keys, t) for t in question_terms("How hot in Celsius, in percent?") if t.text != "hot")


def test_a_slip_is_forgiven_only_in_names():
    assert not holds(text_keys("The results were stated."), question_terms("What did the reslts state?")[0])


def test_slip_keys_are_shared_and_outside_the_garbage_collectors_view():
    assert set(slips("Gandhi")) & set(slips("Ghandi")) == {"?gandi"}
    keys = slips("Bendigo")
    gc.collect()  # a tuple of strings is untracked at its first collection; a frozenset never is
    assert keys and not gc.is_tracked(keys)


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("Xi Jinping", True),
        ("quokkas", True),
        ("U.S.", False),  # also "the United States"
        ("NATO", False),  # may be spelled out
        ("the USA", False),
        ("Russian", False),  # meets "Russia" by its root
        ("5,000", False),  # "5000"
        ("four", False),  # "4"
        ("Erdoğan", False),  # may be spelled "Erdogan"
    ],
)
def test_only_a_term_found_as_spelled_is_literal(phrase, expected):
    terms = question_terms(phrase)
    assert terms and all(literal(t) for t in terms) is expected
