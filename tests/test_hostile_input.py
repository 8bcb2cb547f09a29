"""Hostile and broken input over every way in: the Python API, the CLI and the chat/library handlers.

Each kind of bad input (blank, huge or control-laden questions; binary, non-UTF-8,
empty and oversized files; HTML scripts; JSONL with a bad line; duplicates; crafted
upload names) must end in a clear ``InputError`` line or a normal answer, never a
traceback, and must never leave half an index behind. Real model, real files, real
subprocess for the CLI's standard input path.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from rag.cli import main
from rag.errors import InputError
from rag.readers.files import read_html, read_path, read_path_report
from rag.retrieval.search import MAX_QUESTION_CHARS, check_question
from tests.conftest import BURNS, ROOT, SEED

LIMIT = MAX_QUESTION_CHARS
MIXED = (
    "Who warned Russia? Кто предупредил Россию? 谁警告了俄罗斯？ מי הזהיר את רוסיה? "
    "من حذر روسيا؟ 🇷🇺👩‍👩‍👧 \u202eevil\u202c \x00\x1b[31mred\x1b[0m \x07\x08\x7f\x85\x9b \ud800"
)
HUGE_QUESTIONS = {"100 KB": "Who warned Russia? " + "why " * 25_000, "10 MB": "Who warned Russia? " + "x" * 10_000_000}
HOSTILE_QUESTIONS = {**HUGE_QUESTIONS, "mixed scripts and controls": MIXED, "escapes only": "\x1b[2J\x1b[H?"}
BLANK_QUESTIONS = ["", "   ", "\n\t \r\n", "\x00\x1b\x07\x7f", "\u0085\x0b\x0c"]
HARBOUR = (
    "Harbour Bridge Opens to Traffic\n"
    "The city's new crossing opened on Saturday after three years of work.\n"
    "Mayor Ines Duarte cut the ribbon of the Harbour Bridge on Saturday morning, watched by "
    "several thousand residents.\nThe bridge links the old port with the northern districts.\n"
)
SECRETS = ("SCRIPTSECRET", "INLINESCRIPT", "STYLESECRET", "COMMENTSECRET", "NOSCRIPTSECRET", "secret-style-rule")
HOSTILE_HTML = """<html><head><title>Harbour Bridge Opens</title>
<style>.secret-style-rule { color: red }</style><script>var token = "SCRIPTSECRET";</script></head>
<body><article><h1>Harbour Bridge Opens</h1><!-- COMMENTSECRET: editor's note, not for print -->
<p>Mayor Ines Duarte cut the ribbon of the Harbour Bridge on Saturday morning, watched by several
thousand residents who had waited three years for the crossing.</p>
<script>document.write("INLINESCRIPT")</script><style>p { STYLESECRET: 1 }</style>
<p>The bridge links the old port with the northern districts and will carry twenty thousand cars
a day, officials said on Saturday.</p><noscript>NOSCRIPTSECRET enable JavaScript</noscript>
</article></body></html>"""


def controls(text: str) -> set[str]:
    return {c for c in text if unicodedata.category(c) in ("Cc", "Cs") and c not in "\t\n"}


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def jsonl(*records: dict | str) -> str:
    return "\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records) + "\n"


def story(n: int) -> dict:
    return {"title": f"Story {n}", "text": f"The council approved plan number {n} on Tuesday after a long debate."}


@pytest.fixture(scope="module")
def seed(tmp_path_factory):
    """An in-memory index of the seed article (never saved: read-only for every test here)."""
    from rag.settings import Settings
    from rag.stores.folder.index import Index

    settings = Settings(index_dir=tmp_path_factory.mktemp("unused") / "index")
    return Index.build(read_path(SEED), settings)


@pytest.fixture
def built(tmp_path):
    index_dir = tmp_path / "index"
    assert main(["index", "build", str(SEED), "--index-dir", str(index_dir)]) == 0
    return index_dir


def live_state(index_dir: Path) -> dict[str, str]:
    """What the saved index holds: article id -> content hash."""
    from rag.settings import Settings
    from rag.stores.folder.index import Index

    return dict(Index.load(Settings(index_dir=index_dir), check_model=False).manifest.articles)


# -- questions ----------------------------------------------------------------------------------


@pytest.mark.parametrize("question", BLANK_QUESTIONS + [None])
def test_blank_questions_get_a_clear_message(question):
    with pytest.raises(InputError, match="the question is empty; type a question"):
        check_question(question)


@pytest.mark.parametrize("question", [42, b"Who warned Russia?", ["Who"]])
def test_non_text_questions_are_refused(question):
    with pytest.raises(InputError, match="the question must be text"):
        check_question(question)


@pytest.mark.parametrize("kind", HUGE_QUESTIONS)
def test_long_questions_are_cut_at_a_word_boundary_with_a_warning(kind, caplog):
    question = HUGE_QUESTIONS[kind]
    with caplog.at_level(logging.WARNING, logger="rag.retrieval.search"):
        cut = check_question(question)
    assert len(cut) <= LIMIT and question.startswith(cut)
    assert cut.startswith("Who warned Russia?")
    if kind == "100 KB":  # words: the cut falls between two of them
        assert cut.endswith("why") and len(cut) > LIMIT - 5
    assert f"{len(question):,} characters; only the first {LIMIT:,}" in caplog.text


def test_a_ten_megabyte_question_is_cut_before_any_work(monkeypatch):
    import rag.text.sanitize

    seen: list[int] = []
    real = rag.text.sanitize.strip_controls
    monkeypatch.setattr(rag.text.sanitize, "strip_controls", lambda text: seen.append(len(text)) or real(text))
    assert check_question("Who?" + "\x00" * 10_000_000) == "Who?"
    with pytest.raises(InputError, match="question is empty"):  # documented: only the head is read
        check_question("\x00" * 10_000_000 + "Who?")
    assert seen and max(seen) <= LIMIT * rag.text.sanitize.QUESTION_READ_FACTOR


def test_control_characters_are_stripped_and_every_script_kept():
    cleaned = check_question(MIXED)
    assert not controls(cleaned)
    for kept in ("Кто предупредил", "谁警告了俄罗斯", "מי הזהיר", "من حذر", "🇷🇺👩‍👩‍👧", " red", " evil"):
        assert kept in cleaned
    assert "[31m" not in cleaned and "\u202e" not in cleaned  # whole escapes and bidi overrides go (issue 13)
    assert check_question("a\tb\nc") == "a\tb\nc"


@pytest.mark.parametrize("kind", HOSTILE_QUESTIONS)
def test_api_answers_or_abstains_on_hostile_questions(seed, kind):
    from rag import ask, search

    answer = ask(HOSTILE_QUESTIONS[kind], index=seed, settings=seed.settings)
    assert answer.abstained or answer.citations
    assert len(answer.question) <= LIMIT and not controls(answer.question) and not controls(answer.text)
    hits = search(HOSTILE_QUESTIONS[kind], 3, index=seed)
    assert all(h.chunk.article_id in seed.articles for h in hits)
    if kind != "escapes only":  # each still opens with a real question about the seed
        # Top 3, not top 1: the mixed question's stripped escapes now leave real words ("red", "evil").
        assert any(BURNS in hit.chunk.text for hit in hits)


def test_api_refuses_a_blank_question_before_loading_anything(tmp_path):
    """No index exists in this folder: a loading attempt would raise IndexStoreError instead."""
    from rag import ask, search
    from rag.settings import Settings

    settings = Settings(index_dir=tmp_path / "nothing-here")
    for question in BLANK_QUESTIONS:
        with pytest.raises(InputError, match="question is empty"):
            ask(question, settings=settings)
        with pytest.raises(InputError, match="question is empty"):
            search(question, settings=settings)
    assert not settings.index_dir.exists()


def test_cli_questions(built, capsys):
    for question in BLANK_QUESTIONS:
        capsys.readouterr()
        assert main(["ask", question, "--index-dir", str(built)]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: the question is empty") and err.count("\n") == 1
    for question in (HUGE_QUESTIONS["100 KB"], MIXED.replace("\x00", "")):  # argv can hold neither NUL nor 10 MB
        capsys.readouterr()
        assert main(["ask", question, "--index-dir", str(built), "--json"]) == 0
        answer = json.loads(capsys.readouterr().out)
        assert len(answer["question"]) <= LIMIT and "\x1b" not in answer["question"]
        assert main(["search", question, "--index-dir", str(built), "-k", "2"]) == 0
        assert BURNS[:40] in capsys.readouterr().out


@pytest.mark.slow
def test_cli_reads_a_ten_megabyte_question_from_stdin(built):
    """A shell argument stops at 128 kB, so '-' reads the question from standard input."""
    question = ("Who warned Russia? \x1b[31m\x00" + "x" * 10_000_000 + "\xff\xfe").encode("utf-8", "surrogateescape")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    result = subprocess.run(
        [sys.executable, "-m", "rag.cli", "ask", "-", "--json", "--index-dir", str(built)],
        input=question + b"\xff\xfe",
        capture_output=True,
        timeout=300,
        env=env,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-2000:]
    assert b"only the first 2,000 are used" in result.stderr and b"Traceback" not in result.stderr
    answer = json.loads(result.stdout)
    assert answer["question"] == "Who warned Russia?"  # cut at the last word boundary before the limit


def _chat(seed, question: str) -> str:
    from rag.app import chat

    handler = chat.make_handler(seed.settings, load=lambda _: seed)  # the real seed index
    updates = [(h[-2]["content"], h[-1]["content"]) for _, h, _, _, _ in handler(question, [], [])]
    shown, reply = updates[-1]
    assert len(shown) < 1000  # the chat echoes a summary of a pasted 10 MB, not the paste
    return reply


@pytest.mark.parametrize("question", BLANK_QUESTIONS)
def test_chat_handler_shows_a_message_for_blank_questions(seed, question):
    assert "question is empty" in _chat(seed, question)


@pytest.mark.parametrize("kind", HOSTILE_QUESTIONS)
def test_chat_handler_answers_hostile_questions(seed, kind, monkeypatch):
    from rag.app import chat

    monkeypatch.setattr(chat, "STREAM_PAUSE", 0)
    reply = _chat(seed, HOSTILE_QUESTIONS[kind])
    assert "something went wrong" not in reply and "\x1b" not in reply and "\x00" not in reply
    assert (f"Only the first {LIMIT:,} characters" in reply) == (kind in HUGE_QUESTIONS)


# -- files --------------------------------------------------------------------------------------

BINARIES = {
    "png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
    "pdf": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Length 5 >>\nstream\n\x00\x01\x02\nendstream",
    "elf": b"\x7fELF\x02\x01\x01\x00" + bytes(200),
    "gzip": b"\x1f\x8b\x08\x00" + bytes(range(1, 256)) * 2 + b"\x00",
    "control junk": bytes(range(1, 9)) * 200,  # no NUL, but no text either
}
EXTENSIONS = (".txt", ".md", ".html", ".jsonl")


@pytest.mark.parametrize("kind", BINARIES)
@pytest.mark.parametrize("ext", EXTENSIONS)
def test_binary_files_are_refused(tmp_path, kind, ext):
    path = write(tmp_path / f"blob{ext}", BINARIES[kind])
    with pytest.raises(InputError, match="binary file|no other encoding fits") as info:
        read_path(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)


ENCODED = {
    "cp1252": ("Économie française\nLe café coûte plus cher à Paris, selon l'étude publiée mardi.", "cp1252"),
    "cp1251": ("Новости погоды\nВ Москве ожидается сильный снегопад, сообщили синоптики во вторник.", "cp1251"),
    "shift_jis": ("東京のニュース\n東京で国際会議が開かれ、各国の代表が気候変動について議論した。", "shift_jis"),
    "utf-16 with BOM": ("Harbour Bridge\nMayor Ines Duarte cut the ribbon on Saturday morning.", "utf-16"),
    "utf-8 with BOM": ("Harbour Bridge\nMayor Ines Duarte cut the ribbon on Saturday morning.", "utf-8-sig"),
}


@pytest.mark.parametrize("kind", ENCODED)
def test_non_utf8_files_are_decoded(tmp_path, kind):
    text, codec = ENCODED[kind]
    (article,) = read_path(write(tmp_path / "story.txt", text.encode(codec)))
    title, body = text.split("\n")
    assert article.title == title and article.text == body


def test_undecodable_file_is_refused_naming_it(tmp_path):
    path = write(tmp_path / "junk.md", b"\x89PNG\r\n\x1a\n" + bytes(range(1, 256)) * 3)
    with pytest.raises(InputError, match="not UTF-8 text and no other encoding fits: .*junk.md"):
        read_path(path)


@pytest.mark.parametrize("content", [b"", b"   \n\n\t", "\u00a0\u2003\n".encode(), b"\x1c\x1d\x1e", b"\xef\xbb\xbf"])
@pytest.mark.parametrize("ext", EXTENSIONS)
def test_empty_and_blank_files_are_refused(tmp_path, content, ext):
    with pytest.raises(InputError, match="empty file|no text in") as info:
        read_path(write(tmp_path / f"blank{ext}", content))
    assert "\n" not in str(info.value)


def test_a_fifo_named_like_an_article_is_refused_not_read(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)  # reading it would block forever
    with pytest.raises(InputError, match="not a regular file"):
        read_path(fifo)


@pytest.mark.parametrize("name", ["a\x00b.txt", "x" * 400 + ".txt", "/proc/self/mem.txt"])
def test_impossible_paths_are_input_errors(name):
    with pytest.raises(InputError):
        read_path(Path(name))


def test_a_50_mb_article_file_is_refused_by_its_size_alone(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:  # sparse: all NUL bytes, so reading it would say "binary" instead
        handle.truncate(50_000_000)
    with pytest.raises(InputError, match=r"50,000,000 bytes; the article size limit is 1,000,000 bytes"):
        read_path(path)


@pytest.mark.parametrize("ext", [".html", ".md"])
def test_a_50_mb_page_is_refused_by_its_size_alone(tmp_path, ext):
    path = tmp_path / f"huge{ext}"
    with path.open("wb") as handle:
        handle.truncate(50_000_000)
    with pytest.raises(InputError, match=r"50,000,000 bytes; the (HTML|article) size limit .*is 1?0?,000,000 bytes"):
        read_path(path)


def test_a_50_mb_jsonl_record_is_refused_naming_its_line(tmp_path):
    path = tmp_path / "feed.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        handle.write(json.dumps(story(1)) + "\n")
        handle.write('{"title": "Huge", "text": "' + "word " * 10_000_000 + '"}\n')
    with pytest.raises(InputError, match=r"feed\.jsonl line 2 is over 1,000,000 bytes, the article size limit"):
        read_path(path)
    reading = read_path_report(path, skip_bad_lines=True)
    assert [a.title for a in reading.articles] == ["Story 1"] and [b.line for b in reading.bad_lines] == [2]


def test_the_article_limit_comes_from_settings(tmp_path):
    from rag.api import read_sources
    from rag.settings import Settings

    path = write(tmp_path / "story.txt", HARBOUR)
    assert read_sources([path], Settings(max_article_bytes=10_000)).articles
    with pytest.raises(InputError, match="the article size limit is 100 bytes"):
        read_sources([path], Settings(max_article_bytes=100))
    page = write(tmp_path / "page.html", HOSTILE_HTML)  # markup may be 10x the limit; its text may not
    assert read_sources([page], Settings(max_article_bytes=1_000)).articles
    with pytest.raises(InputError, match="the text of .*page.html is over 300 bytes, the article size limit"):
        read_sources([page], Settings(max_article_bytes=300))
    assert page.stat().st_size > 500
    with pytest.raises(InputError, match=r"the HTML size limit \(10 x the article size limit\) is 500 bytes"):
        read_sources([page], Settings(max_article_bytes=50))


def test_scripts_styles_and_comments_are_never_indexed(tmp_path, seed):
    from rag.stores.folder.index import Index

    article = read_path(write(tmp_path / "page.html", HOSTILE_HTML))[0]
    assert "Ines Duarte" in article.text
    index = Index.build([article], seed.settings)
    assert index.chunks
    for secret in SECRETS:
        assert secret not in article.text and secret not in article.title
        assert all(secret not in chunk.text for chunk in index.chunks)
    with pytest.raises(InputError, match="no article text found"):
        read_html("<html><script>SCRIPTSECRET()</script><style>a{}</style><!-- COMMENTSECRET --></html>")


def test_a_yaml_alias_bomb_in_front_matter_is_not_expanded(tmp_path):
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    levels += [f"{b}: &{b} [{','.join([f'*{a}'] * 9)}]" for a, b in zip("abcde", "bcdef")]
    md = "---\n" + "\n".join(levels) + "\ntitle: *f\nauthors: *f\nurl: *f\n---\n" + HARBOUR
    (article,) = read_path(write(tmp_path / "bomb.md", md))
    assert article.title == "bomb" and article.authors == () and article.url is None  # not str() of 9^6 items


def test_a_megabyte_title_is_cut(tmp_path):
    (article,) = read_path(write(tmp_path / "t.jsonl", jsonl({"title": "T" * 900_000, "text": HARBOUR})))
    assert len(article.title) == 300


# -- JSON Lines with a bad line -----------------------------------------------------------------

BAD_LINES = {
    "bad JSON": ("{not json", "bad JSON in"),
    "not an object": ("[1, 2]", "expected a JSON object"),
    "no text": ('{"title": "x"}', "missing or empty 'text'"),
    "text not a string": ('{"text": ["a", "b"]}', "missing or empty 'text'"),
    "only furniture": ('{"text": "Subscribe"}', "empty after cleaning"),
    "id is a list": ('{"id": [1], "text": "A sentence of real text."}', "bad 'id'"),
    "id with a newline": ('{"id": "a\\nb", "text": "A sentence of real text."}', "bad 'id'"),
    "id too long": (json.dumps({"id": "x" * 500, "text": "A sentence of real text."}), "bad 'id'"),
    "lone surrogate": ('{"text": "\\ud800 broken"}', "bad JSON in"),
    "truncated": ('{"text": "cut off', "bad JSON in"),
}


@pytest.mark.parametrize("kind", BAD_LINES)
def test_a_bad_jsonl_line_is_named_and_refuses_the_file_by_default(tmp_path, kind):
    line, message = BAD_LINES[kind]
    path = write(tmp_path / "feed.jsonl", jsonl(story(1), line, story(3)))
    with pytest.raises(InputError, match=message) as info:
        read_path(path)
    assert "feed.jsonl line 2" in str(info.value) and "\n" not in str(info.value)
    reading = read_path_report(path, skip_bad_lines=True)
    assert [a.title for a in reading.articles] == ["Story 1", "Story 3"]
    assert [(b.line, message in b.reason) for b in reading.bad_lines] == [(2, True)]


def test_line_numbers_count_newlines_only(tmp_path):
    """U+2028 and NEL are legal inside JSON strings; splitting on them would shift every line number."""
    first = {"title": "Sep", "text": "First line\u2028still the first record\u0085with a NEL."}
    path = write(tmp_path / "feed.jsonl", jsonl(first, "", story(2), "{oops", story(4)))
    with pytest.raises(InputError, match=r"feed\.jsonl line 4"):
        read_path(path)


def test_every_bad_line_is_counted_and_listed(tmp_path):
    path = write(tmp_path / "feed.jsonl", jsonl("{x", story(2), "[]", story(4), '{"text": ""}'))
    with pytest.raises(InputError, match=r"line 1: .*\(first of 3 bad lines\)"):
        read_path(path)
    assert [b.line for b in read_path_report(path, skip_bad_lines=True).bad_lines] == [1, 3, 5]


def test_one_id_for_two_texts_is_a_bad_line(tmp_path):
    one = {"id": "a1", "text": "The first story is about buses."}
    other = {"id": "a1", "text": "The second story is about trams."}
    path = write(tmp_path / "feed.jsonl", jsonl(one, one, other))
    with pytest.raises(InputError, match="id 'a1' in .*line 3 is already used by line 1"):
        read_path(path)
    from rag.api import read_sources

    a = write(tmp_path / "a.jsonl", jsonl(one))
    b = write(tmp_path / "b.jsonl", jsonl(other))
    with pytest.raises(InputError, match="article id 'a1' is used by .*a.jsonl and .*b.jsonl"):
        read_sources([a, b])


def test_api_build_with_a_bad_line_refuses_or_skips(tmp_path, settings):
    from rag.api import build_index

    path = write(tmp_path / "feed.jsonl", jsonl(story(1), "{oops", story(3)))
    with pytest.raises(InputError, match="line 2"):
        build_index([path], settings)
    assert not settings.index_dir.exists()  # refused before anything was written
    index = build_index([path], settings, skip_bad_lines=True)
    assert sorted(a.title for a in index.articles.values()) == ["Story 1", "Story 3"]


def test_cli_add_with_a_bad_line_changes_nothing_unless_asked(built, tmp_path, capsys):
    path = write(tmp_path / "feed.jsonl", jsonl(story(1), "{oops", story(3)))
    before = live_state(built)
    capsys.readouterr()
    assert main(["index", "add", str(path), "--index-dir", str(built)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: bad JSON in ") and "feed.jsonl line 2" in err and err.count("\n") == 1
    assert live_state(built) == before

    assert main(["index", "add", str(path), "--skip-bad-lines", "--index-dir", str(built)]) == 0
    out = capsys.readouterr().out
    assert "skipped bad line: bad JSON in" in out and "feed.jsonl line 2" in out
    assert out.count("added ") == 2 and "0 duplicate article(s) and 1 bad line(s)" in out
    assert len(live_state(built)) == len(before) + 2


def test_cli_build_with_a_bad_line(tmp_path, capsys):
    index_dir = tmp_path / "index"
    path = write(tmp_path / "feed.jsonl", jsonl(story(1), story(2), '{"text": 5}'))
    assert main(["index", "build", str(path), "--index-dir", str(index_dir)]) == 2
    assert "line 3" in capsys.readouterr().err and not index_dir.exists()
    assert main(["index", "build", str(path), "--skip-bad-lines", "--index-dir", str(index_dir)]) == 0
    out = capsys.readouterr().out
    assert "skipped bad line: missing or empty 'text' in" in out and "built" in out
    assert len(live_state(index_dir)) == 2


# -- duplicates ---------------------------------------------------------------------------------


def test_duplicates_in_one_add_and_across_adds_are_skipped_and_listed(built, tmp_path, capsys):
    first = write(tmp_path / "harbour.txt", HARBOUR)
    copy = write(tmp_path / "copy-of-harbour.txt", HARBOUR)
    feed = write(tmp_path / "feed.jsonl", jsonl(story(1), story(1)))
    capsys.readouterr()
    assert main(["index", "add", str(first), str(copy), str(feed), "--index-dir", str(built)]) == 0
    out = capsys.readouterr().out
    assert out.count("added ") == 2 and out.count("(same content as an article already indexed") == 2
    assert "skipped 2 duplicate article(s) and 0 bad line(s)" in out

    assert main(["index", "add", str(copy), str(SEED), "--index-dir", str(built)]) == 0
    out = capsys.readouterr().out
    assert "added " not in out and "Harbour Bridge Opens to Traffic" in out and "Kremlin Says" in out
    assert "skipped 2 duplicate article(s)" in out
    assert len(live_state(built)) == 3


def test_an_id_reused_for_other_content_is_skipped_with_the_reason(built, tmp_path, capsys):
    write(tmp_path / "one.jsonl", jsonl({"id": "a1", "text": "The first story is about buses."}))
    write(tmp_path / "two.jsonl", jsonl({"id": "a1", "text": "The second story is about trams."}))
    assert main(["index", "add", str(tmp_path / "one.jsonl"), "--index-dir", str(built)]) == 0
    capsys.readouterr()
    assert main(["index", "add", str(tmp_path / "two.jsonl"), "--index-dir", str(built)]) == 0
    assert "skipped a1" in (out := capsys.readouterr().out) and "id is already used by different content" in out


def test_cli_build_reports_duplicates(tmp_path, capsys):
    index_dir = tmp_path / "index"
    copy = write(tmp_path / "copy.txt", SEED.read_text(encoding="utf-8"))
    assert main(["index", "build", str(SEED), str(copy), "--index-dir", str(index_dir)]) == 0
    out = capsys.readouterr().out
    assert "skipped 1 duplicate article(s)" in out and "built" in out and len(live_state(index_dir)) == 1


# -- upload names -------------------------------------------------------------------------------

HOSTILE_NAMES = [
    "../../x.txt",
    "..\\..\\x.txt",
    "/etc/passwd.txt",
    "/tmp/abs.txt",
    "x.txt/",
    "..",
    ".",
    "",
    "a\x00b.txt",
    "nul\x00/../../x.txt",
    "a" * 10_000 + ".txt",
    "😀" * 300 + ".md",
    "\u202etxt.md",
    "\ud800.txt",
    "....txt",
    "...",
    " .txt",
    "CON.txt",
    "x.txt\x00.png",
    "%2e%2e%2fx.txt",
    "~/x.txt",
]


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_upload_names_never_escape_the_upload_folder(tmp_path, name):
    from rag.app import uploads

    source = write(tmp_path / "tmp" / "upload", HARBOUR)
    index_dir = tmp_path / "deep" / "er" / "index"
    before = files_under(tmp_path)
    try:
        stored = uploads.store_upload(source, name, index_dir, 100_000)
    except InputError as error:
        assert "\n" not in str(error) and "\x00" not in str(error)
    else:
        assert stored.path.parent == (index_dir / uploads.UPLOAD_DIR).resolve()
        assert len(stored.path.name.encode()) <= 255 and stored.path.read_text() == HARBOUR
    new = files_under(tmp_path) - before
    assert all(p.resolve().parent == (index_dir / uploads.UPLOAD_DIR).resolve() for p in new)


def test_library_upload_handler_with_hostile_files(tmp_path, settings):
    """The Library tab's handler end to end: crafted names, binary, non-UTF-8, bad JSONL, oversized."""
    from rag.api import build_index
    from rag.app.library import add_uploads

    build_index([SEED], settings)
    gradio_tmp = tmp_path / "gradio"
    files = {
        "../../escape.txt": HARBOUR,
        "/etc/cron.d/evil.txt": HARBOUR,
        "photo.txt": BINARIES["png"],
        "café.txt": ENCODED["cp1252"][0].encode("cp1252"),
        "feed.jsonl": jsonl(story(1), "{oops"),
        "big.txt": "Big\n" + "A long sentence of text. " * 48_000,  # 1.2 MB: under the upload limit only
        "a\x00b.md": "# Nul\n\nA sentence about the nul byte in a name.",
        "x" * 5000 + ".txt": "Long Name\nA sentence about a very long file name.",
    }
    items = []
    for n, (name, content) in enumerate(files.items()):
        path = write(gradio_tmp / str(n) / "upload", content)
        items.append({"path": str(path), "orig_name": name})
    before = files_under(tmp_path)
    status, table, _ = add_uploads(settings, items)
    lines = status.split("\n\n")
    assert sum("looks like a path" in line for line in lines) == 2
    assert any("binary file" in line for line in lines)
    assert any("bad JSON in" in line and "feed.jsonl" in line and "line 2:" in line for line in lines)
    assert any("article size limit is 1,000,000 bytes" in line for line in lines)
    assert "Économie française" in status and "Nul" in status and "Long Name" in status
    uploads_dir = (settings.index_dir / "uploads").resolve()
    assert all(
        uploads_dir in p.resolve().parents or settings.index_dir.resolve() in p.resolve().parents
        for p in files_under(tmp_path) - before
    )
    assert not (tmp_path / "escape.txt").exists() and not Path("/etc/cron.d/evil.txt").exists()
    assert "Économie française" in set(table["title"])
