"""The browser chat: a Gradio app over one process-wide, atomically swapped ``Index``.

Modules: ``state`` (the index holder), ``render`` and ``sources`` (pure Answer -> HTML),
``uploads`` (upload validation), ``library`` (Library-tab handlers), ``chat``
(the streaming chat handler), ``ui`` (the Blocks layout) and ``server`` (the
launch edge). Importing this package does not import Gradio.
"""
