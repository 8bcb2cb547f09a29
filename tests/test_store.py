"""The index store on disk: generations behind a ``current`` link, checksums, and one-line refusals.

Damage and mismatches are checked through the real ``rag`` command in a fresh
process: exit status 2, one ``error:`` line naming the rebuild command, and
neither the user's article files nor the index folder changed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from rag.api import build_index, read_articles
from rag.errors import IndexStoreError
from rag.stores.folder import generations, genscan, layout
from rag.stores.folder.index import Index
from tests.synthetic import ROOT, cli_env, question, run_cli, title, tree_digest, write_corpus


@pytest.fixture
def corpus(tmp_path):
    return write_corpus(tmp_path / "corpus", range(6))


@pytest.fixture
def built(corpus, settings):
    build_index([corpus], settings)
    return settings


def _generations(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(generations.GEN_PREFIX))


def test_a_build_is_one_checksummed_generation_behind_the_current_link(built):
    folder = built.index_dir
    gen = generations.current(folder)
    assert (folder / generations.CURRENT).is_symlink() and gen.is_dir()
    assert _generations(folder) == [gen.name]
    assert not [p for p in folder.iterdir() if p.name.startswith(generations.TMP_PREFIX)]
    # The top-level names are links into the live generation, for people and tools.
    for name in (layout.MANIFEST, *layout.DATA_NAMES):
        assert (folder / name).is_symlink() and (folder / name).resolve() == (gen / name).resolve()
    manifest = layout.read_manifest(gen)
    on_disk = {p.relative_to(gen).as_posix() for p in gen.rglob("*") if p.is_file()} - {layout.MANIFEST}
    assert set(manifest.files) == on_disk and {"dense.faiss", "chunks.jsonl", "articles.jsonl"} <= on_disk
    for name, expected in manifest.files.items():
        assert (gen / name).stat().st_size == expected.bytes
        assert layout.sha256(gen / name) == expected.sha256
    assert json.loads((folder / layout.MANIFEST).read_text())["format_version"] == layout.FORMAT_VERSION == 4
    # Sizes count the live generation once, not the links into it.
    from rag.stores.folder.kind import index_stats

    expected = sum(f.bytes for f in manifest.files.values()) + (gen / layout.MANIFEST).stat().st_size
    assert generations.disk_bytes(folder) == index_stats(folder).disk_bytes == expected


def test_each_write_makes_a_new_generation_and_keeps_only_the_previous_one(built, corpus, tmp_path):
    folder = built.index_dir
    extra = read_articles([write_corpus(tmp_path / "extra", [40])])
    edits = [
        lambda index: index.add(extra),
        lambda index: index.remove(extra[0].id),
        lambda index: index.add(extra),
    ]
    for edit in edits:
        before = generations.current(folder).name
        change = Index.update(built, edit)
        after = generations.current(folder).name
        assert after != before and change.index.generation == after
        assert _generations(folder) == sorted([before, after])
        assert Index.load(built).generation == after


def test_leftovers_of_killed_writers_are_ignored_then_removed(built):
    folder = built.index_dir
    live = generations.current(folder).name
    # What writers leave when killed: each folder carries the marker a writer puts in first.
    for name in (".tmp-gen-20000101T000000000000-dead00", "gen-20000101T000000000000-0ff0ff"):
        (folder / name).mkdir()
        (folder / name / genscan.MARKER).write_bytes(genscan.MARKER_TEXT)
    (folder / ".tmp-gen-20000101T000000000000-dead00" / layout.DENSE).write_bytes(b"half a file")
    os.symlink("gen-20000101T000000000000-dead00", folder / ".tmp-current-dead00")
    orphan = folder / "gen-20000101T000000000000-0ff0ff"  # renamed, never made live
    (orphan / layout.CHUNKS).write_text("{}\n")
    assert Index.load(built).generation == live  # readers only follow `current`
    Index.load(built).save(folder)
    left = {p.name for p in folder.iterdir()}
    assert not {".tmp-gen-20000101T000000000000-dead00", ".tmp-current-dead00", orphan.name} & left
    assert live in left  # the previous generation stays for readers that resolved it


def test_the_repository_index_folder_ignores_everything_generated():
    generated = [
        "index/current",
        "index/gen-20250101T000000000000-abcdef/dense.faiss",
        "index/.write.lock",
        "index/.tmp-gen-x/chunks.jsonl",
        "index/manifest.json",
        "index/bm25",
        "index/uploads/a.txt",
    ]
    tracked = ["index/README.md", "index/.gitignore"]
    result = subprocess.run(
        ["git", "-C", str(ROOT), "check-ignore", "--no-index", *generated, *tracked], capture_output=True, text=True
    )
    assert set(result.stdout.split()) == set(generated)


def _legacy(folder):
    """Turn a built folder into the format-1 layout: data files at the top, no generations."""
    gen = generations.current(folder)
    for entry in list(folder.iterdir()):
        if entry.is_symlink():
            entry.unlink()
    for entry in gen.iterdir():
        shutil.move(str(entry), folder / entry.name)
    shutil.rmtree(gen)
    data = json.loads((folder / layout.MANIFEST).read_text())
    data["format_version"] = 1
    del data["files"]
    (folder / layout.MANIFEST).write_text(json.dumps(data))


def test_an_old_format_folder_is_refused_then_replaced_by_a_build(built, corpus):
    folder = built.index_dir
    _legacy(folder)
    with pytest.raises(IndexStoreError, match=r"old format version 1 .* rag index build --index-dir"):
        Index.load(built)
    build_index([corpus], built)
    assert Index.load(built).generation == generations.current(folder).name
    assert all((folder / name).is_symlink() for name in (layout.MANIFEST, *layout.DATA_NAMES))


# -- damage and mismatches, through the CLI --------------------------------------------------


def _truncate_faiss(folder, tmp_path):
    path = generations.current(folder) / layout.DENSE
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _chunks_of_another_build(folder, tmp_path):
    other = tmp_path / "other-index"
    build_index([write_corpus(tmp_path / "other", [20, 21])], store_settings(other))
    shutil.copyfile(generations.current(other) / layout.CHUNKS, generations.current(folder) / layout.CHUNKS)


def _edited_chunk(folder, tmp_path):
    path = generations.current(folder) / layout.CHUNKS
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("million euros", "billion euros", 1), encoding="utf-8")  # same length


def _newer_format(folder, tmp_path):
    path = generations.current(folder) / layout.MANIFEST
    data = json.loads(path.read_text())
    data["format_version"] = layout.FORMAT_VERSION + 1
    path.write_text(json.dumps(data))


def _old_format(folder, tmp_path):
    _legacy(folder)


def store_settings(folder):
    from rag.settings import Settings

    return Settings(index_dir=folder)


CASES = {
    "truncated FAISS file": (_truncate_faiss, {}, "dense.faiss does not match its manifest"),
    "chunk store from another build": (_chunks_of_another_build, {}, "chunks.jsonl does not match its manifest"),
    "chunk edited in place": (_edited_chunk, {}, "chunks.jsonl does not match its manifest (its SHA-256"),
    "another embedding model": (
        lambda folder, tmp: None,
        {"RAG_MODEL": "sentence-transformers/all-mpnet-base-v2"},
        "was built with embedding model 'all-MiniLM-L6-v2'",
    ),
    "newer format version": (_newer_format, {}, f"format version {layout.FORMAT_VERSION + 1}, newer than"),
    "old format version": (_old_format, {}, "old format version 1"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_damage_or_mismatch_is_one_line_exit_2_and_touches_nothing(built, corpus, tmp_path, case):
    damage, env, phrase = CASES[case]
    folder = built.index_dir
    damage(folder, tmp_path)
    new_article = write_corpus(tmp_path / "new", [30]) / "article-030.md"
    corpus_before, index_before = tree_digest(corpus), tree_digest(folder)
    articles_before = tree_digest(ROOT / "data" / "articles")
    for args in (
        ["search", question(2)],
        ["ask", question(2)],
        ["index", "add", str(new_article)],
        ["index", "stats"] if case in ("newer format version", "old format version") else None,
    ):
        if args is None:
            continue
        result = run_cli(*args, "--index-dir", str(folder), env=cli_env(**env))
        assert result.returncode == 2, (args, result.stderr)
        assert result.stdout == ""
        err = result.stderr.strip()
        assert "\n" not in err and err.startswith("error: ") and "Traceback" not in err, err
        assert phrase in err and f"rag index build --index-dir {folder}" in err, err
    assert tree_digest(corpus) == corpus_before
    assert tree_digest(ROOT / "data" / "articles") == articles_before
    assert tree_digest(folder) == index_before  # no generation written, nothing repaired behind the user's back


def test_following_the_rebuild_hint_gives_a_working_index(built, corpus, tmp_path):
    folder = built.index_dir
    _truncate_faiss(folder, tmp_path)
    corpus_before = tree_digest(corpus)
    assert run_cli("search", question(1), "--index-dir", str(folder)).returncode == 2
    rebuilt = run_cli("index", "build", str(corpus), "--index-dir", str(folder))
    assert rebuilt.returncode == 0, rebuilt.stderr
    found = run_cli("search", question(1), "--index-dir", str(folder), "--json", "-k", "1")
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)[0]["title"] == title(1)
    assert tree_digest(corpus) == corpus_before


def test_a_reader_whose_generation_was_collected_meanwhile_reads_the_new_one(built, corpus, tmp_path, monkeypatch):
    from rag.stores.folder import persist

    folder = built.index_dir
    stale = generations.current(folder)
    extra = read_articles([write_corpus(tmp_path / "extra", [40, 41])])
    for article in extra:  # two writes: the generation `stale` is collected
        Index.update(built, lambda index, article=article: index.add([article]))
    assert not stale.exists()
    real_locate, calls = generations.locate, []

    def slow_reader_locate(where):  # as if this reader resolved `current` before both writes
        calls.append(where)
        return stale if len(calls) == 1 else real_locate(where)

    monkeypatch.setattr(generations, "locate", slow_reader_locate)
    parts = persist.load(built, folder)
    assert len(calls) == 2 and parts.generation == generations.current(folder).name
    assert {a.id for a in extra} <= set(parts.manifest.articles)
    assert {a.id for _, segment in parts.log for a in segment.articles} == {a.id for a in extra}
