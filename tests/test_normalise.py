"""Question and id normalisation (issue 13, defect 8): whole escape sequences, invisible characters, exact ids.

Pure functions (``clean_question``, ``check_question``, ``read_jsonl``, ``shown``)
plus the CLI's printed lines, which must not carry a bidi override raw.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.cli.render import render_hits
from rag.errors import InputError
from rag.readers.jsonl import read_jsonl
from rag.retrieval.search import check_question
from rag.text.sanitize import clean_question, shown


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("\x1b[31mWho warned Russia?\x1b[0m", "Who warned Russia?"),
        ("Who \x1b[1;38;5;196mwarned\x1b[m Russia?", "Who warned Russia?"),
        ("\x1b]0;window title\x07Who warned Russia?", "Who warned Russia?"),
        ("\x1b]8;;http://evil.example\x1b\\Who\x1b]8;;\x1b\\ warned Russia?", "Who warned Russia?"),
        ("\x9b31mWho warned Russia?", "Who warned Russia?"),
        ("\x1bcWho warned Russia?", "Who warned Russia?"),
        ("Who\u200b warned\u2060 Russia\ufeff?", "Who warned Russia?"),
        ("\u202eWho warned Russia?\u202c", "Who warned Russia?"),
        ("\u2066Who\u2069 \u200fwarned\u200e Russia?", "Who warned Russia?"),
    ],
)
def test_escapes_and_invisible_characters_go_whole(raw, clean):
    assert clean_question(raw, 2000) == (clean, False)
    assert check_question(raw) == clean


@pytest.mark.parametrize(
    "raw", ["\u200b", "\u202e\u2066\u200b\u2069", "\ufeff \u200d\n\u200c", "\x1b[2J\x1b[H", "\x1b[31m\u200b\x1b[0m"]
)
def test_a_question_of_only_invisible_characters_is_empty(raw):
    with pytest.raises(InputError, match="empty"):
        check_question(raw)


def test_an_unterminated_escape_string_does_not_swallow_the_text():
    assert clean_question("\x1b]no end here, Who warned Russia?", 2000)[0] == "no end here, Who warned Russia?"


def test_large_integer_ids_stay_exact_and_distinct():
    lines = [json.dumps({"id": 12345678901234567890123 + n, "text": f"Story {n} about a bridge."}) for n in range(3)]
    lines.append('{"id": 18446744073709551616, "text": "Story past 64 bits."}')
    lines.append('{"doc_id": 1.50, "text": "A float id, as written."}')
    lines.append('{"id": 42, "text": "A small id."}')
    articles, bad = read_jsonl("\n".join(lines), Path("feed.jsonl"), 100_000)
    assert not bad
    assert [a.id for a in articles] == [
        "12345678901234567890123",
        "12345678901234567890124",
        "12345678901234567890125",
        "18446744073709551616",
        "1.50",
        "42",
    ]


def test_shown_escapes_bidi_and_zero_width_characters():
    assert shown("evil\u202etxt.exe") == "evil\\u202etxt.exe"
    assert shown("a\u200bb") == "a\\u200bb"
    assert shown("plain title") == "plain title"


def test_titles_and_ids_print_escaped_in_the_terminal():
    from rag.types import Chunk, Hit

    chunk = Chunk(id="c1", article_id="id\u202eabc", index=0, start=0, end=9, text="The text.")
    hit = Hit(rank=1, score=0.5, chunk=chunk, title="Title \u2066x\u2069", url=None, published=None)
    out = render_hits([hit])
    assert "\u202e" not in out and "\u2066" not in out and "\\u202e" in out
