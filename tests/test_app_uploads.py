"""``index/uploads/`` holds only the files the index came from (issue 13, defect 7).

The Library tab's handler runs end to end with the real embedding model: refused
files, duplicates of indexed articles and uploads whose add failed are deleted;
a copy an indexed article still comes from, and files rag did not write, stay.
"""

from __future__ import annotations

from pathlib import Path

from filelock import FileLock

from rag.api import build_index, load_index
from rag.app.library import add_uploads
from rag.app.uploads import UPLOAD_DIR
from rag.stores.folder import generations
from tests.conftest import SEED

HARBOUR = "Harbour Wall Finished\nThe new harbour wall of Pellam was finished on Friday.\n\nIt cost 31 million euros."


def _items(tmp_path: Path, files: dict[str, bytes | str], batch: str) -> list[dict]:
    items = []
    for n, (name, content) in enumerate(files.items()):
        path = tmp_path / "gradio" / batch / str(n) / "upload"
        path.parent.mkdir(parents=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        items.append({"path": str(path), "orig_name": name})
    return items


def _stored(folder: Path) -> list[str]:
    uploads = folder / UPLOAD_DIR
    return sorted(p.name for p in uploads.iterdir()) if uploads.exists() else []


def test_uploads_keep_only_what_was_indexed(tmp_path, settings):
    build_index([SEED], settings)
    (settings.index_dir / UPLOAD_DIR).mkdir()
    (settings.index_dir / UPLOAD_DIR / "notes.txt").write_text("not rag's")  # never ours to delete
    status, _, _ = add_uploads(
        settings,
        _items(
            tmp_path,
            {
                "harbour.txt": HARBOUR,
                "seed-again.txt": SEED.read_bytes(),  # same content as the indexed seed article
                "feed.jsonl": '{"text": "fine"}\n{oops\n',  # refused when read
            },
            "one",
        ),
    )
    assert "added" in status and "already indexed" in status and "bad JSON" in status
    kept = _stored(settings.index_dir)
    assert len(kept) == 2 and "notes.txt" in kept and kept[0].endswith("-harbour.txt"), kept
    # Again: the same file (its copy is what the indexed article came from) and a renamed copy.
    status, _, _ = add_uploads(settings, _items(tmp_path, {"harbour.txt": HARBOUR, "copy.txt": HARBOUR}, "two"))
    assert status.count("already indexed") == 2
    assert _stored(settings.index_dir) == kept
    source = next(a.source for a in load_index(settings).articles.values() if a.title == "Harbour Wall Finished")
    assert Path(source).is_file() and Path(source).name == kept[0]


def test_an_upload_whose_add_fails_leaves_no_copy(tmp_path, settings):
    build_index([SEED], settings)
    impatient = settings.replace(lock_timeout=0)
    load_index(impatient)
    lock = FileLock(str(settings.index_dir / generations.LOCK))  # another writer holds the index
    with lock:
        status, _, _ = add_uploads(impatient, _items(tmp_path, {"harbour.txt": HARBOUR}, "one"))
    assert "not indexed" in status and "another process is writing" in status
    assert _stored(settings.index_dir) == []
