"""The operating curve: a threshold only withholds answers, and the row in use is the run as it was."""

from __future__ import annotations

import json

from rag.cli import main
from rag.eval.retrieval import Question
from rag.eval.scores import score_answers
from rag.eval.tradeoff import operating_curve, render_curve, withheld_below
from rag.types import Answer, Citation
from tests.test_eval import _write


def _answer(text: str, confidence: float, quote: str = "", abstained: bool = False) -> Answer:
    citation = Citation(1, "a", "A", quote or text, 0, len(quote or text), "a#0")
    return Answer("q", text, (citation,), abstained=abstained, confidence=confidence)


# (answerable?, gold, answer text, confidence, cited quote, abstained)
RUN = [
    (True, "Burns", "Burns warned Russia.", 0.9, "", False),
    (True, "Burns", "Biden spoke to Putin.", 0.3, "", False),  # answered, wrong
    (True, "Geneva", "They met in Geneva [1]. It rained [2].", 0.5, "It rained.", False),  # right, cites elsewhere
    (True, "Moscow", "The articles don't say ...", 0.1, "", True),  # withheld at any threshold
    (False, "", "Xi said nothing here.", 0.6, "", False),  # unanswerable, answered above 0.6 only
    (False, "", "Xi again.", 0.2, "", False),
]
PAIRS = [
    (Question(str(n), "q", frozenset(), (gold,) if gold else (), answerable=ok), _answer(text, conf, quote, ab), 1.0)
    for n, (ok, gold, text, conf, quote, ab) in enumerate(RUN)
]


def test_a_threshold_only_withholds_answers_below_it():
    at = withheld_below(PAIRS, 0.4)
    for (_, before, _), (_, after, _) in zip(PAIRS, at):
        assert after.abstained == (before.abstained or before.confidence < 0.4)
        assert (after.text, after.citations, after.confidence) == (before.text, before.citations, before.confidence)


def test_the_curve_trades_answers_for_abstentions_monotonically():
    points = operating_curve(PAIRS, [0.7, 0.05, 0.4, 0.25, 0.55])
    assert [p.threshold for p in points] == [0.05, 0.25, 0.4, 0.55, 0.7]
    for low, high in zip(points, points[1:]):
        assert high.withheld >= low.withheld and high.wrong_abstention >= low.wrong_abstention
        assert high.answered_correct <= low.answered_correct
    assert points[0].answered_correct == 2 / 4 and points[0].withheld == 0.0
    assert points[2].withheld == 0.5 and points[2].citation_precision == 1 / 2  # Burns holds; "It rained." doesn't
    assert points[-1].answered_correct == 1 / 4 and points[-1].citation_precision == 1.0 and points[-1].withheld == 1


def test_each_point_is_what_the_eval_counts_at_that_threshold():
    for p in operating_curve(PAIRS, [0.05, 0.4, 0.7]):
        s = score_answers(withheld_below(PAIRS, p.threshold))
        assert (p.answered_correct, p.citation_precision, p.withheld, p.wrong_abstention) == (
            s.answered_correct,
            s.citation_precision,
            s.correct_abstention,
            s.wrong_abstention,
        )


def test_the_table_marks_the_threshold_in_use():
    table = render_curve(operating_curve(PAIRS, [0.05, 0.21, 0.4]), 0.21)
    assert [line for line in table.splitlines() if "(in use)" in line] == [
        "| 0.21 (in use) | 0.500 | 0.333 | 0.500 | 0.250 |"
    ]


def test_eval_answers_curve_row_in_use_is_the_run_itself(tmp_path, capsys):
    """End to end with the real model: ``--curve``'s row at the threshold in use repeats the eval's own figures."""
    corpus, questions = _write(tmp_path)
    out = tmp_path / "a.json"
    argv = ["eval", "answers", "--corpus", str(corpus), "--questions", str(questions), "--json-out", str(out)]
    assert main(argv + ["--holdout", "0.5", "--curve"]) == 0
    scores = json.loads(out.read_text())
    assert "(in use)" in capsys.readouterr().out
    curve = scores["curve"]
    row = next(p for p in curve["points"] if p["threshold"] == curve["in_use"])
    assert (row["answered_correct"], row["citation_precision"], row["withheld"], row["wrong_abstention"]) == (
        scores["answered_correct"],
        scores["citation_precision"],
        scores["correct_abstention"],
        scores["wrong_abstention"],
    )
