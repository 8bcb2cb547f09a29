"""Start the browser chat: ``python app.py [--host H] [--port P] [--index-dir DIR] [--auth U:P]``.

Settings come from ``RAG_*`` environment variables, overridden by these flags.
On first start the index is built from ``data/articles/`` (or ``RAG_CORPUS_DIR``).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from rag.errors import RagError
from rag.settings import Settings, parse_auth


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=None, help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=None, help="port (default 7860)")
    parser.add_argument("--index-dir", type=Path, default=None, help="index folder (default index/)")
    parser.add_argument(
        "--store",
        default=None,
        metavar="URI",
        help="milvus://HOST:PORT/COLLECTION or PATH.db (Milvus Lite); default the index folder",
    )
    parser.add_argument(
        "--auth",
        default=None,
        metavar="USER:PASSWORD",
        help="require this login (prefer RAG_AUTH: a flag shows in the process list)",
    )
    parser.add_argument(
        "--allow-public",
        action="store_true",
        default=None,
        help="serve a non-loopback --host without --auth (refused otherwise)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = Settings.from_env(
            os.environ,
            host=args.host,
            port=args.port,
            index_dir=args.index_dir,
            store=args.store,
            auth=parse_auth(args.auth) if args.auth else None,
            allow_public=args.allow_public,
        )
        from rag.app.server import serve

        serve(settings)
    except (RagError, OSError) as error:  # OSError: e.g. the port is taken
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
