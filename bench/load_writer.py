"""The writer side of the load test: another process adding articles one by one to a live index.

    python bench/load_writer.py --index-dir INDEX --json-out OUT.json FILE [FILE ...]

Each file is added by its own ``rag.api.add_articles`` (read, then the writer
lock, the newest saved index, an atomic swap), the way ``rag index add`` does it, so a serving app sees one new generation per
article while it answers. Writes a JSON list of what was added and when.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rag.api import add_articles  # noqa: E402
from rag.settings import Settings  # noqa: E402


def warm_up(settings: Settings, ready: Path | None) -> None:
    """Load torch and the model before the first add, then say so, so the adds fall inside the load."""
    from rag.stores import open_index

    open_index(settings).embedder.encode(["warm up"])
    if ready is not None:
        ready.write_text("ready\n", encoding="utf-8")


def add_one_by_one(settings: Settings, files: list[Path]) -> list[dict]:
    added = []
    start = time.perf_counter()
    for path in files:
        begun = time.perf_counter()
        change = add_articles([path], settings).change
        assert change is not None  # add_articles raises when the file cannot be read
        added.append(
            {
                "file": str(path),
                "ids": [a.id for a in change.added],
                "titles": [a.title for a in change.added],
                "skipped": [a.id for a in change.skipped],
                "at_s": round(begun - start, 2),
                "seconds": round(time.perf_counter() - begun, 2),
            }
        )
    return added


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", type=Path, required=True)
    parser.add_argument("--json-out", type=Path, required=True)
    parser.add_argument("--ready", type=Path, default=None, help="write this file once the model is loaded")
    parser.add_argument("files", type=Path, nargs="+")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    settings = Settings(index_dir=args.index_dir)
    warm_up(settings, args.ready)
    added = add_one_by_one(settings, args.files)
    args.json_out.write_text(json.dumps(added, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
