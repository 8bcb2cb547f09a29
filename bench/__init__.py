"""Side-by-side benchmark of our RAG pipeline against the LangChain default recipe and single retrievers.

``python -m bench run --corpus C.jsonl --questions Q.jsonl`` builds every system
in one process on the same articles, asks the same questions, and writes a
markdown table, a JSON report and a chart under ``bench/results/``. See
``bench/README.md``. The older scripts beside this package (``load_test.py``,
``cold_start.py``, ``app_process.py``) run on their own and do not import it.
"""

SCHEMA_VERSION = 1
