"""bench.reader_probe's pure parts: the weakest-word score and which word pieces count."""

from __future__ import annotations

import numpy as np

from bench.reader_probe import content_tokens, weakest


def test_weakest_is_one_when_the_sentence_holds_every_question_token():
    rng = np.random.default_rng(0)
    question = rng.normal(size=(4, 8))
    sentence = np.vstack([rng.normal(size=(3, 8)), question * 2.0])  # scale does not matter, direction does
    assert abs(weakest(question, sentence) - 1.0) < 1e-9


def test_weakest_only_rises_with_more_sentence_tokens_and_is_set_by_the_worst_question_token():
    rng = np.random.default_rng(1)
    question, sentence, extra = rng.normal(size=(5, 16)), rng.normal(size=(6, 16)), rng.normal(size=(4, 16))
    assert weakest(question, np.vstack([sentence, extra])) >= weakest(question, sentence)
    assert weakest(question, sentence) == min(weakest(question[i : i + 1], sentence) for i in range(5))


def test_content_tokens_skip_special_tokens_punctuation_and_function_words():
    tokens = ["[CLS]", "who", "warned", "russia", "?", "the", "##s", "[SEP]"]
    assert [tokens[i] for i in content_tokens(tokens)] == ["warned", "russia", "##s"]
