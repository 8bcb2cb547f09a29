"""Answering: questions and retrieved passages in, a cited ``Answer`` with per-sentence verdicts out.

``pipeline`` runs the extractive answerer (offline, deterministic) or hands over
to ``llm`` (any LangChain chat model); both end in ``finish``. ``extractive``,
``support``, ``markers``, ``followup`` and ``text`` are pure; ``prompts`` reads
the prompt files. A new answerer is a module here that yields ``Answer``s and
ends with ``finish.finish``.
"""

from rag.answer.pipeline import answer_question, stream_answer

__all__ = ["answer_question", "stream_answer"]
