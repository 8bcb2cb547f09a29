"""The ``rag`` CLI: the newcomer's path works, and bad input costs one line and nothing indexed."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from rag.cli import main
from tests.conftest import BURNS, SEED, SEED_TITLE


@pytest.fixture
def built(tmp_path):
    index_dir = tmp_path / "index"
    assert main(["index", "build", str(SEED), "--index-dir", str(index_dir)]) == 0
    return index_dir


def test_build_then_search_puts_the_burns_passage_first(built, capsys):
    capsys.readouterr()
    assert main(["search", "Who warned Russia?", "--index-dir", str(built), "--json", "-k", "3"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert BURNS in hits[0]["chunk"]["text"]
    assert hits[0]["title"] == SEED_TITLE
    assert hits[0]["chunk"]["start"] < hits[0]["chunk"]["end"]


def test_search_prints_title_offsets_and_score(built, capsys):
    capsys.readouterr()
    main(["search", "Who warned Russia?", "--index-dir", str(built), "-k", "1"])
    out = capsys.readouterr().out
    assert out.startswith("1. [") and SEED_TITLE in out and ":" in out


def test_stats_and_remove(built, capsys):
    capsys.readouterr()
    assert main(["index", "stats", "--index-dir", str(built), "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["articles"] == 1 and stats["chunks"] == stats["rows"][0]["chunks"]
    article_id = stats["rows"][0]["id"]
    assert main(["index", "remove", article_id, "--index-dir", str(built)]) == 0
    assert main(["index", "remove", article_id, "--index-dir", str(built)]) == 2
    assert "no article with id" in capsys.readouterr().err


def test_add_reports_duplicates(built, capsys, tmp_path):
    capsys.readouterr()
    assert main(["index", "add", str(SEED), "--index-dir", str(built)]) == 0
    assert "skipped" in capsys.readouterr().out


def _bad_inputs(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    binary = tmp_path / "blob.txt"
    binary.write_bytes(b"\x00\x01\x02\xff\xfe" * 100)
    latin = tmp_path / "latin.txt"  # not UTF-8, and no other encoding fits either
    latin.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(1, 256)) * 3)
    unknown = tmp_path / "notes.odt"
    unknown.write_text("hello")
    nothing = tmp_path / "nothing"
    nothing.mkdir()
    (nothing / "image.png").write_bytes(b"\x89PNG")
    return {
        "missing": tmp_path / "does-not-exist.txt",
        "empty": empty,
        "binary": binary,
        "non-utf8": latin,
        "unknown extension": unknown,
        "no articles": nothing,
    }


@pytest.mark.parametrize(
    "case", ["missing", "empty", "binary", "non-utf8", "unknown extension", "no articles"]
)
def test_bad_input_is_one_line_nonzero_and_loses_nothing(built, tmp_path, capsys, case):
    path = _bad_inputs(tmp_path)[case]
    before = (built / "manifest.json").read_bytes()
    capsys.readouterr()
    assert main(["index", "add", str(path), "--index-dir", str(built)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err
    assert (built / "manifest.json").read_bytes() == before
    assert main(["index", "build", str(path), "--index-dir", str(built)]) == 2
    assert (built / "manifest.json").read_bytes() == before


def test_empty_question_is_refused(built, capsys):
    capsys.readouterr()
    assert main(["search", "   ", "--index-dir", str(built)]) == 2
    assert "question is empty" in capsys.readouterr().err


def test_console_script_exits_nonzero_with_one_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "rag.cli", "index", "stats", "--index-dir", str(tmp_path / "none")],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "rag index build" in result.stderr


def test_import_rag_stays_light():
    code = "import sys, rag; print(any(m in sys.modules for m in ('torch', 'sentence_transformers', 'gradio', 'faiss')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False"
