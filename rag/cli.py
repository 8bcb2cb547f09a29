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
        settings = Settings.from_env(
            os.environ, index_dir=args.index_dir, store=args.store,
            lock_timeout=getattr(args, "lock_timeout", None), as_of=getattr(args, "as_of", None),
        )
        if os.environ.get("RAG_DEBUG_KILL_AT"):  # tests only: crash a writer at a chosen point
            from rag.generations import kill_at

            kill_at(os.environ["RAG_DEBUG_KILL_AT"])
        return args.run(args, settings) or 0
    except RagError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--index-dir", type=Path, default=None, help="index folder (default: index/)")
    common.add_argument("--store", default=None, metavar="URI",
                        help="where the index lives: milvus://HOST:PORT/COLLECTION or PATH.db (Milvus Lite); "
                             "default: the index folder (RAG_STORE)")
    common.add_argument("-v", "--verbose", action="store_true")
    parser = argparse.ArgumentParser(prog="rag", description=__doc__.splitlines()[0], parents=[common])
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    index = commands.add_parser("index", help="build and update the index").add_subparsers(
        required=True, metavar="ACTION"
    )
    p = index.add_parser("build", parents=[common], help="rebuild from scratch (default: data/articles/)")
    p.add_argument("paths", nargs="*", type=Path)
    p.add_argument("--ray", nargs="?", const="local", default=None, metavar="ADDRESS",
                   help="embed with Ray Data: a local Ray, or the cluster at ADDRESS (e.g. auto, HOST:6379)")
    _skip_flag(p)
    _lock_flag(p)
    p.set_defaults(run=_build)
    p = index.add_parser("add", parents=[common], help="add files, folders or URLs incrementally")
    p.add_argument("sources", nargs="+")
    _skip_flag(p)
    p.add_argument("--allow-private-urls", action="store_true", default=None,
                   help="also fetch URLs on loopback/private addresses (RAG_ALLOW_PRIVATE_URLS=1)")
    _lock_flag(p)
    p.set_defaults(run=_add)
    p = index.add_parser("remove", parents=[common], help="remove an article by id")
    p.add_argument("article_id")
    _lock_flag(p)
    p.set_defaults(run=_remove)
    p = index.add_parser("stats", parents=[common], help="what the index holds")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_stats)

    p = commands.add_parser("search", parents=[common], help="ranked passages for a question")
    p.add_argument("question", help="the question; '-' reads it from standard input")
    p.add_argument("-k", type=int, default=5)
    p.add_argument("--mode", choices=["hybrid", "dense", "bm25", "rrf"], default=None)
    _as_of_flag(p)
    p.add_argument("--article", action="append", default=[], help="only this article id (repeatable)")
    p.add_argument("--source", action="append", default=[], help="url/path substring (repeatable)")
    p.add_argument("--from", dest="date_from", default=None, help="published on or after YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", default=None, help="published on or before YYYY-MM-DD")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_search)

    p = commands.add_parser("ask", parents=[common], help="a cited answer to a question")
    p.add_argument("question", help="the question; '-' reads it from standard input")
    p.add_argument("--llm", default=None, help="answer with an LLM, e.g. openai:gpt-4o-mini")
    _as_of_flag(p)
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
        p.add_argument("--split", choices=["all", "fit", "report", "both"], default="all",
                       help="fit/report half of the questions (by date, else by article; see rag.split); "
                            "both: fit and report in one run")
        p.set_defaults(run=run)
    evaluate.choices["retrieval"].add_argument(
        "--prebuilt", type=Path, default=None, metavar="DIR",
        help="score the index in DIR (built from --corpus) instead of building a throwaway one")
    p.add_argument("--holdout", type=float, default=0.0,
                   help="leave this fraction of documents out; their questions become unanswerable")

    p = commands.add_parser("serve", parents=[common], help="start the browser chat")
    p.add_argument("--host", default=None)
    p.add_argument("--port", type=int, default=None)
    p.add_argument("--auth", default=None, metavar="USER:PASSWORD",
                   help="require this login (prefer RAG_AUTH: a flag shows in the process list)")
    p.add_argument("--allow-public", action="store_true", default=None,
                   help="serve a non-loopback --host without --auth (refused otherwise)")
    p.set_defaults(run=_serve)
    return parser


def _as_of_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as-of", default=None, metavar="YYYY-MM-DD",
                   help="'now' for ranking: newer articles are left out, 'this week' means the week before it "
                        "(default: the newest article date in the index; RAG_AS_OF)")


def _lock_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lock-timeout", type=float, default=None, metavar="SECONDS",
                   help="wait this long for another writer of the index, 0: fail at once "
                        "(default 600, RAG_LOCK_TIMEOUT)")


def _skip_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--skip-bad-lines", action="store_true",
                   help="keep the good records of a .jsonl file and list the bad lines "
                        "(default: one bad line refuses the whole file)")


def _build(args, settings: Settings) -> None:
    from rag.api import build_index, read_sources

    reading = read_sources(args.paths or [settings.corpus_dir], settings, skip_bad_lines=args.skip_bad_lines)
    encode = None
    if args.ray:
        from rag.distributed import ray_encoder

        encode = ray_encoder(settings, None if args.ray == "local" else args.ray)
    index = build_index(reading, settings, progress=True, encode=encode)
    kept: set[str] = set()  # Index.build keeps the first article of each content, skips the rest
    skipped = [a for a in reading.articles if not _first_kept(a, index, kept)]
    _report_skips(reading.bad_lines, skipped, index)
    m = index.manifest
    print(f"built {_where(settings)}: {len(m.articles)} articles, {m.chunk_count} chunks")


def _add(args, settings: Settings) -> None:
    from rag.api import read_sources
    from rag.stores import update_index

    if args.allow_private_urls:
        settings = settings.replace(allow_private_urls=True)
    reading = read_sources(args.sources, settings, skip_bad_lines=args.skip_bad_lines)  # read all before touching
    articles = reading.articles
    # The newest index is read only once the writer lock is held, so concurrent adds all land.
    change = update_index(settings, lambda index: index.add(articles, progress=True))
    for article in change.added:
        print(f"added   {article.id}  {article.title}")
    _report_skips(reading.bad_lines, change.skipped, change.index)


def _first_kept(article, index, kept: set[str]) -> bool:
    same = index.articles.get(article.id)
    if same is None or same.content_hash != article.content_hash or article.id in kept:
        return False
    kept.add(article.id)
    return True


def _report_skips(bad_lines, skipped, index) -> None:
    """One line per skipped article and bad line, then how many: nothing is left out silently."""
    for article in skipped:
        same = index.articles.get(article.id)
        why = ("its id is already used by different content" if same and same.content_hash != article.content_hash
               else "same content as an article already indexed or earlier in this run")
        print(f"skipped {article.id}  {article.title}  ({why})")
    for bad in bad_lines:
        print(f"skipped bad line: {bad}")
    if skipped or bad_lines:
        print(f"skipped {len(skipped)} duplicate article(s) and {len(bad_lines)} bad line(s)")


def _remove(args, settings: Settings) -> None:
    from rag.stores import update_index

    update_index(settings, lambda index: index.remove(args.article_id), check_model=False)
    print(f"removed {args.article_id}")


def _stats(args, settings: Settings) -> None:
    from rag.stats import render_stats
    from rag.stores import store_stats

    stats = store_stats(settings)
    print(json.dumps(stats.to_dict(), indent=2) if args.json else render_stats(stats))


def _search(args, settings: Settings) -> None:
    from rag.api import search
    from rag.fusion import Filters
    from rag.render import render_hits

    filters = Filters(frozenset(args.article), frozenset(args.source), args.date_from, args.date_to)
    hits = search(_question(args.question), args.k, mode=args.mode, filters=filters, settings=settings)
    print(json.dumps([h.to_dict() for h in hits], indent=2) if args.json else render_hits(hits))


def _ask(args, settings: Settings) -> None:
    from rag.api import ask
    from rag.render import render_answer

    if args.llm:
        settings = settings.replace(answerer=args.llm)
    answer = ask(_question(args.question), settings=settings)
    print(json.dumps(answer.to_dict(), indent=2) if args.json else render_answer(answer))


def _where(settings: Settings) -> str:
    return settings.store or str(settings.index_dir)


def _question(arg: str) -> str:
    """The question argument, or standard input for '-' (one shell argument stops at 128 kB)."""
    # Bytes, decoded leniently: a pasted non-UTF-8 byte must not end in a traceback.
    return sys.stdin.buffer.read().decode("utf-8", "replace") if arg == "-" else arg


def _eval_retrieval(args, settings: Settings) -> None:
    from rag.evaluate import evaluate_retrieval

    splits = ("fit", "report") if args.split == "both" else (args.split,)
    evaluate_retrieval(args.corpus, args.questions, settings, limit=args.limit, json_out=args.json_out,
                       splits=splits, prebuilt=args.prebuilt)


def _eval_answers(args, settings: Settings) -> None:
    from rag.evaluate import evaluate_answers

    evaluate_answers(args.corpus, args.questions, settings, limit=args.limit, json_out=args.json_out,
                     holdout=args.holdout)


def _serve(args, settings: Settings) -> None:
    from rag.app.server import serve
    from rag.settings import parse_auth

    flags = {"host": args.host, "port": args.port, "allow_public": args.allow_public,
             "auth": parse_auth(args.auth) if args.auth else None}
    serve(settings.replace(**{k: v for k, v in flags.items() if v is not None}))


if __name__ == "__main__":
    sys.exit(main())
