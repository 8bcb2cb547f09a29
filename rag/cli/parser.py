"""The ``rag`` argument parser: subcommands, shared options and help text.

The shared options (``--index-dir``, ``--store``, ``-v``) are accepted before
and after the subcommand; each subcommand's ``run`` is its handler in
``rag.cli.commands``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rag.cli import commands as cmd


def build_parser() -> argparse.ArgumentParser:
    """Every subcommand, option and help text of ``rag``."""
    # The shared options are accepted before and after the subcommand. On the
    # subcommands they default to SUPPRESS: a default there would overwrite the
    # value given before the subcommand (argparse fills sub-level defaults last).
    common = _common(argparse.SUPPRESS)
    parser = argparse.ArgumentParser(
        prog="rag",
        description=__doc__.splitlines()[0],
        parents=[_common(None)],
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    index = commands.add_parser("index", help="build and update the index").add_subparsers(
        required=True, metavar="ACTION"
    )
    p = index.add_parser("build", parents=[common], help="rebuild from scratch (default: data/articles/)")
    p.add_argument("paths", nargs="*", type=Path, help="article files and folders (default: data/articles/)")
    p.add_argument(
        "--ray",
        nargs="?",
        const="local",
        default=None,
        metavar="ADDRESS",
        help="embed with Ray Data: a local Ray, or the cluster at ADDRESS (e.g. auto, HOST:6379)",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="build into a folder that holds other files too (they are kept, never deleted)",
    )
    _skip_flag(p)
    _lock_flag(p)
    p.set_defaults(run=cmd.build)
    p = index.add_parser("add", parents=[common], help="add files, folders or URLs incrementally")
    p.add_argument("sources", nargs="+", help="article files, folders or http(s) URLs")
    _skip_flag(p)
    _private_urls_flag(p)
    _lock_flag(p)
    p.set_defaults(run=cmd.add)
    p = index.add_parser("sync", parents=[common], help="add the new items of the RSS/Atom feeds listed in a file")
    p.add_argument("feeds", type=Path, metavar="FEEDS.txt", help="one feed URL per line (# comments allowed)")
    _private_urls_flag(p)
    _lock_flag(p)
    p.set_defaults(run=cmd.sync)
    p = index.add_parser("remove", parents=[common], help="remove an article by id")
    p.add_argument("article_id", help="the article's id (see rag index stats)")
    _lock_flag(p)
    p.set_defaults(run=cmd.remove)
    p = index.add_parser(
        "compact", parents=[common], help="fold the adds and removes since the last build into one segment"
    )
    _lock_flag(p)
    p.set_defaults(run=cmd.compact)
    p = index.add_parser("restore", parents=[common], help="make generation GEN live again (a lost 'current' link)")
    p.add_argument("generation", metavar="GEN", help="a gen-… folder of the index folder")
    _lock_flag(p)
    p.set_defaults(run=cmd.restore)
    p = index.add_parser("stats", parents=[common], help="what the index holds")
    p.add_argument("--json", action="store_true", help="print JSON only")
    p.set_defaults(run=cmd.stats)

    p = commands.add_parser("search", parents=[common], help="ranked passages for a question")
    p.add_argument("question", help="the question; '-' reads it from standard input")
    p.add_argument("-k", type=int, default=5, help="how many passages (default 5)")
    p.add_argument(
        "--mode",
        choices=["hybrid", "dense", "bm25", "rrf"],
        default=None,
        help="retrieval: dense + BM25 fused (default, RAG_MODE), or one of them",
    )
    _filter_flags(p)
    p.add_argument("--json", action="store_true", help="print JSON only")
    _as_of_flag(p)
    p.set_defaults(run=cmd.search)

    p = commands.add_parser("ask", parents=[common], help="a cited answer to a question")
    p.add_argument("question", help="the question; '-' reads it from standard input")
    p.add_argument("--llm", default=None, help="answer with an LLM, e.g. openai:gpt-4o-mini")
    _filter_flags(p)
    p.add_argument("--json", action="store_true", help="print JSON only")
    _as_of_flag(p)
    p.set_defaults(run=cmd.ask)

    evaluate = commands.add_parser("eval", help="measure retrieval or answers").add_subparsers(
        required=True, metavar="WHAT"
    )
    for name, run, what in (
        ("retrieval", cmd.eval_retrieval, "recall@k (by document and by answer in passage) and MRR of each mode"),
        ("answers", cmd.eval_answers, "answer accuracy, citation precision and abstention"),
    ):
        p = evaluate.add_parser(name, parents=[common], help=what)
        p.add_argument("--corpus", type=Path, required=True, help="articles, one JSON object a line")
        p.add_argument(
            "--questions", type=Path, required=True, help="questions with relevant_doc_ids, one JSON object a line"
        )
        p.add_argument("--limit", type=int, default=None, help="use the first N questions")
        p.add_argument("--json-out", type=Path, default=None, metavar="PATH", help="also write the figures as JSON")
        p.add_argument(
            "--split",
            choices=["all", "fit", "report", "both"],
            default="all",
            help="fit/report half of the questions (by date, else by article; see rag.eval.split); "
            "both: fit and report in one run",
        )
        p.set_defaults(run=run)
    evaluate.choices["retrieval"].add_argument(
        "--prebuilt",
        type=Path,
        default=None,
        metavar="DIR",
        help="score the index in DIR (built from --corpus) instead of building a throwaway one",
    )
    p.add_argument(
        "--holdout",
        type=float,
        default=0.0,
        help="leave this fraction of documents out; their questions become unanswerable",
    )
    p.add_argument(
        "--baseline", action="store_true", help="also run the answerer without the learned selector and scorer"
    )
    p.add_argument(
        "--reuse-index",
        action="store_true",
        help="answer from the saved --index-dir index instead of building one from --corpus",
    )
    p.add_argument(
        "--curve",
        action="store_true",
        help="also print the operating curve: answered correct, citation precision and abstention at every "
        "threshold of the answer scorer (one more run)",
    )

    p = commands.add_parser("serve", parents=[common], help="start the browser chat")
    p.add_argument("--host", default=None, help="address to listen on (default 127.0.0.1, RAG_HOST)")
    p.add_argument("--port", type=int, default=None, help="port (default 7860, RAG_PORT)")
    p.add_argument(
        "--auth",
        default=None,
        metavar="USER:PASSWORD",
        help="require this login (prefer RAG_AUTH: a flag shows in the process list)",
    )
    p.add_argument(
        "--allow-public",
        action="store_true",
        default=None,
        help="serve a non-loopback --host without --auth (refused otherwise)",
    )
    p.set_defaults(run=cmd.serve)
    return parser


_EPILOG = """\
--index-dir, --store and -v go before or after the command.
exit status: 0 done; 1 unexpected failure (an OS error, a bug); 2 usage error or refused
input, configuration or index (one line "error: ..." on stderr); 130 interrupted."""


def _common(default: object) -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--index-dir", type=Path, default=default, help="index folder (default: index/, RAG_INDEX_DIR)")
    common.add_argument(
        "--store",
        default=default,
        metavar="URI",
        help="where the index lives: milvus://HOST:PORT/COLLECTION or PATH.db (Milvus Lite); "
        "default: the index folder (RAG_STORE)",
    )
    common.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=default if default is not None else False,
        help="log progress (INFO) on stderr",
    )
    return common


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("rag-news")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"


def _private_urls_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--allow-private-urls",
        action="store_true",
        default=None,
        help="also fetch URLs on loopback/private addresses (RAG_ALLOW_PRIVATE_URLS=1)",
    )


def _lock_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--lock-timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="wait this long for another writer of the index, 0: fail at once (default 600, RAG_LOCK_TIMEOUT)",
    )


def _filter_flags(p: argparse.ArgumentParser) -> None:
    """What search and ask may quote: some articles, sources or a publish-date range."""
    p.add_argument("--article", action="append", default=[], help="only this article id (repeatable)")
    p.add_argument("--source", action="append", default=[], help="url/path substring (repeatable)")
    p.add_argument("--from", dest="date_from", default=None, help="published on or after YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", default=None, help="published on or before YYYY-MM-DD")


def _as_of_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--as-of",
        default=None,
        metavar="YYYY-MM-DD",
        help="'now' for ranking: newer articles are left out, 'this week' means the week before it "
        "(default: the newest article date in the index; RAG_AS_OF)",
    )


def _skip_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--skip-bad-lines",
        action="store_true",
        help="keep the good records of a .jsonl file and list the bad lines "
        "(default: one bad line refuses the whole file)",
    )
