"""Pure text handling: sanitising input, sentence splitting, token counting, chunking, query expansion.

Nothing here touches disk, network or a model (``tokens`` loads only a tokenizer
file, on first use); it imports nothing of ours but ``rag.types`` and ``rag.errors``.
"""
