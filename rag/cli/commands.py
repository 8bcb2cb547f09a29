"""What each ``rag`` subcommand does: read the parsed flags, call ``rag.api``, print the result.

Every handler takes the parsed ``args`` and the ``Settings`` built once by
``rag.cli.main``; results go to stdout, a ``RagError`` propagates to ``main``,
which prints it as one line.
"""

from __future__ import annotations

import json
import sys

from rag.settings import Settings
from rag.text.sanitize import shown


def build(args, settings: Settings) -> None:
    from rag.api import build_index, check_build_target, read_sources

    check_build_target(settings, force=args.force)  # before reading: a refused folder costs nothing
    reading = read_sources(args.paths or [settings.corpus_dir], settings, skip_bad_lines=args.skip_bad_lines)
    ray = None if not args.ray else ("" if args.ray == "local" else args.ray)
    index = build_index(reading, settings, progress=True, ray=ray, force=args.force)
    kept: set[str] = set()  # Index.build keeps the first article of each content, skips the rest
    skipped = [a for a in reading.articles if not _first_kept(a, index, kept)]
    _report_skips(reading.bad_lines, skipped, index)
    m = index.manifest
    print(f"built {_where(settings)}: {len(m.articles)} articles, {m.chunk_count} chunks")


def add(args, settings: Settings) -> None:
    from rag.api import add_articles

    if args.allow_private_urls:
        settings = settings.replace(allow_private_urls=True)
    # Every source is read before the index is touched; the newest index is read only once the
    # writer lock is held, so concurrent adds all land.
    report = add_articles(args.sources, settings, skip_bad_lines=args.skip_bad_lines, progress=True)
    change = report.change
    assert change is not None  # add_articles raises when nothing could be read
    for article in change.added:
        print(f"added   {shown(article.id)}  {shown(article.title)}")
    _report_skips(report.bad_lines, change.skipped, change.index)


def sync(args, settings: Settings) -> int:
    from rag.api import sync_feeds
    from rag.cli.render import render_sync

    report = sync_feeds(args.feeds, settings.replace(allow_private_urls=True) if args.allow_private_urls else settings)
    print(render_sync(report))
    return 1 if report.failures else 0


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
        why = (
            "its id is already used by different content"
            if same and same.content_hash != article.content_hash
            else "same content as an article already indexed or earlier in this run"
        )
        print(f"skipped {shown(article.id)}  {shown(article.title)}  ({why})")
    for bad in bad_lines:
        print(f"skipped bad line: {bad}")
    if skipped or bad_lines:
        print(f"skipped {len(skipped)} duplicate article(s) and {len(bad_lines)} bad line(s)")


def compact(args, settings: Settings) -> None:
    from rag.api import compact_index

    change = compact_index(settings)
    index = change.index
    print(f"compacted: {len(index.articles)} articles, {len(index.chunks)} chunks in one segment")


def remove(args, settings: Settings) -> None:
    from rag.api import remove_article

    remove_article(args.article_id, settings)
    print(f"removed {shown(args.article_id)}")


def restore(args, settings: Settings) -> None:
    from rag.api import restore_index

    done = restore_index(args.generation, settings)
    print(
        f"restored {done.generation} in {settings.index_dir}: {done.articles} articles, {done.chunks} chunks"
        + (f" (was {done.previous})" if done.previous else "")
    )


def stats(args, settings: Settings) -> None:
    from rag.api import index_stats
    from rag.cli.render import render_stats

    stats = index_stats(settings)
    print(json.dumps(stats.to_dict(), indent=2) if args.json else render_stats(stats))


def search(args, settings: Settings) -> None:
    from rag.api import search
    from rag.cli.render import render_hits

    hits = search(_question(args.question), args.k, mode=args.mode, filters=_filters(args), settings=settings)
    print(json.dumps([h.to_dict() for h in hits], indent=2) if args.json else render_hits(hits))


def ask(args, settings: Settings) -> None:
    from rag.api import ask
    from rag.cli.render import render_answer

    if args.llm:
        settings = settings.replace(answerer=args.llm)
    answer = ask(_question(args.question), settings=settings, filters=_filters(args))
    print(json.dumps(answer.to_dict(), indent=2) if args.json else render_answer(answer))


def _filters(args):
    from rag.filters import Filters

    return Filters(frozenset(args.article), frozenset(args.source), args.date_from, args.date_to)


def _where(settings: Settings) -> str:
    return settings.store or str(settings.index_dir)


def _question(arg: str) -> str:
    """The question argument, or standard input for '-' (one shell argument stops at 128 kB)."""
    # Bytes, decoded leniently: a pasted non-UTF-8 byte must not end in a traceback.
    return sys.stdin.buffer.read().decode("utf-8", "replace") if arg == "-" else arg


def eval_retrieval(args, settings: Settings) -> None:
    from rag.eval.retrieval import evaluate_retrieval

    splits = ("fit", "report") if args.split == "both" else (args.split,)
    evaluate_retrieval(
        args.corpus,
        args.questions,
        settings,
        limit=args.limit,
        json_out=args.json_out,
        splits=splits,
        prebuilt=args.prebuilt,
    )


def eval_answers(args, settings: Settings) -> None:
    from rag.eval.answers import evaluate_answers

    evaluate_answers(
        args.corpus,
        args.questions,
        settings,
        limit=args.limit,
        json_out=args.json_out,
        holdout=args.holdout,
        baseline=args.baseline,
        reuse_index=args.reuse_index,
        curve=args.curve,
    )


def serve(args, settings: Settings) -> None:
    from rag.app.server import serve
    from rag.settings import parse_auth

    flags = {
        "host": args.host,
        "port": args.port,
        "allow_public": args.allow_public,
        "auth": parse_auth(args.auth) if args.auth else None,
    }
    serve(settings.replace(**{k: v for k, v in flags.items() if v is not None}))
