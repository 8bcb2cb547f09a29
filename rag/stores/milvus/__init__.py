"""The Milvus store (a server, or Milvus Lite's ``.db``): the same ``Store`` surface, vectors and BM25 in Milvus.

Imported only when ``Settings.store`` names Milvus, so pymilvus stays out of ``import rag``.
"""
