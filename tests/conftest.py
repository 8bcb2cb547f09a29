"""Shared fixtures. Each test builds what it needs under its own tmp_path.

The embedding model is loaded once per test process (it is cached in memory by
``rag.embedding.factory.get_embedder``); indexes are never shared through a folder.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "articles" / "kremlin-says-second-biden-putin-meeting.txt"
BURNS = (
    "CIA director William Burns traveled to Moscow earlier this month to warn Russia that "
    "Washington was closely watching its troop buildup."
)
SEED_TITLE = "Kremlin Says Second Biden-Putin Meeting Is in the Works"


def seed_questions() -> list[dict]:
    lines = (ROOT / "tests" / "seed_questions.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.fixture
def settings(tmp_path):
    from rag.settings import Settings

    return Settings(index_dir=tmp_path / "index", corpus_dir=ROOT / "data" / "articles")


@pytest.fixture
def seed_index(settings):
    """A fresh index of the bundled seed article, built with the real packaged model."""
    from rag.api import build_index

    return build_index([SEED], settings)


@pytest.fixture(scope="session", autouse=True)
def onnx_model_exported():
    """Export the packaged model to ONNX once, up front, if the user cache lacks it (a fresh machine):
    otherwise the first test to embed, or a CLI subprocess with a timeout, pays the ~30 s export."""
    from rag.embedding.embedder import resolve_model_path
    from rag.embedding.onnx_export import onnx_path
    from rag.settings import DEFAULT_MODEL

    onnx_path(resolve_model_path(DEFAULT_MODEL), "fp32")
