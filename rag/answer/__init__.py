"""Answering: the extractive offline answerer, the optional LLM answerer, and the support check."""

from rag.answer.pipeline import answer_question, stream_answer

__all__ = ["answer_question", "stream_answer"]
