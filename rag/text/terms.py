"""BM25's terms: English stop words out, Snowball stems, the same for every store and for queries.

Stemming makes "warned" match "warn"; the stop list keeps "who" and "the" from
dominating short questions. The folder store feeds these terms to bm25s and the
Milvus store to its BM25 function (Milvus' analyzers have no stemmer matching
ours), so both score the same words.
"""

from __future__ import annotations

from collections.abc import Sequence

import bm25s
import Stemmer

_STEMMER = Stemmer.Stemmer("english")


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    """Each text's terms, in order: lower-cased words, stop words removed, stemmed."""
    return bm25s.tokenize(list(texts), stopwords="en", stemmer=_STEMMER, return_ids=False, show_progress=False)
