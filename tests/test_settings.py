"""Settings validate at construction and read RAG_* variables only when asked to."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.errors import ConfigError
from rag.settings import Settings


def test_defaults_are_valid():
    s = Settings()
    assert s.mode == "hybrid" and s.answerer == "extractive" and s.index_dir == Path("index")


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("k", 0, "k must be between 1 and 1000, got 0"),
        ("chunk_tokens", 300, "chunk_tokens must be between 8 and 254"),
        ("mode", "fuzzy", "mode must be one of hybrid, dense, bm25"),
        ("port", 70000, "port must be between 0 and 65535"),
        ("answerer", "gpt4", "provider:model"),
        ("article_passages", -1, "article_passages must be between 0 and 100"),
    ],
)
def test_bad_values_name_the_value_and_the_range(field, value, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        Settings(**{field: value})


def test_from_env_parses_types_and_flags_win():
    env = {"RAG_K": "7", "RAG_INDEX_DIR": "/tmp/x", "RAG_LLM": "openai:m", "RAG_AUTH": "u:p"}
    s = Settings.from_env(env, index_dir=Path("/tmp/y"))
    assert s.k == 7 and s.answerer == "openai:m" and s.auth == ("u", "p")
    assert s.index_dir == Path("/tmp/y")


def test_from_env_rejects_malformed_numbers():
    with pytest.raises(ConfigError, match="RAG_K must be an integer"):
        Settings.from_env({"RAG_K": "many"})
