"""The default store: an index folder of generations, each holding FAISS, BM25, chunks and a checked manifest.

``index`` is the in-memory ``Index`` (immutable; add/remove return a new one),
``dense`` wraps FAISS and the sentence vectors, ``lexical`` wraps bm25s, ``manifest``
describes and checks a generation, ``persist`` reads and writes one, and
``generations`` makes a new one live by one atomic symlink swap.
"""
