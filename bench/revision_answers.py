"""The answerer of another revision of this code, on the same question halves: what "today" was.

Issue 14 asks that answerable questions answered correctly drop by no more than 3
points "from today", the day it was filed. ``rag eval answers --baseline`` runs the
answerer without the selector and scorer, but with today's retrieval, spans and
typing, so it moves with them. This script measures the filed revision itself:

    git worktree add /tmp/filed a5a487a      # the last commit before issue 14's work
    cd /tmp/filed && PYTHONPATH=. python /path/to/repo/bench/revision_answers.py \\
        --corpus C.jsonl --index-dir /tmp/filed-index \\
        --questions unanswerable_out/xquad-en.fit.jsonl unanswerable_out/xquad-en.report.jsonl

It runs with whichever ``rag`` is first on the path, so it touches only names every
revision since the restructure has: ``rag.settings.Settings``, ``rag.api.build_index``
and ``load_index``, ``rag.answer.answer_question``, and the ``Answer`` fields
``text``, ``abstained`` and ``citations``. The index is built by that revision into
``--index-dir`` (an index folder's format is the revision's own) and reused when there.
One JSON line per questions file: the figures ``rag eval answers`` prints, counted the same way.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path


def _contains():
    """The revision's own SQuAD-style match (it moved module, not meaning)."""
    try:
        from rag.eval.matching import contains
    except ImportError:  # revisions before rag.eval.matching
        from rag.eval.answers import contains  # type: ignore[attr-defined,no-redef]
    return contains


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, required=True, help="articles, one JSON object a line")
    parser.add_argument("--index-dir", type=Path, required=True, help="built here by this revision if absent")
    parser.add_argument("--questions", type=Path, nargs="+", required=True, help="halves from bench.unanswerable")
    args = parser.parse_args(argv)

    from rag.answer import answer_question
    from rag.api import build_index, load_index
    from rag.settings import Settings

    contains = _contains()
    settings = Settings(index_dir=args.index_dir)
    built = (args.index_dir / "manifest.json").exists()
    index = load_index(settings) if built else build_index([args.corpus], settings)
    index.embedder.encode_query("warm up")
    for path in args.questions:
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        answered_right, withheld, cited, answerable, unanswerable, ms = 0, 0, [], 0, 0, []
        for row in rows:
            start = time.perf_counter()
            answer = answer_question(index, row["question"], (), settings)
            ms.append((time.perf_counter() - start) * 1000)
            if not row.get("answerable", True):
                unanswerable += 1
                withheld += answer.abstained
                continue
            answerable += 1
            if not answer.abstained:  # a citation holds the answer or the labelled evidence, as in rag eval answers
                gold = tuple(row.get("answers") or [row["answer"]])
                answered_right += contains(answer.text, gold)
                evidence = (row["evidence"],) if row.get("evidence") else ()
                cited += [contains(c.quote, gold + evidence) for c in answer.citations]
        print(
            json.dumps(
                {
                    "questions": path.name,
                    "answered_correct": round(answered_right / max(answerable, 1), 4),
                    "citation_precision": round(sum(cited) / max(len(cited), 1), 4),
                    "unanswerable_withheld": round(withheld / max(unanswerable, 1), 4),
                    "answerable": answerable,
                    "unanswerable": unanswerable,
                    "p50_ms": round(statistics.median(ms), 1),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
