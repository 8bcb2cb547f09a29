"""The hostile-case suite: issue 13's probe list kept as data (``cases.jsonl``), run by pytest and by a command.

``pytest tests/hostile`` runs each case as a test; ``python -m tests.hostile``
runs them all and prints a table of cases tried and held (``--no-app`` skips
the cases that need the running app).
"""
