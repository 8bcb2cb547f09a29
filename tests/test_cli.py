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


def test_stats_count_the_log_and_compact_folds_it(built, capsys, tmp_path):
    other = tmp_path / "other.md"
    other.write_text("---\ntitle: Harbour news\n---\nThe harbour of Vigo reopened on Monday after repairs.\n")
    assert main(["index", "add", str(other), "--index-dir", str(built)]) == 0
    capsys.readouterr()
    assert main(["index", "stats", "--index-dir", str(built)]) == 0
    out = capsys.readouterr().out
    assert "articles   2" in out and "log        1 change(s)" in out
    assert main(["index", "compact", "--index-dir", str(built)]) == 0
    assert "compacted: 2 articles" in capsys.readouterr().out
    assert main(["index", "stats", "--index-dir", str(built), "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["log"] == 0 and stats["articles"] == 2 and sum(r["chunks"] for r in stats["rows"]) == stats["chunks"]


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


@pytest.mark.parametrize("case", ["missing", "empty", "binary", "non-utf8", "unknown extension", "no articles"])
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
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "rag index build" in result.stderr


def test_output_into_a_closed_pipe_ends_quietly(built):
    """`rag index stats | head -0`: the reader is gone before we write; no traceback, the pipe's exit status."""
    process = subprocess.Popen(
        [sys.executable, "-m", "rag.cli", "index", "stats", "--index-dir", str(built)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    process.stdout.close()  # the only reader leaves at once: every write gets EPIPE
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 141, stderr.decode()
    assert b"Traceback" not in stderr and b"Exception ignored" not in stderr and b"Broken pipe" not in stderr


def test_import_rag_stays_light():
    code = (
        "import sys, rag; print(any(m in sys.modules for m in ('torch', 'sentence_transformers', 'gradio', 'faiss')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False"


# Shared options go before or after the subcommand (issue 16): a default on the
# subcommand used to overwrite the value given before it.
@pytest.mark.parametrize(
    "command",
    [
        ["search", "q"],
        ["ask", "q"],
        ["index", "build"],
        ["index", "stats"],
        ["eval", "answers", "--corpus", "c", "--questions", "q"],
        ["serve"],
    ],
)
def test_shared_options_parse_the_same_before_and_after_the_command(command):
    from rag.cli.parser import build_parser as _parser

    shared = ["--index-dir", "elsewhere", "--store", "x.db", "-v"]
    before, after = _parser().parse_args(shared + command), _parser().parse_args(command + shared)
    for args in (before, after):
        assert (str(args.index_dir), args.store, args.verbose) == ("elsewhere", "x.db", True)
    plain = _parser().parse_args(command)
    assert (plain.index_dir, plain.store, plain.verbose) == (None, None, False)


def test_index_dir_before_the_command_is_used(tmp_path, capsys):
    index_dir = tmp_path / "other-index"
    assert main(["--index-dir", str(index_dir), "index", "build", str(SEED)]) == 0
    assert (index_dir / "manifest.json").exists()
    capsys.readouterr()
    assert main(["--index-dir", str(index_dir), "search", "Who warned Russia?", "--json", "-k", "1"]) == 0
    assert BURNS in json.loads(capsys.readouterr().out)[0]["chunk"]["text"]


def test_store_before_the_command_is_used(tmp_path, capsys):
    # A store URI that is refused proves the option reached Settings (it was dropped before).
    assert main(["--store", "ftp://nowhere/x", "index", "stats", "--index-dir", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith("error: store must be")


def test_version_and_python_dash_m_rag():
    from importlib.metadata import version

    for argv in (["-m", "rag", "--version"], ["-m", "rag.cli", "--version"]):
        result = subprocess.run([sys.executable, *argv], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0 and result.stdout.strip() == f"rag {version('rag-news')}", result.stderr


def _all_parsers(parser):
    import argparse

    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _all_parsers(sub)


def test_every_option_and_subcommand_has_help():
    import argparse

    from rag.cli.parser import build_parser as _parser

    for parser in _all_parsers(_parser()):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                listed = {choice.dest for choice in action._choices_actions}
                assert listed == set(action.choices), (parser.prog, set(action.choices) - listed)
                assert all(choice.help for choice in action._choices_actions), parser.prog
            else:
                assert action.help, (parser.prog, action.option_strings or action.dest)


def test_eval_help_lists_its_subcommands():
    result = subprocess.run([sys.executable, "-m", "rag", "eval", "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "retrieval" in result.stdout and "answers" in result.stdout


def test_usage_error_is_2_and_os_error_is_1(monkeypatch, capsys):
    with pytest.raises(SystemExit) as usage:
        main(["search"])  # the question is missing
    assert usage.value.code == 2
    import rag.api

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    # A runtime failure that is not the input's fault (the index checks turn what they can foresee,
    # such as --index-dir naming a file, into one-line input errors, exit 2).
    monkeypatch.setattr(rag.api, "index_stats", disk_full)
    capsys.readouterr()
    assert main(["index", "stats"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == ["error: [Errno 28] No space left on device"]


def test_json_output_is_only_json(built):
    for command in (["search", "Who warned Russia?"], ["ask", "Who warned Russia?"], ["index", "stats"]):
        result = subprocess.run(
            [sys.executable, "-m", "rag", *command, "--json", "-v", "--index-dir", str(built)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        json.loads(result.stdout)
