"""Fuzzing with hypothesis: readers, cleaner, chunker, citation parser and ``ask`` on arbitrary input.

The contract under test is narrow: whatever the bytes, names or text, these
functions return normally (with their invariants) or raise a ``RagError``
subclass, the project's documented errors. Anything else (UnicodeError,
StopIteration, lxml or YAML exceptions, a hang) is a bug. Example counts are
kept small enough for the whole file to run in well under a minute.
"""

from __future__ import annotations

import tempfile
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rag.answer.support import parse_claims
from rag.embedding.embedder import resolve_model_path
from rag.errors import RagError
from rag.readers.clean import clean_text, make_article
from rag.readers.files import read_html, read_path_report
from rag.settings import DEFAULT_MODEL
from rag.text.chunking import chunk_article
from rag.text.sanitize import clean_question
from rag.text.tokens import load_batch_token_counter, load_token_counter
from tests.conftest import SEED

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MODEL = resolve_model_path(DEFAULT_MODEL)
COUNT = load_token_counter(MODEL)
COUNT_BATCH = load_batch_token_counter(MODEL)

# Every code point, surrogates and controls included, weighted towards the troublesome ones.
ANY_CHAR = st.characters(codec=None, categories=None)
NASTY = st.sampled_from(list("\x00\x1b\x07\x0b\x0c\r\x1c\x85\u2028\u2029\u202e\u200b\ufeff\ud800\udfff\x7f\x9b"))
TEXT = st.text(st.one_of(ANY_CHAR, NASTY, st.sampled_from(list(" \n.?!\"'[]1:-#<>{}"))), max_size=400)
WORDS = st.sampled_from(
    [
        "The",
        "council",
        "said",
        "Mr.",
        "U.S.",
        "5,000",
        "Moscow",
        "Кремль",
        "東京",
        "مرحبا",
        "😀",
        "[1]",
        "[2, 3]",
        "[99999999999999999999]",
        "---",
        "#",
        "<p>",
        "</script>",
        "\x00",
        "\x1b[31m",
        "\ud800",
        "\n",
        "\n\n",
        ".",
        "?",
    ]
)
PROSE = st.lists(WORDS, max_size=80).map(" ".join)
EXTENSIONS = st.sampled_from([".txt", ".md", ".html", ".htm", ".json", ".jsonl", ".TXT", "", ".pdf"])
NAMES = st.text(st.one_of(ANY_CHAR, st.sampled_from(list("./\\ ~"))), max_size=40)


def _structured_bytes() -> st.SearchStrategy[bytes]:
    """Bytes that get past the first checks: front matter, JSON lines, markup, other encodings."""
    front = st.builds(lambda meta, body: f"---\n{meta}\n---\n{body}", TEXT, PROSE)
    lines = st.lists(
        st.one_of(
            TEXT,
            st.builds(lambda t, x: f'{{"title": {t!r}, "text": "{x}"}}'.replace("'", '"'), PROSE, PROSE),
            st.fixed_dictionaries({"text": PROSE, "id": st.one_of(st.integers(), TEXT, st.lists(st.integers()))}).map(
                lambda d: __import__("json").dumps(d)
            ),
        ),
        max_size=6,
    ).map("\n".join)
    markup = st.builds(
        lambda a, b: f"<html><body><article><p>{a}</p><script>{b}</script><!--{b}--></article>", PROSE, TEXT
    )
    text = st.one_of(front, lines, markup, PROSE, TEXT)
    encoding = st.sampled_from(["utf-8", "utf-16", "cp1252", "cp1251", "shift_jis", "latin-1"])
    return st.one_of(
        st.binary(max_size=600),
        st.builds(
            lambda t, enc: t.encode(enc, "ignore") if enc != "utf-8" else t.encode("utf-8", "surrogatepass"),
            text,
            encoding,
        ),
    )


@FUZZ
@given(data=_structured_bytes(), name=NAMES, ext=EXTENSIONS, skip=st.booleans())
def test_read_path_on_arbitrary_files_raises_only_project_errors(data, name, ext, skip):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{name}{ext}"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        except (OSError, ValueError):  # an impossible name: reading it must still fail cleanly
            pass
        try:
            reading = read_path_report(path, skip_bad_lines=skip)
        except RagError as error:
            assert "\n" not in str(error)
            return
        for article in reading.articles:
            assert article.text and article.text == clean_text(article.text)
            assert not _controls(article.text + article.title)


@FUZZ
@given(html=st.one_of(TEXT, _structured_bytes().map(lambda b: b.decode("utf-8", "replace"))))
def test_read_html_raises_only_project_errors(html):
    try:
        article = read_html(html, source="fuzz.html")
    except RagError:
        return
    assert article.text.strip()


@FUZZ
@given(text=TEXT, title=TEXT)
def test_cleaning_is_total_idempotent_and_control_free(text, title):
    cleaned = clean_text(text)
    assert clean_text(cleaned) == cleaned and not _controls(cleaned)
    try:
        article = make_article(title, text)
    except RagError:
        assert not cleaned
        return
    assert article.text == cleaned and len(article.title) <= 300
    assert make_article(article.title, article.text).content_hash == article.content_hash


@FUZZ
@given(question=st.one_of(TEXT, PROSE), limit=st.integers(1, 3000))
def test_question_cleaning_cuts_at_the_limit(question, limit):
    cleaned, cut = clean_question(question, limit)
    assert len(cleaned) <= limit and not _controls(cleaned) and cleaned == cleaned.strip()
    assert cut or len(question) <= 4 * limit


@FUZZ
@given(text=st.one_of(TEXT, PROSE), budget=st.integers(8, 120), overlap=st.integers(0, 2))
def test_chunker_on_arbitrary_clean_text_keeps_its_invariants(text, budget, overlap):
    try:
        article = make_article("Fuzz", text)
    except RagError:
        return
    chunks = chunk_article(
        article, COUNT, chunk_tokens=budget, overlap_sentences=overlap, count_tokens_batch=COUNT_BATCH
    )
    for chunk in chunks:
        assert article.text[chunk.start : chunk.end] == chunk.text and chunk.text.strip()
        assert COUNT(chunk.text) <= budget
    covered = "".join(article.text[c.start : c.end] for c in chunks)
    assert set("".join(article.text.split())) <= set(covered)  # no visible character is lost


@FUZZ
@given(answer=st.one_of(TEXT, PROSE), valid=st.sets(st.integers(-3, 30), max_size=6))
def test_citation_parsing_is_total(answer, valid):
    claims = parse_claims(answer, valid)
    for claim in claims:
        assert set(claim.citations) <= valid and len(set(claim.citations)) == len(claim.citations)


@pytest.fixture(scope="module")
def seed_index(tmp_path_factory):
    from rag.readers.files import read_path
    from rag.settings import Settings
    from rag.stores.folder.index import Index

    return Index.build(read_path(SEED), Settings(index_dir=tmp_path_factory.mktemp("unused") / "index"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(question=st.one_of(TEXT, PROSE))
def test_ask_answers_abstains_or_raises_a_project_error(seed_index, question):
    from rag import ask

    try:
        answer = ask(question, index=seed_index, settings=seed_index.settings)
    except RagError:
        return
    assert answer.abstained or answer.citations
    assert not _controls(answer.text) and len(answer.question) <= 2000


def _controls(text: str) -> set[str]:
    return {c for c in text if unicodedata.category(c) in ("Cc", "Cs") and c not in "\t\n"}
