"""Tests for rag.readers.files: each file format, directories, and bad input."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from rag.errors import InputError
from rag.readers.files import SUPPORTED_EXTENSIONS, read_html, read_path

PARA_1 = (
    "The city council voted on Tuesday to approve a new budget that raises spending on buses, "
    "trams and cycle lanes by a fifth, the largest increase in more than a decade."
)
PARA_2 = (
    "Supporters said the plan would cut traffic in the centre and help the city meet its climate "
    "targets, while opponents warned that property taxes would have to rise to pay for it."
)

HTML = f"""<html><head><title>Council Backs Transit Budget</title>
<meta name="author" content="Jane Doe; John Roe">
<meta property="article:published_time" content="2021-11-19T10:00:00Z">
<link rel="canonical" href="https://example.com/transit-budget"></head>
<body><nav>Home News Sport Weather</nav><article><h1>Council Backs Transit Budget</h1>
<p>{PARA_1}</p><p>{PARA_2}</p></article>
<div class="comments"><p>Great article, thanks for writing it!</p></div>
<footer>Copyright 2021 Example News</footer></body></html>"""


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_txt_title_standfirst_body(tmp_path):
    path = write(tmp_path / "a.txt", "\n\nBudget Passes\nA short standfirst.\n" + PARA_1 + "\n")
    (article,) = read_path(path)
    assert article.title == "Budget Passes"
    assert article.text == "A short standfirst.\n" + PARA_1
    assert article.source == str(path)


def test_md_front_matter(tmp_path):
    md = (
        "---\ntitle: Council Backs Transit Budget\nurl: https://example.com/a\n"
        "date: 2021-11-19\nauthors:\n  - Jane Doe\n  - John Roe\n---\n"
        "The city council voted on Tuesday\nto approve a new budget.\n\n## Reaction\n\n"
        "See [the plan](https://example.com/plan) for details.\n"
    )
    (article,) = read_path(write(tmp_path / "a.md", md))
    assert article.title == "Council Backs Transit Budget"
    assert article.url == "https://example.com/a"
    assert article.published == "2021-11-19"
    assert article.authors == ("Jane Doe", "John Roe")
    assert article.text == (
        "The city council voted on Tuesday to approve a new budget.\nReaction\nSee the plan for details."
    )


def test_md_heading_title_and_author_string(tmp_path):
    md = f"---\nauthor: Jane Doe\npublished: '2017/04/21'\n---\n# Heading Title\n\n{PARA_1}\n"
    (article,) = read_path(write(tmp_path / "b.md", md))
    assert (article.title, article.text) == ("Heading Title", PARA_1)
    assert article.authors == ("Jane Doe",)
    assert article.published == "2017-04-21"


def test_md_without_title_uses_file_stem(tmp_path):
    (article,) = read_path(write(tmp_path / "my-story.md", PARA_1))
    assert article.title == "my-story"
    assert article.published is None


def test_read_html_inline():
    article = read_html(HTML, source="inline")
    assert article.title == "Council Backs Transit Budget"
    assert article.text == PARA_1 + "\n" + PARA_2
    assert article.url == "https://example.com/transit-budget"
    assert article.published == "2021-11-19"
    assert article.authors == ("Jane Doe", "John Roe")
    assert "Great article" not in article.text and "Copyright" not in article.text


def test_html_file(tmp_path):
    (article,) = read_path(write(tmp_path / "page.htm", HTML))
    assert article.source == str(tmp_path / "page.htm")
    assert PARA_2 in article.text


def test_read_html_without_text_raises():
    with pytest.raises(InputError, match="no article text found in inline"):
        read_html("<html><body></body></html>", source="inline")


def test_jsonl_fields_and_aliases(tmp_path):
    lines = [
        f'{{"id": "a1", "title": "One", "text": "{PARA_1}", "published": "2021-11-19", "authors": ["A"]}}',
        "",
        f'{{"doc_id": 42, "title": "Two", "text": "{PARA_2}", "publish_date": "2020/01/02", "author": "B"}}',
        f'{{"text": "{PARA_1} More.", "date": "2019-05-06T00:00:00Z", "url": "https://example.com/3"}}',
    ]
    first, second, third = read_path(write(tmp_path / "docs.jsonl", "\n".join(lines)))
    assert (first.id, first.title, first.published, first.authors) == ("a1", "One", "2021-11-19", ("A",))
    assert (second.id, second.published, second.authors) == ("42", "2020-01-02", ("B",))
    assert third.published == "2019-05-06" and third.url == "https://example.com/3"
    assert third.title == "docs #4" and len(third.id) == 16


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", r"bad JSON in .*docs\.jsonl line 2"),
        ('{"title": "no text"}', r"missing or empty 'text' in .*docs\.jsonl line 2"),
        ("[1, 2]", r"expected a JSON object"),
        ('{"text": "Subscribe"}', r"docs\.jsonl line 2 is empty after cleaning"),
    ],
)
def test_jsonl_bad_line_names_file_and_line(tmp_path, line, message):
    path = write(tmp_path / "docs.jsonl", f'{{"text": "{PARA_1}"}}\n{line}\n')
    with pytest.raises(InputError, match=message) as info:
        read_path(path)
    assert "\n" not in str(info.value)


def test_directory_recursive_sorted_skips_hidden_and_unsupported(tmp_path):
    write(tmp_path / "b.txt", f"Bee\n{PARA_1}")
    write(tmp_path / "sub" / "a.md", f"# Ay\n\n{PARA_2}")
    write(tmp_path / "a.txt", f"Ay Text\n{PARA_2}")
    write(tmp_path / ".hidden.txt", f"Hidden\n{PARA_1}")
    write(tmp_path / ".git" / "x.txt", f"Hidden Dir\n{PARA_1}")
    write(tmp_path / "notes.odt", b"PK\x03\x04\x00")
    titles = [article.title for article in read_path(tmp_path)]
    assert titles == ["Ay Text", "Bee", "Ay"]


def test_ids_stable_across_reads_and_change_with_content(tmp_path):
    path = write(tmp_path / "a.txt", f"Title\n{PARA_1}")
    assert read_path(path)[0].id == read_path(path)[0].id
    before = read_path(path)[0]
    write(path, f"Title\n{PARA_1}\n{PARA_2}")
    after = read_path(path)[0]
    assert after.id != before.id and after.content_hash != before.content_hash


def bad_inputs(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    empty_dir = tmp_path / "empty-dir"
    empty_dir.mkdir()
    write(empty_dir / "readme.odt", b"PK")
    return {
        "missing": (tmp_path / "nope.txt", "no such file or directory"),
        "empty": (write(tmp_path / "empty.txt", "  \n\n"), "empty file"),
        "binary": (write(tmp_path / "image.txt", b"GIF89a\x00\x01\x02"), "binary file"),
        # Not UTF-8 and no other encoding fits (Latin-1 and friends are detected, see test_hostile_input).
        "undecodable": (write(tmp_path / "junk.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(1, 256)) * 3), "not UTF-8"),
        "extension": (write(tmp_path / "story.odt", "text"), "unsupported file type '.odt'"),
        "no-articles": (empty_dir, "no articles found"),
        "only-title": (write(tmp_path / "title-only.txt", "Just A Title\n"), "empty after cleaning"),
        "front-matter": (write(tmp_path / "bad.md", "---\ntitle: [unclosed\n---\nbody"), "bad front matter"),
    }


@pytest.mark.parametrize(
    "case", ["missing", "empty", "binary", "undecodable", "extension", "no-articles", "only-title", "front-matter"]
)
def test_bad_input_raises_one_line_error_naming_path(tmp_path, case):
    path, message = bad_inputs(tmp_path)[case]
    with pytest.raises(InputError, match=message) as info:
        read_path(path)
    text = str(info.value)
    assert str(path) in text and "\n" not in text
    if case in ("extension", "no-articles"):
        assert all(ext in text for ext in SUPPORTED_EXTENSIONS)


def test_yaml_date_objects_are_accepted(tmp_path):
    md = f"---\ntitle: T\ndate: 2021-11-19 10:00:00\n---\n{PARA_1}\n"
    (article,) = read_path(write(tmp_path / "d.md", md))
    assert article.published == dt.date(2021, 11, 19).isoformat()
