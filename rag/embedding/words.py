"""How close a word comes to other words, by the embedding model's own input word vectors.

The answer scorer asks whether the sentence it would quote says what the question asks
happened: "How did Poland respond ...?" quoted with "... the migrant crisis on Belarus's
border with Poland" names everything but a response. The verb is often paraphrased ("won" /
"victory", "founded" / "established"), so a word match is too strict, and a model pass per
sentence is too slow; the model's first layer (the packaged MiniLM's 30,522 word pieces x
384) puts such pairs closer than unrelated verbs ("warned" / "cautioned" 0.36, "warned" /
"praised" 0.24, "respond" / "response" 0.68, "respond" / "vote" 0.13). The table is read
once (47 MB); a word split into pieces gets the mean of its pieces' vectors.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)


class WordVectors:
    """Unit input vectors of a model's word pieces, and the tokenizer that splits words into them."""

    def __init__(self, table: np.ndarray, tokenizer) -> None:
        norms = np.linalg.norm(table, axis=1, keepdims=True)
        self._table = (table / np.where(norms == 0, 1.0, norms)).astype(np.float32)
        self._tokenizer = tokenizer
        # Most words are one piece of the vocabulary: a dict lookup, no tokenizer call (a passage's ~150
        # words took ~5 ms through the tokenizer one by one, cold). The rest are split, bounded in a cache.
        self._pieces: dict[str, int] = tokenizer.get_vocab()
        self._split: dict[str, np.ndarray | None] = {}

    def vector(self, word: str) -> np.ndarray | None:
        """The word's unit vector (the mean of its pieces'), or None when it has no piece."""
        key = word.lower()
        piece = self._pieces.get(key)
        if piece is not None:
            return self._table[piece]
        self._read_split([key])
        return self._split[key]

    def closeness(self, word: str, others: Sequence[str]) -> float:
        """The highest cosine between ``word`` and any of ``others``; 0.0 when there is none."""
        target = self.vector(word)
        if target is None:
            return 0.0
        keys = [o.lower() for o in others]
        whole = [i for i in map(self._pieces.get, keys) if i is not None]
        rest = [k for k in keys if k not in self._pieces]
        self._read_split(rest)
        split = [v for k in rest if (v := self._split[k]) is not None]
        best = float(np.max(self._table[whole] @ target)) if whole else 0.0
        return max(best, float(np.max(np.stack(split) @ target))) if split else best

    def _read_split(self, words: list[str]) -> None:
        """Vectors of the words split into pieces that are new. One call a word: ``encode_batch`` hands a
        few words to a thread pool, which costs more than it saves (0.26 against 0.16 ms for ten)."""
        new = [w for w in dict.fromkeys(words) if w not in self._split]
        if not new:
            return
        if len(self._split) > _CACHED:  # bounded: a long-running app reads new words for ever
            self._split.clear()
        for word in new:
            ids = self._tokenizer.encode(word, add_special_tokens=False).ids
            mean = self._table[ids].mean(axis=0) if ids else None
            norm = float(np.linalg.norm(mean)) if mean is not None else 0.0
            self._split[word] = mean / norm if mean is not None and norm > 0 else None


_CACHED = 65536


@functools.lru_cache(maxsize=2)
def word_vectors(model: str) -> WordVectors | None:
    """The input word vectors of ``model`` (a ``Settings.model``), or None when its folder has no
    ``model.safetensors`` and ``tokenizer.json`` (the scorer then reads a verb by its words alone)."""
    from rag.embedding.embedder import resolve_model_path

    try:
        folder = Path(resolve_model_path(model))
    except Exception:  # a remote model name: nothing local to read
        return None
    weights, vocabulary = folder / "model.safetensors", folder / "tokenizer.json"
    if not weights.is_file() or not vocabulary.is_file():
        log.info("no word vectors in %s: the answer scorer matches verbs by their words", folder)
        return None
    from safetensors import safe_open
    from tokenizers import Tokenizer

    with safe_open(str(weights), framework="np") as tensors:
        name = next((k for k in tensors.keys() if k.endswith("word_embeddings.weight")), None)
        if name is None:
            return None
        table = tensors.get_tensor(name)
    tokenizer = Tokenizer.from_file(str(vocabulary))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return WordVectors(table, tokenizer)
