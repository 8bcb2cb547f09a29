"""The paired bootstrap: exact where there is no doubt, wider where articles disagree, deterministic."""

from __future__ import annotations

import json

import pytest

from rag.cli import main
from rag.eval.intervals import paired_difference
from tests.test_eval import _write


def test_no_doubt_when_every_article_moves_the_same_way():
    c = paired_difference([1, 1, 1, 1], [0, 0, 0, 0], ["a", "a", "b", "c"])
    assert (c.estimate, c.low, c.high, c.groups) == (1.0, 1.0, 1.0, 3)


def test_the_interval_holds_the_estimate_and_resamples_whole_articles():
    new = [1, 1, 1, 0, 0, 1, 1, 0] * 5
    base = [1, 0, 1, 1, 0, 0, 1, 1] * 5  # each run of 8 nets out to zero
    by_question = paired_difference(new, base, [f"q{i}" for i in range(40)])
    by_article = paired_difference(new, base, [f"a{i // 8}" for i in range(40)])
    assert by_question.low < 0.0 < by_question.high and by_question.estimate == pytest.approx(0.0)
    assert (by_article.low, by_article.high) == pytest.approx((0.0, 0.0))  # every article's own change is zero
    halves = [f"a{i % 2}" for i in range(40)]
    assert paired_difference(new, base, halves, level=0.99).low <= paired_difference(new, base, halves).low


def test_the_same_inputs_give_the_same_interval():
    args = ([1, 0, 1, 1, 0], [0, 0, 1, 0, 1], ["a", "b", "b", "c", "d"])
    assert paired_difference(*args) == paired_difference(*args)
    assert paired_difference(*args, seed=1).estimate == paired_difference(*args).estimate


def test_unpaired_inputs_are_refused():
    with pytest.raises(ValueError, match="differ in length"):
        paired_difference([1, 0], [1], ["a", "b"])


def test_eval_answers_gives_the_change_against_the_baseline(tmp_path):
    corpus, questions = _write(tmp_path)
    out = tmp_path / "a.json"
    argv = ["eval", "answers", "--corpus", str(corpus), "--questions", str(questions), "--json-out", str(out)]
    assert main(argv + ["--baseline"]) == 0
    scores = json.loads(out.read_text())
    change = scores["answered_correct_change"]
    assert change["estimate"] == pytest.approx(scores["answered_correct"] - scores["baseline"]["answered_correct"])
    assert change["low"] <= change["estimate"] <= change["high"] and change["groups"] == 3
