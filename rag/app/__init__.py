"""The browser chat: a Gradio face on ``rag.api``, over the process-wide, atomically swapped index.

Modules: ``render`` and ``sources`` (pure Answer -> HTML), ``uploads`` (upload
validation), ``library`` (Library-tab handlers), ``chat`` (the streaming chat
handler), ``ui`` (the Blocks layout) and ``server`` (the launch edge). The index
is held by ``rag.api`` (``rag.stores.holder``), the same holder Python callers use.
Importing this package does not import Gradio.
"""
