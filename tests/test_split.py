"""The fit/report split (rag.eval.split): deterministic, disjoint, by day or by article."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from rag.errors import InputError
from rag.eval.split import split_questions


@dataclass(frozen=True)
class Q:
    id: str
    relevant: frozenset
    date: str | None = None


def test_dated_questions_split_by_day_earlier_half_fits():
    questions = [Q(str(i), frozenset({f"d{i}"}), f"2025/0{1 + i // 3}/01") for i in range(9)]
    fit, report = split_questions(questions, "fit"), split_questions(questions, "report")
    assert set(fit).isdisjoint(report) and len(fit) + len(report) == 9
    assert max(q.date for q in fit) < min(q.date for q in report)
    assert {q.date for q in fit}.isdisjoint({q.date for q in report})  # a day is never cut in two
    assert split_questions(list(reversed(questions)), "fit") == list(reversed(fit))


def test_undated_questions_split_by_article():
    questions = [Q(f"{a}{p}", frozenset({f"{a}#{p}"})) for a in "abcdefghij" for p in range(3)]
    fit, report = split_questions(questions, "fit"), split_questions(questions, "report")

    def articles(qs):
        return {next(iter(q.relevant)).split("#")[0] for q in qs}

    assert articles(fit).isdisjoint(articles(report)) and fit and report
    assert len(fit) + len(report) == len(questions)


def test_all_keeps_everything_and_unknown_parts_are_refused():
    questions = [Q("1", frozenset({"a"}))]
    assert split_questions(questions, "all") == questions
    with pytest.raises(InputError):
        split_questions(questions, "half")
