"""Text to vectors: the packaged sentence-transformers model, late-chunked sentence vectors, batch ingest.

``embedder`` loads the model once per process, ``sentvec`` pools token vectors into
sentence vectors stored int8, ``ingest`` chunks and embeds new articles for any store,
and ``ray`` runs the same embedding on Ray Data. Nothing heavy is imported here.
"""
