"""The index folder never loses what it holds: a lost ``current`` link, a folder of the
user's own files, a planted lock symlink or a malformed manifest are each refused with
one line that says what to do, and nothing there is deleted (issue 13, defects 1, 2, 6).

Commands run through ``rag.cli.main`` in this process (the embedding model is loaded
once); ``main`` turns only ``RagError`` into ``error: …`` and exit status 2, so any
other exception fails the test as the traceback a user would have seen.
"""

from __future__ import annotations

import json
import os
import shutil
import socket

import pytest

from rag.api import build_index, open_or_build_index, read_articles
from rag.cli import main
from rag.errors import IndexStoreError
from rag.stores.folder import generations, genscan, layout
from rag.stores.folder.index import Index
from rag.stores.folder.kind import index_stats
from rag.stores.holder import IndexHolder, forget_all
from tests.synthetic import tree_digest, write_corpus


@pytest.fixture
def corpus(tmp_path):
    return write_corpus(tmp_path / "corpus", range(4))


@pytest.fixture
def unlinked(corpus, settings, tmp_path):
    """An index written three times (4, 5, then 6 articles), whose `current` link a sync tool dropped."""
    build_index([corpus], settings)
    for i in (20, 21):
        extra = read_articles([write_corpus(tmp_path / f"extra{i}", [i])])
        Index.update(settings, lambda index, extra=extra: index.add(extra))
    newest = generations.current(settings.index_dir).name
    (settings.index_dir / generations.CURRENT).unlink()
    forget_all()  # what happens next is a new process's first look at the folder
    return settings, newest


def _gens(folder):
    return sorted(p.name for p in folder.iterdir() if genscan.GEN_NAME.fullmatch(p.name))


def _one_line_error(capsys, *args) -> str:
    forget_all()  # read from disk, as a new process would, not the index this process built
    capsys.readouterr()
    assert main(list(args)) == 2
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert captured.out == "" and err.startswith("error: ") and "\n" not in err, captured
    return err


# -- defect 1: a missing `current` link ---------------------------------------------------------


def test_a_lost_current_link_is_never_built_over(unlinked, corpus, capsys):
    settings, newest = unlinked
    folder = settings.index_dir
    before = tree_digest(folder)
    err = _one_line_error(capsys, "index", "build", str(corpus), "--index-dir", str(folder))
    assert f"the newest is {newest} (6 articles" in err and "holds 2 generation(s)" in err
    assert f"rag index restore {newest} --index-dir {folder}" in err
    # --force is for other people's files, not for hiding an index.
    assert _one_line_error(capsys, "index", "build", "--force", str(corpus), "--index-dir", str(folder)) == err
    with pytest.raises(IndexStoreError, match="rag index restore"):  # the library refuses too
        build_index([corpus], settings, force=True)
    # Readers and writers say the same instead of "no index … build one".
    for args in (["index", "stats"], ["search", "cost"], ["index", "add", str(corpus / "article-000.md")]):
        assert f"rag index restore {newest}" in _one_line_error(capsys, *args, "--index-dir", str(folder))
    assert tree_digest(folder) == before


def test_the_app_refuses_to_build_its_first_index_over_unlinked_generations(unlinked):
    settings, newest = unlinked
    before = tree_digest(settings.index_dir)
    with pytest.raises(IndexStoreError, match=f"rag index restore {newest} --index-dir"):
        open_or_build_index(settings, progress=False)
    assert tree_digest(settings.index_dir) == before


def test_app_py_stops_with_one_line_instead_of_building(unlinked, capsys):
    import app

    settings, newest = unlinked
    before = tree_digest(settings.index_dir)
    capsys.readouterr()
    with socket.socket() as taken:  # should it get as far as serving, it fails at once instead
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        assert app.main(["--index-dir", str(settings.index_dir), "--port", port]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err and f"rag index restore {newest}" in err
    assert tree_digest(settings.index_dir) == before


def test_restore_relinks_a_verified_generation(unlinked, capsys):
    settings, newest = unlinked
    folder = settings.index_dir
    older = next(g for g in _gens(folder) if g != newest)
    capsys.readouterr()
    assert main(["index", "restore", older, "--index-dir", str(folder)]) == 0
    assert capsys.readouterr().out.startswith(f"restored {older} in {folder}: 5 articles")
    assert generations.current(folder).name == older and len(Index.load(settings).articles) == 5
    # Rolling forward again, naming it as a path the shell completed.
    assert main(["index", "restore", f"{folder}/{newest}/", "--index-dir", str(folder)]) == 0
    assert len(Index.load(settings).articles) == 6 and _gens(folder) == sorted([older, newest])
    assert (folder / layout.MANIFEST).resolve() == (folder / newest / layout.MANIFEST).resolve()
    # A damaged generation is not made live.
    (folder / older / layout.CHUNKS).write_bytes((folder / older / layout.CHUNKS).read_bytes()[:-50])
    err = _one_line_error(capsys, "index", "restore", older, "--index-dir", str(folder))
    assert f"cannot restore {older}" in err and "chunks.jsonl does not match its manifest" in err
    assert "is not a generation name" in _one_line_error(
        capsys, "index", "restore", "../etc", "--index-dir", str(folder)
    )
    assert "no generation" in _one_line_error(
        capsys, "index", "restore", "gen-20000101T000000000000-abcdef", "--index-dir", str(folder)
    )
    assert generations.current(folder).name == newest


# -- defect 2: a folder of the user's own files -----------------------------------------------------


def _user_files(folder):
    (folder / "gen-photos").mkdir(parents=True)
    (folder / "gen-photos" / "cat.jpg").write_bytes(b"\xff\xd8 a cat")
    (folder / "gen-notes.txt").write_text("my notes")
    (folder / ".tmp-draft.txt").write_text("a draft")
    return tree_digest(folder)


def test_a_build_refuses_a_folder_of_other_files_and_force_keeps_them(corpus, tmp_path, capsys):
    folder = tmp_path / "mine"
    mine = _user_files(folder)
    err = _one_line_error(capsys, "index", "build", str(corpus), "--index-dir", str(folder))
    assert "is not empty and holds no rag index" in err and f"rag index build --force --index-dir {folder}" in err
    assert tree_digest(folder) == mine and not (folder / generations.LOCK).exists()
    for _ in range(3):  # the third write collects: still nothing of the user's goes
        assert main(["index", "build", "--force", str(corpus), "--index-dir", str(folder)]) == 0
        assert {k: v for k, v in tree_digest(folder).items() if k in mine} == mine
    assert len(_gens(folder)) == 2  # the live generation and the one before


def test_a_current_that_is_not_our_link_is_refused(corpus, tmp_path, capsys):
    folder = tmp_path / "mine"
    (folder / generations.CURRENT).mkdir(parents=True)
    (folder / generations.CURRENT / "report.txt").write_text("mine")
    mine = tree_digest(folder)
    for force in ([], ["--force"]):
        err = _one_line_error(capsys, "index", "build", *force, str(corpus), "--index-dir", str(folder))
        assert f"{folder / generations.CURRENT} is not rag's 'current' link" in err and tree_digest(folder) == mine


def test_the_collector_deletes_only_marked_entries_of_the_exact_pattern(corpus, settings):
    build_index([corpus], settings)
    folder = settings.index_dir
    lookalikes = {  # each fails one test: pattern, marker, or (links) a generation as target
        "gen-20000101T000000000000-abcdef": "no marker",
        ".tmp-gen-20000101T000000000000-abcdef": "no marker",
        "gen-2000-01-01": "not the pattern",
        ".tmp-current-abcdef": "a file, not a link",
    }
    for name in lookalikes:
        if name.startswith(".tmp-current"):
            (folder / name).write_text("mine")
        else:
            (folder / name).mkdir()
            (folder / name / "notes.txt").write_text("mine")
    (folder / "gen-20000101T000000000000-abcdef" / genscan.MARKER).write_text("not our marker text")
    os.symlink("notes", folder / ".tmp-current-fedcba")
    ours = folder / ".tmp-gen-20000101T000000000000-0ff0ff"
    ours.mkdir()
    (ours / genscan.MARKER).write_bytes(genscan.MARKER_TEXT)
    # A writer killed between making its temporary folder and marking it: empty, so nothing to lose.
    unmarked = folder / ".tmp-gen-20000101T000000000000-0ee0ee"
    unmarked.mkdir()
    for _ in range(2):
        build_index([corpus], settings)
    left = {p.name for p in folder.iterdir()}
    assert set(lookalikes) | {".tmp-current-fedcba"} <= left and ours.name not in left and unmarked.name not in left
    assert all((folder / name / "notes.txt").read_text() == "mine" for name in lookalikes if "current" not in name)


# -- defect 6: one line instead of a traceback ----------------------------------------------------


@pytest.mark.parametrize(
    "field,value",
    [
        ("files", ["dense.faiss"]),
        ("files", {"dense.faiss": "abc"}),
        ("files", "x"),
        ("articles", ["a"]),
        ("articles", {"a": 1}),
        ("dimension", "384"),
        ("chunk_count", True),
        ("model", None),
        ("extra", []),
    ],
)
def test_a_manifest_field_of_the_wrong_json_type_is_one_line(corpus, settings, capsys, field, value):
    build_index([corpus], settings)
    folder = settings.index_dir
    path = generations.current(folder) / layout.MANIFEST
    data = json.loads(path.read_text())
    data[field] = value
    path.write_text(json.dumps(data))
    for args in (["index", "stats"], ["search", "cost"], ["index", "add", str(corpus / "article-000.md")]):
        err = _one_line_error(capsys, *args, "--index-dir", str(folder))
        assert f"{path} is malformed" in err and f"'{field}'" in err and "rag index build --index-dir" in err


def _garbage(path):
    path.write_bytes(path.read_bytes().replace(b'"', b"'", 3))


def _wrong_shape(path):
    path.write_bytes(b"[1, 2]\n" + path.read_bytes())


def _cut_at_a_line(path):  # still valid JSON Lines: only the checksum tells
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[: len(lines) // 2]))


@pytest.mark.parametrize("name", [layout.CHUNKS, layout.ARTICLES])
@pytest.mark.parametrize("damage", [_garbage, _wrong_shape, _cut_at_a_line])
def test_stats_checks_the_files_it_reports_on(corpus, settings, capsys, name, damage):
    build_index([corpus], settings)
    damage(generations.current(settings.index_dir) / name)
    with pytest.raises(IndexStoreError, match=f"is damaged: .*{name} does not match its manifest"):
        index_stats(settings.index_dir)
    err = _one_line_error(capsys, "index", "stats", "--index-dir", str(settings.index_dir))
    assert "rag index build --index-dir" in err


def test_a_planted_lock_symlink_is_refused_and_its_target_kept(corpus, settings, tmp_path, capsys):
    build_index([corpus], settings)
    folder = settings.index_dir
    victim = tmp_path / "precious.txt"
    victim.write_text("keep me")
    (folder / generations.LOCK).unlink()
    os.symlink(victim, folder / generations.LOCK)
    live = generations.current(folder).name
    for args in (
        ["index", "add", str(corpus / "article-000.md")],
        ["index", "build", str(corpus)],
        ["index", "remove", "x"],
    ):
        err = _one_line_error(capsys, *args, "--index-dir", str(folder))
        assert "is not rag's lock file" in err and f"rm -r {folder / generations.LOCK}" in err
    (folder / generations.LOCK).unlink()
    (folder / generations.LOCK).symlink_to(tmp_path / "no" / "such" / "dir")  # the crash case
    assert "is not rag's lock file" in _one_line_error(capsys, "index", "remove", "x", "--index-dir", str(folder))
    assert victim.read_text() == "keep me" and generations.current(folder).name == live


def test_an_index_dir_naming_a_file_is_one_line(corpus, tmp_path, capsys):
    path = tmp_path / "notes.txt"
    path.write_text("mine")
    for args in (
        ["index", "add", str(corpus / "article-000.md")],
        ["index", "build", str(corpus)],
        ["index", "stats"],
        ["search", "cost"],
    ):
        err = _one_line_error(capsys, *args, "--index-dir", str(path))
        assert f"{path} is a file, not an index folder" in err
    assert path.read_text() == "mine"


def test_the_app_keeps_serving_when_a_newer_generation_is_malformed(corpus, settings, caplog):
    build_index([corpus], settings)
    folder = settings.index_dir
    holder = IndexHolder(settings)
    loaded = holder.load_or_build(progress=False)
    # Another process made a newer generation live whose manifest has a list for `files`.
    bad = folder / "gen-29990101T000000000000-abcdef"
    shutil.copytree(generations.current(folder), bad)
    data = json.loads((bad / layout.MANIFEST).read_text())
    data["files"] = sorted(data["files"])
    (bad / layout.MANIFEST).write_text(json.dumps(data))
    os.symlink(bad.name, folder / ".tmp-current-abcdef")
    os.replace(folder / ".tmp-current-abcdef", folder / generations.CURRENT)
    holder.CHECK_SECONDS = 0.0
    with caplog.at_level("WARNING"):
        for _ in range(3):
            assert holder.index is loaded  # every later request still has the loaded index
    assert sum("keeping the loaded index" in r.getMessage() for r in caplog.records) == 1
    assert "is malformed" in caplog.text
