"""Tests for rag.readers.clean: boilerplate removal by general rules, hashing, make_article."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.errors import InputError
from rag.readers.clean import article_id, clean_text, content_hash, make_article
from rag.readers.files import read_path
from tests.conftest import seed_questions

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "articles" / "kremlin-says-second-biden-putin-meeting.txt"
AUTHOR_LINE = "Amy Mackinnon is a national security and intelligence reporter at Foreign Policy. Twitter: @ak_mack"
BURNS = (
    "CIA director William Burns traveled to Moscow earlier this month to warn Russia "
    "that Washington was closely watching its troop buildup."
)

# Long enough prose that a tail starts after 60% of the text.
PROSE = [
    "The city council voted on Tuesday to approve a new budget that raises spending on buses, "
    "trams and cycle lanes by a fifth, the largest increase in more than a decade.",
    "Supporters said the plan would cut traffic in the centre and help the city meet its climate "
    "targets, while opponents warned that property taxes would have to rise to pay for it.",
    "The mayor, who first proposed the plan in the spring, said work on the first new tram line "
    "would begin next year and be finished before the end of her term in office.",
    "A final vote on the property tax rate is expected next month after a public consultation "
    "that the council says will run for six weeks and include meetings in every district.",
]


def seed_article():
    (article,) = read_path(SEED)
    return article


def test_seed_title_and_standfirst_first():
    article = seed_article()
    assert article.title == "Kremlin Says Second Biden-Putin Meeting Is in the Works"
    assert article.text.split("\n")[0] == (
        "Talk of a virtual summit comes as U.S. officials are increasingly alarmed by "
        "Russia’s military buildup near its border with Ukraine."
    )


def test_seed_has_no_repeated_paragraph():
    paragraphs = seed_article().text.split("\n")
    assert len(paragraphs) == len(set(paragraphs))
    assert seed_article().text.count("Amid increasing alarm among U.S. officials") == 1


@pytest.mark.parametrize(
    "boilerplate",
    [
        "More from Foreign Policy",
        "Join the Conversation",
        "Subscribe",
        "View Comments",
        "Already a subscriber?",
        "Not your account?",
        "Please follow our comment guidelines",
        "Commenting on this and other recent articles",
        "At Long Last, the Foreign Service Gets the Netflix Treatment",
        "Keri Russell gets Drexel furniture but no Senate confirmation hearing.",
        "How Macron Is Blocking EU Strategy on Russia and China",
        "As a strategic consensus emerges in Europe, France is in the way.",
        "What the Bush-Obama China Memos Reveal",
        "Russia’s Boom Business Goes Bust",
        "Moscow’s arms exports have fallen to levels not seen since the Soviet Union’s collapse.",
    ],
)
def test_seed_boilerplate_removed(boilerplate):
    assert boilerplate not in seed_article().text


def test_seed_keeps_content_and_ends_with_article():
    text = seed_article().text
    assert "Amy Mackinnon is a national security and intelligence reporter" in text
    assert BURNS in text
    last = text.split("\n")[-1]
    assert last == AUTHOR_LINE or last.startswith("“He actually said that this state of apprehension")


def test_seed_question_evidence_survives_cleaning():
    text = seed_article().text
    answerable = [q for q in seed_questions() if q["answerable"]]
    assert answerable
    for question in answerable:
        assert question["evidence"] in text, question["id"]


def test_other_site_tail_is_cut():
    raw = "\n".join(
        [
            *PROSE,
            "Related Articles",
            "",
            "Budget Row Deepens as Council Splits",
            "Five things to know about the new tram line",
            "Sign up for our newsletter",
            "Share this article",
            "Advertisement",
        ]
    )
    assert clean_text(raw) == "\n".join(PROSE)


def test_tail_with_long_prose_after_marker_is_kept():
    epilogue = (
        "In a statement released after the vote, the transport union said its members would "
        "support the plan as long as the council honoured its promise to hire local drivers "
        "for every new route and to keep fares frozen for at least the next three years, "
        "a condition the mayor has so far refused to accept in public."
    )
    raw = "\n".join([*PROSE, "Comments", epilogue])
    cleaned = clean_text(raw)
    assert epilogue in cleaned
    assert "Comments" not in cleaned.split("\n")  # still a bare label, removed inline


def test_word_subscribe_inside_prose_is_kept():
    sentence = (
        "Readers who subscribe to the paper's print edition will see the change first, the "
        "publisher said, because the new layout was designed around the weekend magazine."
    )
    raw = "\n".join([PROSE[0], sentence, *PROSE[1:], "Subscribe"])
    cleaned = clean_text(raw)
    assert sentence in cleaned
    assert cleaned.split("\n")[-1] == PROSE[-1]


@pytest.mark.parametrize(
    "line", ["Subscribe Subscribe", ".Subscribe", "Advertisement", "Share on Twitter", "Click here to read more"]
)
def test_inline_furniture_removed_anywhere(line):
    raw = "\n".join([PROSE[0], line, PROSE[1]])
    assert clean_text(raw) == "\n".join(PROSE[:2])


def test_author_bio_after_marker_is_not_cut():
    bio = "Jane Doe is a senior correspondent covering city hall."
    raw = "\n".join([*PROSE, "Read more", bio])
    assert clean_text(raw).split("\n")[-1] == bio


def test_whitespace_newlines_and_unicode_normalised():
    raw = "  First   paragraph.  \r\n\r\n\r\n\r\nCafe\u0301 opens.\t\r\nFirst paragraph.\n"
    assert clean_text(raw) == "First paragraph.\nCafé opens."


_WORDS = ["Subscribe", "More from X", "Comments", "Read more", ".Share", "the", "cat sat.", "a" * 30]
_LINES = st.one_of(
    st.text(alphabet="abcAB .?\r\t", max_size=40),
    st.lists(st.sampled_from(_WORDS), max_size=50).map(" ".join),
)


@given(st.lists(_LINES, max_size=12))
@settings(max_examples=300, deadline=None)
def test_cleaning_only_drops_lines_and_is_idempotent(parts):
    raw = "\n".join(parts)
    cleaned = clean_text(raw)
    source_lines = {" ".join(line.split()) for line in raw.replace("\r", "\n").split("\n")}
    out = cleaned.split("\n") if cleaned else []
    assert all(line and line in source_lines for line in out)
    assert len(out) == len(set(out))
    # Re-cleaning stored text (e.g. a re-imported export) must keep its hash and id.
    assert clean_text(cleaned) == cleaned


def test_seed_cleaning_is_idempotent():
    article = seed_article()
    assert make_article(article.title, article.text).id == article.id


def test_hash_and_id():
    digest = content_hash("  A   title ", "body")
    assert digest == content_hash("A title", "body")
    assert len(digest) == 64 and article_id(digest) == digest[:16]
    assert content_hash("A title", "body!") != digest


def test_make_article_fields():
    article = make_article(
        " Title ", PROSE[0], url=" https://example.com/a ", published="2017/04/21", authors=[" Jane Doe ", ""]
    )
    assert article.title == "Title"
    assert article.id == article_id(article.content_hash)
    assert article.url == "https://example.com/a"
    assert article.published == "2017-04-21"
    assert article.authors == ("Jane Doe",)
    assert make_article("T", PROSE[0], authors="Solo Author").authors == ("Solo Author",)
    assert make_article("T", PROSE[0], id="doc-7").id == "doc-7"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2017-04-21", "2017-04-21"),
        ("2017/04/21", "2017-04-21"),
        ("2017-04-21T09:30:00Z", "2017-04-21"),
        ("2017-04-21 09:30:00+02:00", "2017-04-21"),
        ("April 21, 2017", "2017-04-21"),
        ("2017-02-30", None),
        ("last Tuesday", None),
        ("", None),
        (None, None),
    ],
)
def test_published_normalised_or_none(value, expected):
    assert make_article("T", PROSE[0], published=value).published == expected


def test_make_article_empty_after_cleaning_raises():
    with pytest.raises(InputError, match="empty after cleaning"):
        make_article("T", "Subscribe\n\nAdvertisement\n", source="x.txt")
