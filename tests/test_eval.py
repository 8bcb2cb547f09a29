"""Evaluation: scoring helpers are pure; the eval commands run end to end on a tiny corpus."""

from __future__ import annotations

import json

from rag.cli import main
from rag.eval.answers import holdout_split, run_answers
from rag.eval.matching import contains, normalize, token_f1
from rag.eval.retrieval import Question, percentile
from rag.eval.scores import reliability

DOCS = [
    {
        "doc_id": "bridge#0",
        "title": "Harbour Bridge Reopens",
        "publish_date": "2024/03/05",
        "text": "The Harbour Bridge reopened on Tuesday after a two-year renovation. Mayor Ines Duarte cut the ribbon.",
    },
    {
        "doc_id": "bank#0",
        "title": "Central Bank Raises Rates",
        "text": "The central bank raised its main interest rate to 4.5 percent on Thursday, its third rise this year.",
    },
    {
        "doc_id": "cup#0",
        "title": "Cup Final",
        "text": "Riverside United won the cup final 3-1 in front of 60,000 fans at the national stadium.",
    },
]
QUESTIONS = [
    {
        "id": "q1",
        "question": "Who cut the ribbon on the Harbour Bridge?",
        "answers": ["Ines Duarte"],
        "gold_doc_ids": ["bridge#0"],
    },
    {
        "id": "q2",
        "question": "What did the central bank raise its rate to?",
        "answers": ["4.5 percent"],
        "gold_doc_ids": ["bank#0"],
    },
    {"id": "q3", "question": "How many fans watched the cup final?", "answers": ["60,000"], "gold_doc_ids": ["cup#0"]},
]


def _write(tmp_path):
    corpus, questions = tmp_path / "corpus.jsonl", tmp_path / "questions.jsonl"
    corpus.write_text("\n".join(json.dumps(d) for d in DOCS))
    questions.write_text("\n".join(json.dumps(q) for q in QUESTIONS))
    return corpus, questions


def test_scoring_helpers():
    assert normalize("The U.S. Army’s") == "us armys"
    assert token_f1("William Burns", "CIA director William Burns") == 2 * 1 * 0.5 / 1.5
    assert token_f1("Moscow", "Geneva") == 0.0
    assert contains("It was 60,000 fans.", ("60,000",)) and not contains("nobody", ("Burns",))
    assert percentile([1, 2, 3, 4, 100], 50) == 3


def test_holdout_keeps_paragraphs_of_an_article_together():
    ids = ["a#0", "a#1", "b#0", "c#0", "c#1", "d#0"]
    held = holdout_split(ids, 0.5)
    groups = {i.split("#")[0] for i in held}
    assert held == {i for i in ids if i.split("#")[0] in groups} and 0 < len(groups) < 4
    assert holdout_split(ids, 0.5) == held  # deterministic


def test_eval_retrieval_runs_to_the_end(tmp_path, capsys):
    corpus, questions = _write(tmp_path)
    out = tmp_path / "r.json"
    assert (
        main(["eval", "retrieval", "--corpus", str(corpus), "--questions", str(questions), "--json-out", str(out)]) == 0
    )
    results = {r["mode"]: r for r in json.loads(out.read_text())}
    assert set(results) == {"hybrid", "rrf", "dense", "bm25"}
    assert results["hybrid"]["recall"]["@1"] == 1.0 and results["hybrid"]["questions"] == 3
    assert "| all | hybrid |" in capsys.readouterr().out


def test_answer_in_passage_recall_counts_what_the_labels_miss(tmp_path, capsys):
    """A silver label on the wrong article misses the passage that answers; the answer-string view finds it."""
    corpus, questions = _write(tmp_path)
    mislabelled = {**QUESTIONS[2], "gold_doc_ids": ["bank#0"]}  # "How many fans ...": the cup article answers
    questions.write_text(json.dumps(mislabelled) + "\n" + json.dumps({**QUESTIONS[0], "answers": []}))
    out = tmp_path / "r.json"
    argv = ["eval", "retrieval", "--corpus", str(corpus), "--questions", str(questions), "--json-out", str(out)]
    assert main(argv) == 0
    hybrid = next(r for r in json.loads(out.read_text()) if r["mode"] == "hybrid")
    assert hybrid["questions"] == 2 and hybrid["recall"]["@1"] == 0.5  # the bridge question, by its label
    assert hybrid["answer_recall"]["@1"] == 1.0  # of the one question with an answer string, the cup passage
    assert "answer in passage" in capsys.readouterr().out
    questions.write_text(json.dumps({**QUESTIONS[0], "answers": []}))
    assert main(argv) == 0
    assert all(r["answer_recall"] is None for r in json.loads(out.read_text()))


def test_eval_retrieval_scores_fit_and_report_halves_on_a_prebuilt_index(tmp_path, capsys):
    corpus, questions = _write(tmp_path)
    assert main(["index", "build", str(corpus), "--index-dir", str(tmp_path / "ix")]) == 0
    out = tmp_path / "r.json"
    assert (
        main(
            [
                "eval",
                "retrieval",
                "--corpus",
                str(corpus),
                "--questions",
                str(questions),
                "--split",
                "both",
                "--prebuilt",
                str(tmp_path / "ix"),
                "--json-out",
                str(out),
            ]
        )
        == 0
    )
    rows = json.loads(out.read_text())
    counts = {r["split"]: r["questions"] for r in rows if r["mode"] == "hybrid"}
    assert set(counts) == {"fit", "report"} and sum(counts.values()) == 3  # xquad-style: split by article


def test_eval_answers_runs_and_measures_abstention(tmp_path):
    corpus, questions = _write(tmp_path)
    out = tmp_path / "a.json"
    argv = ["eval", "answers", "--corpus", str(corpus), "--questions", str(questions), "--json-out", str(out)]
    assert main(argv + ["--holdout", "0.5", "--baseline"]) == 0
    scores = json.loads(out.read_text())
    assert scores["questions"] == 3 and scores["unanswerable"] >= 1
    for data in (scores, scores["baseline"]):  # the answerer without the learned scorer, same run, same index
        for key in (
            "contains_accuracy",
            "exact_match",
            "token_f1",
            "citation_precision",
            "correct_abstention",
            "wrong_abstention",
            "partial",
        ):
            assert 0.0 <= data[key] <= 1.0
        assert sum(n for _, _, n, _ in data["reliability"]) <= 3
    assert scores["baseline"]["partial"] == 0.0  # only the scorer gives the partial form
    assert "question_date" not in scores  # undated questions: no dated run


def test_dated_questions_are_also_answered_as_of_their_date(tmp_path):
    corpus, questions = _write(tmp_path)
    rows = [
        json.loads(line) | {"date": "2021/12/0" + str(n + 1)}
        for n, line in enumerate(questions.read_text().splitlines())
    ]
    questions.write_text("\n".join(json.dumps(r) for r in rows))
    out = tmp_path / "a.json"
    argv = ["eval", "answers", "--corpus", str(corpus), "--questions", str(questions), "--json-out", str(out)]
    assert main(argv) == 0
    dated = json.loads(out.read_text())["question_date"]
    assert dated["questions"] == len(rows) and 0.0 <= dated["answered_correct"] <= 1.0


def test_a_dated_run_sets_now_to_each_questions_date(monkeypatch, settings):
    import rag.answer

    seen = []
    monkeypatch.setattr(rag.answer, "answer_question", lambda index, q, history, s: seen.append((q, s.as_of)) or s)
    questions = [
        Question("0", "q0", frozenset(), date="2025-01-03"),
        Question("1", "q1", frozenset(), date="2025-02-07"),
    ]
    run_answers(None, questions, {"new": settings, "dated": settings}, frozenset({"dated"}))  # type: ignore[arg-type]
    assert sorted(seen, key=str) == sorted(
        [("q0", settings.as_of), ("q0", "2025-01-03"), ("q1", settings.as_of), ("q1", "2025-02-07")], key=str
    )


def test_runs_taking_turns_answer_as_each_would_alone(seed_index, settings):
    """Runs alternate going first (for fair timing); each still gets its own answers, in question order."""
    from rag.answer import answer_question

    questions = [Question(str(n), q, frozenset()) for n, q in enumerate(["Who warned Russia?", "Where is Geneva?"])]
    runs = {
        "new": settings.replace(answer_selector=True, answer_scorer=True),
        "plain": settings.replace(answer_selector=False, answer_scorer=False),
    }
    answered = run_answers(seed_index, questions, runs)
    for name, run in runs.items():
        assert [q for q, _, _ in answered[name]] == questions
        alone = [answer_question(seed_index, q.question, (), run).text for q in questions]
        assert [a.text for _, a, _ in answered[name]] == alone
        assert all(ms > 0 for _, _, ms in answered[name])


def test_runs_take_turns_going_first(monkeypatch):
    """Question by question the first run rotates, so neither always pays for the caches the other fills."""
    import rag.answer

    calls = []
    monkeypatch.setattr(rag.answer, "answer_question", lambda index, q, history, s: calls.append((q, s)) or s)
    questions = [Question(str(n), f"q{n}", frozenset()) for n in range(3)]
    runs = {"a": "A", "b": "B"}
    answered = run_answers(None, questions, runs)  # type: ignore[arg-type]
    assert calls == [("q0", "A"), ("q0", "B"), ("q1", "B"), ("q1", "A"), ("q2", "A"), ("q2", "B")]
    assert [a for _, a, _ in answered["a"]] == ["A"] * 3 and [a for _, a, _ in answered["b"]] == ["B"] * 3


def test_reliability_bins_confidence_against_how_often_it_was_right():
    table = reliability([(0.05, False), (0.15, False), (0.9, True), (0.95, False), (1.0, True)])
    assert table[0] == (0.0, 0.2, 2, 0.0)
    assert table[-1][2] == 3 and abs(table[-1][3] - 2 / 3) < 1e-9
    assert sum(n for _, _, n, _ in table) == 5


def test_the_baseline_is_the_answerer_before_the_selector_scorer_and_wider_reading():
    from rag.eval.answers import baseline_settings
    from rag.settings import Settings

    base = baseline_settings(Settings(k=7))
    assert (base.answer_selector, base.answer_scorer, base.article_passages, base.k) == (False, False, 0, 7)
