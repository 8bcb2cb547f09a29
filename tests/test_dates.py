"""The date prior (rag.retrieval.dates) is pure; the as-of ranking runs on a real index with the real model."""

from __future__ import annotations

import json
from datetime import date

import pytest

from rag.cli import main
from rag.errors import ConfigError
from rag.retrieval.dates import Window, date_prior, is_future, parse_date, question_window
from rag.settings import Settings

NOW = date(2025, 6, 18)


def test_parse_date_accepts_iso_and_slashes_and_refuses_the_rest():
    assert parse_date("2025-06-18") == parse_date("2025/06/18") == parse_date("2025-06-18T10:00") == NOW
    assert parse_date(None) is parse_date("June 18") is parse_date("2025-02-30") is None


@pytest.mark.parametrize(
    "question, start, end",
    [
        ("What happened this week in Congress?", date(2025, 6, 11), NOW),
        ("Who resigned last week?", date(2025, 6, 4), NOW),
        ("What did the court rule yesterday?", date(2025, 6, 16), NOW),
        ("What was announced in March?", date(2025, 3, 1), date(2025, 4, 7)),
        ("What happened in November?", date(2024, 11, 1), date(2024, 12, 7)),  # the latest November
        ("Who won in March 2023?", date(2023, 3, 1), date(2023, 4, 7)),  # a week of follow-up reporting
        ("What happened in 2021?", date(2021, 1, 1), date(2021, 12, 31)),
    ],
)
def test_question_window_names_the_time_asked_about(question, start, end):
    window = question_window(question, NOW)
    assert (window.start, window.end) == (start, end)


def test_questions_without_a_time_have_no_window():
    for question in ("Who won the election?", "What may happen to rates?", "How many people live in Lagos?"):
        assert question_window(question, NOW) is None


def test_recently_looks_back_a_month():
    window = question_window("Who recently became CEO?", NOW)
    assert window.end == NOW and (NOW - window.start).days == 30


def test_date_prior_is_one_inside_the_window_and_fades_outside():
    window = Window(date(2025, 6, 11), NOW)
    inside, near, far = (date_prior(d, NOW, window) for d in ("2025-06-12", "2025-06-01", "2024-06-01"))
    assert inside == 1.0 and 0 < far < near < 1
    assert date_prior(None, NOW, window) == 0.0


def test_recency_prior_prefers_newer_articles_and_stays_in_range():
    values = [date_prior(d, NOW, None) for d in ("2025-06-18", "2025-01-01", "2020-01-01")]
    assert values[0] == 1.0 and values == sorted(values, reverse=True) and values[-1] > 0


def test_future_articles_are_those_after_now():
    assert is_future("2025-06-19", NOW) and not is_future("2025-06-18", NOW) and not is_future(None, NOW)


def test_as_of_setting_is_checked():
    assert Settings(as_of="2022-06-01").as_of == "2022-06-01"
    assert Settings.from_env({"RAG_AS_OF": "2022-06-01"}).as_of == "2022-06-01"
    for bad in ("2022/06/01", "June 2022", "2022-13-01"):
        with pytest.raises(ConfigError, match="as_of"):
            Settings(as_of=bad)


ELECTIONS = [  # two mayoral elections in one town
    ("riverton-2019", "2019-11-05", "Ana Ortiz"),
    ("riverton-2023", "2023-11-07", "Chloe Diaz"),
]


@pytest.fixture(scope="module")
def election_index(tmp_path_factory):
    folder = tmp_path_factory.mktemp("elections")
    corpus = folder / "corpus.jsonl"
    corpus.write_text(
        "\n".join(
            json.dumps(
                {
                    "doc_id": doc_id,
                    "publish_date": day,
                    "title": f"{name} wins Riverton mayoral election",
                    "text": f"{name} won the election for mayor of Riverton on Tuesday, taking 54 percent of the vote. "
                    f"Turnout was higher than at the last election, officials said.",
                }
            )
            for doc_id, day, name in ELECTIONS
        )
    )
    assert main(["index", "build", str(corpus), "--index-dir", str(folder / "index")]) == 0
    return folder / "index"


def _ranked(index_dir, capsys, question, *flags) -> list[str]:
    capsys.readouterr()
    assert main(["search", question, "--index-dir", str(index_dir), "--json", "-k", "3", *flags]) == 0
    return [h["chunk"]["article_id"] for h in json.loads(capsys.readouterr().out)]


def test_as_of_between_two_elections_ranks_the_one_known_then_first(election_index, capsys):
    for flags in (["--as-of", "2021-06-01"], ["--as-of", "2023-11-06"]):
        assert _ranked(election_index, capsys, "Who won the election?", *flags) == ["riverton-2019"]


def test_as_of_after_both_keeps_both_and_latest_prefers_the_newer(election_index, capsys):
    assert set(_ranked(election_index, capsys, "Who won the election?")) == {d for d, _, _ in ELECTIONS}
    assert _ranked(election_index, capsys, "Who won the latest election?")[0] == "riverton-2023"
    assert (
        _ranked(election_index, capsys, "Who won the election in November 2019?", "--as-of", "2024-01-01")[0]
        == "riverton-2019"
    )


def test_rag_as_of_environment_variable_sets_now(election_index, capsys, monkeypatch):
    monkeypatch.setenv("RAG_AS_OF", "2020-01-01")
    assert _ranked(election_index, capsys, "Who won the election?") == ["riverton-2019"]


def test_ask_within_a_date_range_quotes_only_articles_published_in_it(election_index, capsys):
    def asked(*flags):
        capsys.readouterr()
        assert main(["ask", "Who won the election?", "--index-dir", str(election_index), "--json", *flags]) == 0
        return json.loads(capsys.readouterr().out)

    older = asked("--to", "2020-12-31")
    assert "Ana Ortiz" in older["text"] and {c["article_id"] for c in older["citations"]} == {"riverton-2019"}
    newer = asked("--from", "2023-01-01")
    assert "Chloe Diaz" in newer["text"] and {c["article_id"] for c in newer["citations"]} == {"riverton-2023"}
    nothing = asked("--from", "2024-01-01")
    assert nothing["abstained"] and not nothing["citations"]


def test_ask_refuses_a_date_range_that_is_not_one(election_index, capsys):
    assert (
        main(["ask", "Who won?", "--index-dir", str(election_index), "--from", "2023-01-01", "--to", "2020-01-01"]) == 2
    )
    assert "date_from 2023-01-01 is after date_to 2020-01-01" in capsys.readouterr().err
