"""Token counting with the embedding model's own tokenizer.

Chunks must fit the embedding model's window, and only the model's tokenizer
knows how many wordpieces a text costs. Counting happens for every sentence of
every indexed article, so this loads just ``tokenizer.json`` into the Rust
``tokenizers`` library (milliseconds, no model weights) and counts without
special tokens: the [CLS]/[SEP] overhead is the caller's to budget for.

Chunking itself (``rag.text.chunking``) stays pure and takes these counters as
arguments.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

TokenCounter = Callable[[str], int]
BatchTokenCounter = Callable[[Sequence[str]], list[int]]


def load_token_counter(model_path: str) -> TokenCounter:
    """``count(text)`` = number of wordpiece tokens of ``text``, no special tokens."""
    backend = _load(model_path)
    if _is_fast(backend):

        def count(text: str) -> int:
            return len(backend.encode(text, add_special_tokens=False).ids)

    else:

        def count(text: str) -> int:
            return len(backend.encode(text, add_special_tokens=False))

    return count


def load_batch_token_counter(model_path: str) -> BatchTokenCounter:
    """``count_batch(texts)``: like :func:`load_token_counter`, many texts in one
    call (the Rust tokenizer encodes a batch on several threads)."""
    backend = _load(model_path)
    if _is_fast(backend):
        # encode_batch_fast (tokenizers >= 0.20) skips computing character offsets.
        encode_batch = getattr(backend, "encode_batch_fast", backend.encode_batch)

        def count_batch(texts: Sequence[str]) -> list[int]:
            encodings = encode_batch(list(texts), add_special_tokens=False)
            return [len(e.ids) for e in encodings]

    else:

        def count_batch(texts: Sequence[str]) -> list[int]:
            return [len(backend.encode(t, add_special_tokens=False)) for t in texts]

    return count_batch


@functools.lru_cache(maxsize=8)
def _load(model_path: str) -> Any:
    """A ``tokenizers.Tokenizer`` when possible, else a slow ``transformers`` one.

    Cached: the counters for one model share a single tokenizer.
    """
    tokenizer_file = Path(model_path) / "tokenizer.json"
    if tokenizer_file.is_file():
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(tokenizer_file))
    else:
        # Models saved without tokenizer.json (old checkpoints, vocab.txt only).
        from transformers import AutoTokenizer

        log.info("no tokenizer.json under %s; loading with transformers", model_path)
        auto = AutoTokenizer.from_pretrained(model_path, local_files_only=True)
        auto.model_max_length = int(1e30)  # we count, never truncate: silence length warnings
        tokenizer = getattr(auto, "backend_tokenizer", None) or auto  # type: ignore[assignment]
    if _is_fast(tokenizer):
        # tokenizer.json may carry the model's truncation (e.g. 256), which would
        # make every long text look like it fits.
        tokenizer.no_truncation()
        tokenizer.no_padding()
    return tokenizer


def _is_fast(tokenizer: Any) -> bool:
    return hasattr(tokenizer, "encode_batch") and hasattr(tokenizer, "no_truncation")
