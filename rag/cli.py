"""The ``rag`` command line: build and update the index, search, ask, evaluate, serve.

An edge of the program: it builds ``Settings`` once from flags and the
environment, calls the library, and turns any ``RagError`` into one line on
stderr and exit status 2. Inputs are read and checked before the index is
touched, so a bad file never costs what is already indexed.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from rag.errors import RagError
from rag.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s")
    try:
        settings = Settings.from_env(os.environ, index_dir=args.index_dir)
        return args.run(args, settings) or 0
    except RagError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--index-dir", type=Path, default=None, help="index folder (default: index/)")
    common.add_argument("-v", "--verbose", action="store_true")
    parser = argparse.ArgumentParser(prog="rag", description=__doc__.splitlines()[0], parents=[common])
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    index = commands.add_parser("index", help="build and update the index").add_subparsers(
        required=True, metavar="ACTION"
    )
    p = index.add_parser("build", parents=[common], help="rebuild from scratch (default: data/articles/)")
    p.add_argument("paths", nargs="*", type=Path)
    p.set_defaults(run=_build)
    p = index.add_parser("add", parents=[common], help="add files, folders or URLs incrementally")
    p.add_argument("sources", nargs="+")
    p.set_defaults(run=_add)
    p = index.add_parser("remove", parents=[common], help="remove an article by id")
    p.add_argument("article_id")
    p.set_defaults(run=_remove)
    p = index.add_parser("stats", parents=[common], help="what the index holds")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_stats)

    p = commands.add_parser("search", parents=[common], help="ranked passages for a question")
    p.add_argument("question")
    p.add_argument("-k", type=int, default=5)
    p.add_argument("--mode", choices=["hybrid", "dense", "bm25"], default=None)
    p.add_argument("--article", action="append", default=[], help="only this article id (repeatable)")
    p.add_argument("--source", action="append", default=[], help="url/path substring (repeatable)")
    p.add_argument("--from", dest="date_from", default=None, help="published on or after YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", default=None, help="published on or before YYYY-MM-DD")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_search)

    p = commands.add_parser("ask", parents=[common], help="a cited answer to a question")
    p.add_argument("question")
    p.add_argument("--llm", default=None, help="answer with an LLM, e.g. openai:gpt-4o-mini")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_ask)

    evaluate = commands.add_parser("eval", help="measure retrieval or answers").add_subparsers(
        required=True, metavar="WHAT"
    )
    for name, run in (("retrieval", _eval_retrieval), ("answers", _eval_answers)):
        p = evaluate.add_parser(name, parents=[common])
        p.add_argument("--corpus", type=Path, required=True)
        p.add_argument("--questions", type=Path, required=True)
        p.add_argument("--limit", type=int, default=None, help="use the first N questions")
        p.add_argument("--json-out", type=Path, default=None)
        p.set_defaults(run=run)
    p.add_argument("--holdout", type=float, default=0.0,
                   help="leave this fraction of documents out; their questions become unanswerable")

    p = commands.add_parser("serve", parents=[common], help="start the browser chat")
    p.add_argument("--host", default=None)
    p.add_argument("--port", type=int, default=None)
    p.set_defaults(run=_serve)
    return parser


def _build(args, settings: Settings) -> None:
    from rag.api import build_index

    index = build_index(args.paths or None, settings, progress=True)
    m = index.manifest
    print(f"built {settings.index_dir}: {len(m.articles)} articles, {m.chunk_count} chunks")


def _add(args, settings: Settings) -> None:
    from rag.api import read_source
    from rag.index import Index

    articles = [a for source in args.sources for a in read_source(source)]  # read all before touching
    change = Index.load(settings).add(articles, progress=True)
    change.index.save(settings.index_dir)
    for article in change.added:
        print(f"added   {article.id}  {article.title}")
    for article in change.skipped:
        print(f"skipped {article.id}  {article.title}  (already indexed with the same content)")


def _remove(args, settings: Settings) -> None:
    from rag.index import Index

    change = Index.load(settings, check_model=False).remove(args.article_id)
    change.index.save(settings.index_dir)
    print(f"removed {args.article_id}")


def _stats(args, settings: Settings) -> None:
    from rag.stats import index_stats, render_stats

    stats = index_stats(settings.index_dir)
    print(json.dumps(stats.to_dict(), indent=2) if args.json else render_stats(stats))


def _search(args, settings: Settings) -> None:
    from rag.api import search
    from rag.fusion import Filters
    from rag.render import render_hits

    filters = Filters(frozenset(args.article), frozenset(args.source), args.date_from, args.date_to)
    hits = search(args.question, args.k, mode=args.mode, filters=filters, settings=settings)
    print(json.dumps([h.to_dict() for h in hits], indent=2) if args.json else render_hits(hits))


def _ask(args, settings: Settings) -> None:
    from rag.api import ask
    from rag.render import render_answer

    if args.llm:
        settings = settings.replace(answerer=args.llm)
    answer = ask(args.question, settings=settings)
    print(json.dumps(answer.to_dict(), indent=2) if args.json else render_answer(answer))


def _eval_retrieval(args, settings: Settings) -> None:
    from rag.evaluate import evaluate_retrieval

    evaluate_retrieval(args.corpus, args.questions, settings, limit=args.limit, json_out=args.json_out)


def _eval_answers(args, settings: Settings) -> None:
    from rag.evaluate import evaluate_answers

    evaluate_answers(args.corpus, args.questions, settings, limit=args.limit, json_out=args.json_out,
                     holdout=args.holdout)


def _serve(args, settings: Settings) -> None:
    from rag.app.server import serve

    serve(settings.replace(**{k: v for k, v in (("host", args.host), ("port", args.port)) if v}))


if __name__ == "__main__":
    sys.exit(main())
