"""The real app in a real browser: ``python app.py`` in a subprocess, driven by headless Chromium.

One app per module (it builds its index from data/articles/ on first start, with
a small upload limit so the over-limit case is cheap); every test opens its own
page, i.e. its own chat session. Set RAG_SCREENSHOT_OUT=1 to also write
docs/screenshot.png (the README image) from the "Who warned Russia?" answer.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from app_process import start_app  # noqa: E402

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
UPLOAD_LIMIT = 20_000
ANSWER_TIMEOUT_MS = 90_000
SEED_TITLE = "Kremlin Says Second Biden-Putin Meeting Is in the Works"
BURNS_QUOTE = "CIA director William Burns traveled to Moscow"
HARBOUR = (
    "Harbour Bridge Opens to Traffic\n"
    "The city's new crossing opened on Saturday after three years of work.\n"
    "Mayor Ines Duarte cut the ribbon of the Harbour Bridge on Saturday morning, watched by "
    "several thousand residents.\nThe bridge links the old port with the northern districts.\n"
)
HARBOUR_TITLE = "Harbour Bridge Opens to Traffic"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    work = tmp_path_factory.mktemp("app")
    server = start_app(work / "index", work, env={"RAG_MAX_UPLOAD_BYTES": str(UPLOAD_LIMIT)})
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    playwright_api = pytest.importorskip("playwright.sync_api")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with playwright_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            user_data_dir=str(profile),
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1400, "height": 1000},
        )
        yield context
        context.close()


@pytest.fixture
def page(app, browser):
    page = browser.new_page()
    page.goto(app.url)
    # The browser profile is shared by the module: start each test with no saved conversation.
    page.evaluate("() => localStorage.clear()")
    page.reload()
    page.locator("#question textarea").wait_for(timeout=60_000)
    yield page
    page.close()


def bot_messages(page):
    return page.locator("#chatbot [data-testid=bot]")


def ask(page, question: str) -> str:
    """Submit ``question`` and return the final text of the new answer once streaming is over."""
    before = bot_messages(page).count()
    box = page.locator("#question textarea")
    box.fill(question)
    box.press("Enter")
    page.wait_for_function(
        "n => document.querySelectorAll('#chatbot [data-testid=bot]').length > n",
        arg=before,
        timeout=ANSWER_TIMEOUT_MS,
    )
    # Gradio marks outputs .pending/.generating while the event streams; gone means finished.
    page.wait_for_function(
        "() => document.querySelectorAll('.pending, .generating').length === 0",
        timeout=ANSWER_TIMEOUT_MS,
    )
    return bot_messages(page).last.inner_text()


def upload(page, files: list[dict]) -> str:
    page.get_by_role("tab", name="Library").click()
    status = page.locator("#upload-status")
    status.evaluate("el => { el.dataset.before = el.innerText; }")
    page.locator("#upload input[type=file]").set_input_files(files)
    page.wait_for_function(
        "() => { const el = document.querySelector('#upload-status');"
        " return el.innerText.trim() && el.innerText !== el.dataset.before; }",
        timeout=ANSWER_TIMEOUT_MS,
    )
    page.wait_for_function("() => document.querySelectorAll('.pending, .generating').length === 0")
    return status.inner_text()


def test_answer_with_citations_sources_and_follow_up(page, tmp_path):
    answer = ask(page, "Who warned Russia?")
    assert "William Burns" in answer
    assert "[1]" in answer
    entries = page.locator("#sources li.source")
    assert entries.count() >= 1
    burns = entries.filter(has_text=BURNS_QUOTE)
    assert burns.count() >= 1, page.locator("#sources").inner_text()
    assert SEED_TITLE in burns.first.locator(".source-title").inner_text()
    assert BURNS_QUOTE in burns.first.locator("mark").inner_text()
    page.screenshot(path=str(tmp_path / "chat.png"), full_page=True)
    if os.environ.get("RAG_SCREENSHOT_OUT"):
        (ROOT / "docs").mkdir(exist_ok=True)
        shutil.copyfile(tmp_path / "chat.png", ROOT / "docs" / "screenshot.png")

    follow_up = ask(page, "Where did he travel?")
    assert "Moscow" in follow_up


def test_the_short_answer_leads_in_bold_on_its_own_line(page, tmp_path):
    answer = ask(page, "When did Sullivan speak with Patrushev?")
    lead = bot_messages(page).last.locator("strong.lead")
    assert lead.inner_text() == "Wednesday"
    first_line, rest = answer.split("\n", 1)
    assert first_line.startswith("Wednesday") and "Jake Sullivan" not in first_line
    assert "Jake Sullivan spoke with his Russian counterpart" in rest
    page.screenshot(path=str(tmp_path / "lead.png"), full_page=True)


def test_a_partial_answer_says_what_is_missing_and_quotes_the_rest_apart(page, tmp_path):
    answer = ask(page, "What did Xi Jinping say about the summit?")
    assert answer.startswith("Not answered") and "don't say anything about Xi Jinping" in answer
    quote = bot_messages(page).last.locator("blockquote")
    assert quote.count() == 1 and "Xi Jinping" not in quote.inner_text()
    assert "1" in quote.locator("sup.cite").inner_text()  # the quote keeps its linked source
    page.screenshot(path=str(tmp_path / "partial.png"), full_page=True)


def test_bad_questions_show_a_message_and_the_app_keeps_serving(page, tmp_path):
    empty = ask(page, "")
    assert "question is empty" in empty
    huge = ask(page, "why " * 25_600)  # 100 KB
    assert "Only the first 2,000 characters of the question were used" in huge  # cut, not refused
    mixed = ask(page, "Кто 谁 מי من 🇷🇺 \x1b[31m\x07 Who warned Russia?")  # scripts, RTL, emoji, escapes
    assert "went wrong" not in mixed and "\x1b" not in mixed
    page.screenshot(path=str(tmp_path / "bad-questions.png"), full_page=True)
    assert "William Burns" in ask(page, "Who warned Russia?")


def test_uploaded_article_becomes_answerable(page, tmp_path):
    path = tmp_path / "harbour.txt"
    path.write_text(HARBOUR, encoding="utf-8")
    status = upload(page, [str(path)])
    assert "added" in status and HARBOUR_TITLE in status
    table = page.locator("#articles")
    assert HARBOUR_TITLE in table.inner_text()
    again = upload(page, [str(path)])
    assert "already indexed" in again
    page.get_by_role("tab", name="Chat").click()
    answer = ask(page, "Who cut the ribbon of the Harbour Bridge?")
    assert "Ines Duarte" in answer
    assert HARBOUR_TITLE in page.locator("#sources .source-list").inner_text()
    page.screenshot(path=str(tmp_path / "uploaded.png"), full_page=True)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "binary file"),
        ("long.txt", b"Long\nStandfirst.\n" + b"word " * (UPLOAD_LIMIT // 5 + 100), "upload limit is 20,000 bytes"),
        ("../../x.txt", b"Title\nStandfirst.\nBody text.\n", "looks like a path"),
        ("notes.pdf", b"%PDF-1.4 not really", "cannot read the PDF"),
        ("notes.odt", b"PK\x03\x04 zipped", "not supported"),
    ],
)
def test_bad_uploads_show_a_clear_message(page, tmp_path, name, content, message):
    status = upload(page, [{"name": name, "mimeType": "text/plain", "buffer": content}])
    assert message in status
    assert not (tmp_path.parent / "x.txt").exists()
    page.get_by_role("tab", name="Chat").click()
    assert "William Burns" in ask(page, "Who warned Russia?")  # still serving


def _saved_conversation(page) -> str | None:
    return page.evaluate("() => localStorage.getItem('rag-news-conversation')")


def test_the_conversation_survives_a_reload_and_exports_as_markdown(page, tmp_path):
    before = _saved_conversation(page)
    assert "William Burns" in ask(page, "Who warned Russia?")
    page.wait_for_function(
        "b => localStorage.getItem('rag-news-conversation') !== b", arg=before, timeout=ANSWER_TIMEOUT_MS
    )
    page.reload()
    page.locator("#question textarea").wait_for(timeout=60_000)
    page.wait_for_function("() => document.querySelectorAll('#chatbot [data-testid=bot]').length === 1", timeout=60_000)
    assert "William Burns" in bot_messages(page).last.inner_text()
    assert "Who warned Russia?" in page.locator("#chatbot").inner_text()
    assert BURNS_QUOTE in page.locator("#sources").inner_text()  # the sources panel came back too
    assert "Moscow" in ask(page, "Where did he travel?")  # the restored turns still resolve "he"
    page.screenshot(path=str(tmp_path / "restored.png"), full_page=True)

    with page.expect_download(timeout=30_000) as download:
        page.locator("#export").click()
    assert download.value.suggested_filename == "conversation.md"
    markdown = Path(download.value.path()).read_text(encoding="utf-8")
    assert markdown.startswith("# Conversation")
    assert "## Who warned Russia?" in markdown and "## Where did he travel?" in markdown
    assert "William Burns" in markdown and "[1]" in markdown and "Moscow" in markdown
    assert f"**Sources**\n1. {SEED_TITLE}" in markdown and f"“{BURNS_QUOTE}" in markdown

    page.locator("#new-chat").click()
    page.wait_for_function("() => document.querySelectorAll('#chatbot [data-testid=bot]').length === 0", timeout=30_000)
    page.wait_for_timeout(500)  # the cleared state reaches localStorage
    page.reload()
    page.locator("#question textarea").wait_for(timeout=60_000)
    page.wait_for_timeout(2_000)  # give a (wrong) restore the time to show up
    assert bot_messages(page).count() == 0


def test_an_uploaded_pdf_is_cited_with_its_page(page, tmp_path):
    from tests.test_documents import PAGES, make_pdf

    status = upload(page, [str(make_pdf(tmp_path / "council-report.pdf", PAGES))])
    assert "added" in status and "Harbour Council Annual Report" in status
    page.get_by_role("tab", name="Chat").click()
    assert "Olga Petrova" in ask(page, "Who is the harbour master?")
    assert "p. 2" in page.locator("#sources .source-list").inner_text()


def date_box(page, end: str):
    """The "Published between" From or To field (``end`` is "from" or "to")."""
    return page.locator(f"#date-{end} textarea, #date-{end} input").first


def test_the_published_between_range_decides_which_election_answers(page, tmp_path):
    corpus = tmp_path / "elections.jsonl"
    corpus.write_text(
        "\n".join(
            json.dumps(
                {
                    "doc_id": f"lakeford-{day[:4]}",
                    "publish_date": day,
                    "title": f"{name} wins Lakeford mayoral election",
                    "text": f"{name} won the Lakeford mayoral election on Tuesday with 54 percent of the vote. "
                    "Turnout was higher than at the last election, officials said.",
                }
            )
            for day, name in (("2019-11-05", "Ana Ortiz"), ("2023-11-07", "Chloe Diaz"))
        ),
        encoding="utf-8",
    )
    assert "added" in upload(page, [str(corpus)])
    page.get_by_role("tab", name="Chat").click()
    page.locator("#dates").get_by_text("Published between").click()
    date_box(page, "to").fill("2020-12-31")
    older = ask(page, "Who won the Lakeford mayoral election?")
    assert "Ana Ortiz" in older and "Chloe Diaz" not in older
    assert "Only articles published to 2020-12-31." in older
    date_box(page, "to").fill("")
    date_box(page, "from").fill("2023-01-01")
    newer = ask(page, "Who won the Lakeford mayoral election?")
    assert "Chloe Diaz" in newer and "Ana Ortiz" not in newer
    assert "Chloe Diaz wins Lakeford" in page.locator("#sources .source-list").inner_text()
    date_box(page, "from").fill("next week")
    assert "must be an ISO date" in ask(page, "Who won the Lakeford mayoral election?")
    page.screenshot(path=str(tmp_path / "dates.png"), full_page=True)
