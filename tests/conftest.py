"""Shared fixtures. Each test builds what it needs under its own tmp_path.

The embedding model is loaded once per test process (it is cached in memory by
``rag.embedding.factory.get_embedder``); indexes are never shared through a folder.
"""

from __future__ import annotations

import gc
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
# The seed questions belong to the shared data beside the repository (CI has it too): read, never committed.
SEED_QUESTIONS = ROOT.parent / "shared" / "data" / "seed" / "questions.jsonl"


def seed_questions() -> list[dict]:
    if not SEED_QUESTIONS.exists():
        raise FileNotFoundError(
            f"the seed questions are read from {SEED_QUESTIONS} (shared data, not in the repository)"
        )
    lines = SEED_QUESTIONS.read_text(encoding="utf-8").splitlines()
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


@pytest.fixture(autouse=True)
def _unfreeze_after():
    """An index holder freezes what the process holds (``gc.freeze``); a test leaves nothing frozen for the next."""
    yield
    gc.unfreeze()
