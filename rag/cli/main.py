"""The ``rag`` command line: build and update the index, search, ask, evaluate, serve.

An edge of the program: it builds ``Settings`` once from flags and the
environment, calls the library, and turns any ``RagError`` into one line on
stderr and exit status 2 (as argparse does for a usage error); an ``OSError``
is a runtime failure: one line and exit status 1. Inputs are read and checked
before the index is touched, so a bad file never costs what is already indexed.
"""

from __future__ import annotations

import logging
import os
import sys

from rag.cli.parser import build_parser
from rag.errors import RagError
from rag.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s")
    try:
        settings = Settings.from_env(
            os.environ,
            index_dir=args.index_dir,
            store=args.store,
            lock_timeout=getattr(args, "lock_timeout", None),
            as_of=getattr(args, "as_of", None),
        )
        if os.environ.get("RAG_DEBUG_KILL_AT"):  # tests only: crash a writer at a chosen point
            from rag.stores.folder.generations import kill_at

            kill_at(os.environ["RAG_DEBUG_KILL_AT"])
        code = args.run(args, settings) or 0
        sys.stdout.flush()  # a closed pipe (`rag index stats | head`) fails here, where it is caught
        return code
    except BrokenPipeError:  # the reader of our output left: nothing more to say, and no traceback
        _silence_stdout()
        return 141  # 128 + SIGPIPE, what a shell reports for a command whose pipe closed
    except RagError as error:  # refused input, configuration or index: the user can fix it
        print(f"error: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # a runtime failure (disk full, permission denied, ...): not the input's fault
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so the flush Python makes at exit cannot fail on the closed pipe again."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a real file (captured in tests)
        pass


if __name__ == "__main__":
    sys.exit(main())
