"""The ``rag`` command line, a face on the public API: index, search, ask, eval, serve.

``rag.cli.main`` parses flags into ``Settings`` once and calls ``rag.api``;
``rag.cli.render`` turns hits and answers into terminal text.
"""

from rag.cli.main import main

__all__ = ["main"]
