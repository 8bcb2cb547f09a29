"""bench.synthetic_reader's rule-made questions and pairs: what each kind of pair promises."""

from __future__ import annotations

import random

from bench.synthetic_reader import make_question, pairs_from

ARTICLE = [
    "CIA director William Burns warned Russia about the troop build-up on Tuesday.",
    "Russia moved 100,000 troops to the border with Ukraine over the past two months.",
    "Jake Sullivan spoke with Nikolai Patrushev about the talks planned in Geneva.",
    "The meeting between the two presidents took place in June 2021 in Switzerland.",
    "Officials in Kyiv said they expected more pressure from Moscow this winter.",
    "Antony Blinken met Sergei Lavrov for ninety minutes in Stockholm in December.",
    "Dmitry Peskov told reporters that no date had been set for another summit.",
]


def test_a_subject_becomes_the_wh_word_that_opens_the_question():
    sentence = ARTICLE[0]
    start = sentence.index("William Burns")
    question = make_question(sentence[start:], 0, len("William Burns"), "who")
    assert question == "Who warned Russia about the troop build-up on Tuesday?"


def test_a_span_inside_the_sentence_is_asked_in_place_within_the_window():
    sentence = ARTICLE[1]
    start = sentence.index("100,000")
    question = make_question(sentence, start, start + len("100,000"), "how many")
    assert question == "Russia moved how many troops to the border with Ukraine over the past?"
    assert "100,000" not in question


def test_every_pair_keeps_its_promise():
    """A question comes as: its sentence (1), another sentence of the article (0), then swaps (0) that keep
    the sentence but change the question."""
    made = 0
    for seed in range(20):
        groups: list[list] = []
        for pair in pairs_from(ARTICLE, random.Random(seed)):
            if pair.label == 1:
                groups.append([])
            groups[-1].append(pair)
        for positive, other, *swaps in groups:
            assert positive.label == 1 and positive.sentence in ARTICLE and positive.question.endswith("?")
            assert other.label == 0 and other.question == positive.question and other.sentence != positive.sentence
            for swap in swaps:
                assert swap.label == 0 and swap.sentence == positive.sentence and swap.question != positive.question
        made += len(groups)
    assert made > 0
