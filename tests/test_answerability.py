"""The answerability features: pure, so checked on hand-made passages (the real model runs in test_answer)."""

from __future__ import annotations

import pytest

from rag.answer import extractive as ex
from rag.answer.answerability import NAMES, features, question_terms
from rag.types import Chunk, Hit

PASSAGE = (
    "Preparations are underway for a virtual summit, Kremlin spokesperson Dmitry Peskov said. "
    "Russia moved 90,000 troops near Ukraine's border, officials said."
)


def _ranked(question: str, passage: str = PASSAGE):
    hit = Hit(Chunk("c1", "a1", 0, 0, len(passage), passage), "T", 0.03, 1, dense_rank=1, bm25_rank=2)
    pool = ex.candidates([hit])
    ranked = ex.score_candidates(question, pool, [0.6 - 0.1 * i for i in range(len(pool))])
    return ranked, [hit]


def _far(verb: str, text: str) -> float:
    return 0.0


def _features(question: str, passage: str = PASSAGE, closeness=_far):
    ranked, hits = _ranked(question, passage)
    return features(question, ranked, hits, ex.pool_idf([s.candidate.text for s in ranked]), closeness)


def test_names_and_numbers_of_the_question_are_its_specific_terms():
    terms = {t.text: t.specific for t in question_terms("How many troops did Russia move in 2021?")}
    assert terms == {"troops": False, "Russia": True, "move": False, "2021": True}


def test_a_person_the_passages_never_name_is_missing_and_reported():
    got = _features("What did Xi Jinping say about the summit?")
    values = got.as_dict()
    assert values["specific_missing_passage"] == 1.0 and values["specific_missing_hits"] == 1.0
    assert got.missing == ("Xi Jinping",)


def test_a_missing_name_is_reported_without_its_possessive():
    assert _features("Who is NATO's secretary general?").missing == ("NATO",)


def test_an_ordinal_or_a_decade_is_not_reported_as_a_missing_figure():
    assert _features("What did Peskov say in the 15th century and in the 80s?").missing == ()
    assert _features("What did Peskov say at the 1,997th summit?").missing == ()  # not "1" from "1,997th"
    assert _features("What did Peskov say in 1985?").missing == ("1985",)


def test_a_question_whose_names_are_in_the_passage_misses_none():
    got = _features("Who did Dmitry Peskov say was preparing a summit?")
    assert got.as_dict()["specific_missing_passage"] == 0.0 and got.missing == ()


def test_possessives_and_digit_groups_match_their_plain_forms():
    got = _features("How many troops did Russia move near Ukraine?", PASSAGE)
    assert got.as_dict()["specific_missing_passage"] == 0.0  # "Ukraine's" holds Ukraine


def test_a_number_next_to_the_asked_noun_is_near():
    values = _features("How many troops did Russia move?").as_dict()
    assert values["span"] == 1.0 and values["span_near"] > 0.5 and values["q_number"] == 1.0


def test_every_feature_is_a_finite_number_in_the_named_order():
    got = _features("Where is the summit?")
    assert len(got.values) == len(NAMES) and all(v == v and abs(v) < 1e6 for v in got.values)


def test_a_question_asking_the_opposite_of_what_the_passage_says_is_flagged():
    passage = "Alaska is the largest state by area, and its population rose last year."
    asks_opposite = _features("Which is the smallest state by area?", passage).as_dict()
    asks_same = _features("Which is the largest state by area?", passage).as_dict()
    assert asks_opposite["opposite_sentence"] == 1.0 and asks_opposite["opposite_passage"] == 1.0
    assert asks_same["opposite_sentence"] == 0.0 and asks_same["opposite_passage"] == 0.0
    # A passage that uses both words answers either question: nothing is opposed.
    both = passage + " Rhode Island is the smallest."
    assert _features("Which is the smallest state by area?", both).as_dict()["opposite_passage"] == 0.0


def test_how_many_needs_a_number_that_counts_what_was_asked():
    counted = _features("How many troops did Russia move?", PASSAGE).as_dict()
    assert counted["count_unmet"] == 0.0  # "90,000 troops"
    other = "The Kremlin said the two officials discussed Ukraine and the migrant crisis."
    assert _features("How many migrants were stranded at the border?", other).as_dict()["count_unmet"] == 1.0
    assert _features("Who said preparations are underway?", PASSAGE).as_dict()["count_unmet"] == 0.0


@pytest.mark.parametrize(
    ("question", "sentence", "unmet"),
    [
        # The counted noun may come first, or be named as the question names it.
        ("How many interceptions did they make?", "They led the league in interceptions with 24.", 0.0),
        ("How many Grammys has Lady Gaga won?", "Six-time Grammy winner Lady Gaga sang.", 0.0),
        ("How much aid did the US send?", "The US sent $2 billion in aid.", 0.0),
        ("How much aid did the US send?", "The two officials discussed aid.", 1.0),  # counts officials
        ("How many tanks were moved?", "In a 5,000-word essay, Putin questioned the borders.", 1.0),
        ("How much aid did the US send?", "Aid has flowed since its 2014 invasion.", 1.0),  # a year
    ],
)
def test_an_amount_must_be_of_the_asked_thing(question, sentence, unmet):
    assert _features(question, sentence).as_dict()["count_unmet"] == unmet


def test_a_name_in_the_articles_title_is_not_missing_from_its_passage():
    """xquad-en's "Super Bowl 50" paragraphs rarely restate the game's name: the title holds it."""
    passage = "The Panthers defense gave up just 308 points, ranking sixth in the league."
    question = "How many points did the Panthers give up in Super Bowl 50?"
    hit = Hit(Chunk("c1", "a1", 0, 0, len(passage), passage), "Super Bowl 50", 0.03, 1, dense_rank=1, bm25_rank=1)
    untitled = Hit(Chunk("c1", "a1", 0, 0, len(passage), passage), "", 0.03, 1, dense_rank=1, bm25_rank=1)
    for h, missing in ((hit, 0.0), (untitled, 1.0)):
        pool = ex.candidates([h])
        ranked = ex.score_candidates(question, pool, [0.6] * len(pool))
        got = features(question, ranked, [h], ex.pool_idf([s.candidate.text for s in ranked]), _far)
        assert got.as_dict()["any_specific_missing_passage"] == missing
        assert got.missing == (() if missing == 0.0 else ("Super Bowl", "50"))


def test_the_asked_verb_missing_or_supported():
    asked = []

    def closeness(verb: str, text: str) -> float:
        asked.append(text)
        return 0.2 if text != PASSAGE else 0.3  # the sentence, then its passage

    # "moved" is in the passage: met, and the vectors are not even asked about the passage.
    met = _features("How many troops did Russia move near Ukraine?", closeness=closeness).as_dict()
    assert met["verb_missing_passage"] == 0.0 and met["verb_support_passage"] == 1.0
    assert PASSAGE not in asked
    # "respond" is nowhere: missing, and supported only as closely as the word vectors say.
    unmet = _features("How did Russia respond to the summit?", closeness=closeness).as_dict()
    assert unmet["verb_missing_sentence"] == unmet["verb_missing_passage"] == 1.0
    assert (unmet["verb_support_sentence"], unmet["verb_support_passage"]) == (0.2, 0.3)
    # No verb to look for ("Who is ...?"): taken as met.
    none = _features("Who is Dmitry Peskov?", closeness=closeness).as_dict()
    assert none["verb_missing_sentence"] == 0.0 and none["verb_support_sentence"] == 1.0


def test_the_best_sentences_own_passage_counts_as_read_when_retrieval_did_not_return_it():
    """A sentence from more of the article (rag.retrieval.search.article_passages): what it names is not missing."""
    question = "What did Dmitry Peskov say about the summit?"
    ranked, _ = _ranked(question)
    other = "Officials in Kyiv declined to comment on the talks."
    retrieved = Hit(Chunk("c0", "a1", 0, 0, len(other), other), "T", 0.05, 1, dense_rank=1, bm25_rank=1)
    got = features(question, ranked, [retrieved], ex.pool_idf([other]), _far)
    values = got.as_dict()
    assert got.missing == () and values["specific_missing_hits"] == 0.0
