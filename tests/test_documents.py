"""PDF and DOCX articles: made in the test (reportlab, python-docx), indexed with the real model, cited by page.

The PDF is three pages drawn by reportlab with its text layer; the facts asked
about sit on pages 2 and 3, so a citation naming the right page cannot come from
luck. The image-only PDF has a page with shapes and no text, like a scan.
"""

from __future__ import annotations

import pytest

from rag.api import ask, build_index, load_index
from rag.cli.render import render_answer
from rag.errors import InputError
from rag.readers.documents import document_article, part_starts
from rag.text.pages import location_dict, page_label, page_of
from rag.types import Article

PAGES = [
    [
        "Harbour Council Annual Report",
        "The council met twelve times during the year and approved the budget.",
        "Attendance at public meetings rose compared with the previous year.",
    ],
    [
        "The new ferry terminal opened in March after two years of construction.",
        "Harbour master Olga Petrova said the terminal doubles the number of daily crossings.",
    ],
    [
        "The council also agreed to restore the lighthouse on Gull Island.",
        "Restoration work will be led by the engineer Tomas Berg and should finish by autumn.",
    ],
]
DOCX_PARAGRAPHS = [
    "Riverside School Wins Robotics Prize",
    "Pupils from Riverside School won the national robotics prize on Friday.",
    "Their robot sorted recycling faster than any other entry in the final round.",
    "Teacher Amira Haddad said the team had practised every lunchtime for six months.",
]


def make_pdf(path, pages, title="Harbour Council Annual Report"):
    canvas_module = pytest.importorskip("reportlab.pdfgen.canvas")
    canvas = canvas_module.Canvas(str(path))
    canvas.setTitle(title)
    for lines in pages:
        y = 780
        for line in lines:
            canvas.drawString(72, y, line)
            y -= 18
        canvas.showPage()
    canvas.save()
    return path


def make_image_pdf(path):
    canvas_module = pytest.importorskip("reportlab.pdfgen.canvas")
    canvas = canvas_module.Canvas(str(path))
    canvas.rect(72, 500, 300, 200, fill=1)  # a "scanned" page: shapes, no text layer
    canvas.showPage()
    canvas.save()
    return path


def make_docx(path, paragraphs):
    docx = pytest.importorskip("docx")
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(str(path))
    return path


# -- pure ---------------------------------------------------------------------------------------------


def test_part_starts_find_each_part_even_when_cleaning_dropped_a_repeat():
    parts = ["Header\nOne.", "Header\nTwo.", "", "Three."]
    text = "Header\nOne.\nTwo.\nThree."  # the repeated header went in cleaning
    assert part_starts(text, parts) == (0, 12, 17, 17)  # the empty page starts where the next does


def test_page_of_and_labels():
    article = Article("a", "T", "x" * 30, "h", locations=(0, 10, 10, 20), location_unit="page")
    assert [page_of(article, o) for o in (0, 9, 10, 19, 20, 29)] == [1, 1, 3, 3, 4, 4]
    assert page_label(article, 25) == "p. 4" and location_dict(article, 25) == {"page": 4}
    paragraphs = Article("a", "T", "x" * 30, "h", locations=(0, 15), location_unit="paragraph")
    assert page_label(paragraphs, 16) == "¶ 2" and location_dict(paragraphs, 16) == {"paragraph": 2}
    assert page_of(Article("a", "T", "x", "h"), 0) is None and location_dict(None, 3) == {}


def test_locations_survive_the_round_trip_through_a_dict():
    article = document_article("T", ["Page one text.", "Page two text."], "page", source="x.pdf", limit=10_000)
    assert article.locations == (0, article.text.index("Page two")) and article.location_unit == "page"
    assert Article.from_dict(article.to_dict()) == article


# -- reading real files --------------------------------------------------------------------------------


def test_a_pdf_is_read_page_by_page(tmp_path):
    from rag.readers.files import read_path

    (article,) = read_path(make_pdf(tmp_path / "report.pdf", PAGES))
    assert article.title == "Harbour Council Annual Report" and article.location_unit == "page"
    assert len(article.locations) == 3
    for number, lines in enumerate(PAGES, start=1):
        at = article.text.index(lines[-1])
        assert page_of(article, at) == number


def test_an_image_only_pdf_gets_one_clear_line(tmp_path):
    from rag.readers.files import read_path

    path = make_image_pdf(tmp_path / "scan.pdf")
    with pytest.raises(InputError, match="has no text layer .*OCR") as info:
        read_path(path)
    assert "\n" not in str(info.value) and "scan.pdf" in str(info.value)


def test_a_damaged_pdf_or_docx_is_one_line(tmp_path):
    from rag.readers.files import read_path

    (tmp_path / "bad.pdf").write_bytes(b"%PDF-1.4\n%garbage")
    (tmp_path / "bad.docx").write_bytes(b"PK\x03\x04 not a zip")
    with pytest.raises(InputError, match="cannot read the PDF"):
        read_path(tmp_path / "bad.pdf")
    with pytest.raises(InputError, match="cannot read the Word document"):
        read_path(tmp_path / "bad.docx")


def test_pdf_and_docx_are_indexed_and_cited_with_page_and_paragraph(tmp_path, settings):
    pdf = make_pdf(tmp_path / "report.pdf", PAGES)
    doc = make_docx(tmp_path / "prize.docx", DOCX_PARAGRAPHS)
    index = build_index([pdf, doc], settings)
    assert {a.location_unit for a in index.articles.values()} == {"page", "paragraph"}
    assert load_index(settings, reload=True).articles == index.articles  # locations are saved with the index

    answer = ask("Who will lead the restoration work?", settings=settings, index=index)
    assert "Tomas Berg" in answer.text and not answer.abstained
    first = answer.citations[0]
    assert first.location == "p. 3" and "Tomas Berg" in first.quote
    assert index.articles[first.article_id].text[first.start : first.end] == first.quote
    assert "p. 3)" in render_answer(answer)  # the CLI names the page

    answer = ask("Who is the harbour master?", settings=settings, index=index)
    assert "Olga Petrova" in answer.text and answer.citations[0].location == "p. 2"

    answer = ask("Which teacher said the team practised every lunchtime?", settings=settings, index=index)
    assert "Amira Haddad" in answer.text and answer.citations[0].location == "¶ 4"


def test_uploads_accept_pdf_and_docx_by_their_signature(tmp_path):
    from rag.app import uploads

    pdf = make_pdf(tmp_path / "report.pdf", PAGES)
    doc = make_docx(tmp_path / "prize.docx", DOCX_PARAGRAPHS)
    for path in (pdf, doc):
        stored = uploads.store_upload(path, path.name, tmp_path / "index", 1_000_000)
        assert stored.path.read_bytes() == path.read_bytes()
    (tmp_path / "fake.pdf").write_text("just text")
    with pytest.raises(InputError, match="not a PDF file"):
        uploads.store_upload(tmp_path / "fake.pdf", "fake.pdf", tmp_path / "index", 1_000_000)
    with pytest.raises(InputError, match="not a Word .docx file"):
        uploads.check_text("memo.docx", b"%PDF-1.4")
