"""Optional features and the pip extra that installs each, for one-line errors when one is missing.

The base install is the offline product (chat, CLI, Python API, extractive
answers). The LLM answerer, the LangChain retriever, Milvus and Ray come with
extras; importing one of them without its extra raises ``MissingExtraError``
(a ``ConfigError``, so the CLI prints one line, and an ``ImportError``, so
``except ImportError`` still catches it) naming the command that fixes it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rag.errors import ConfigError

#: extra -> what it enables, as the error message says it.
EXTRAS = {
    "llm": "the LLM answerer",
    "ollama": "the Ollama answerer",
    "langchain": "the LangChain retriever",
    "milvus": "the Milvus store",
    "ray": "Ray builds (--ray)",
    "dev": "the local GGUF answerer (hf-gguf:)",
}


class MissingExtraError(ConfigError, ImportError):
    """A feature's package is not installed; the message names the extra to install."""


def install_hint(extra: str) -> str:
    return f'pip install "rag-news[{extra}]"'


@contextmanager
def needs(extra: str) -> Iterator[None]:
    """Turn a ``ModuleNotFoundError`` inside the block into a ``MissingExtraError`` naming ``extra``."""
    if extra not in EXTRAS:
        raise ValueError(f"unknown extra {extra!r}")
    try:
        yield
    except ModuleNotFoundError as error:
        module = error.name or "a module"
        raise MissingExtraError(
            f"{EXTRAS[extra]} needs {module}, which is not installed: {install_hint(extra)}", name=error.name
        ) from None
