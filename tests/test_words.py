"""The packaged model's input word vectors: paraphrased verbs come closer than unrelated ones (real model)."""

from __future__ import annotations

import numpy as np

from rag.embedding.words import word_vectors
from rag.settings import Settings


def test_paraphrases_are_closer_than_other_verbs():
    vectors = word_vectors(Settings().model)
    assert vectors is not None
    assert vectors.closeness("respond", ["response"]) > vectors.closeness("respond", ["vote"])
    assert vectors.closeness("warned", ["cautioned"]) > vectors.closeness("warned", ["praised"])
    assert vectors.closeness("founded", ["established"]) > vectors.closeness("founded", ["destroyed"])
    # The best of several words counts; a word is closest to itself.
    assert vectors.closeness("won", ["arrested", "won"]) > 0.99


def test_vectors_are_unit_and_words_without_pieces_are_not_close_to_anything():
    vectors = word_vectors(Settings().model)
    assert vectors is not None
    assert abs(float(np.linalg.norm(vectors.vector("Ukraine"))) - 1.0) < 1e-5
    assert vectors.closeness("", ["respond"]) == 0.0
    assert vectors.closeness("respond", []) == 0.0


def test_a_model_without_a_local_folder_has_no_vectors(tmp_path):
    assert word_vectors(str(tmp_path / "nowhere")) is None
