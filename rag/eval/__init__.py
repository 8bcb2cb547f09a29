"""``rag eval``: retrieval recall and answer quality measured on a corpus and its questions.

``retrieval`` scores document-level recall for every mode in one run; ``answers``
scores answers, citations and abstention.
"""
