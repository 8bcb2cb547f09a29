"""The shipped answer scorer is what the training script makes from the shipped features."""

from __future__ import annotations

import json

import pytest

from rag.answer.answerability import NAMES, Features
from rag.answer.scorer import SCORER_FILE, load_scorer

pytest.importorskip("sklearn")


def test_shipped_scorer_equals_a_fresh_training_run():
    from bench.train_scorer import FEATURES, train

    shipped = json.loads(SCORER_FILE.read_text(encoding="utf-8"))
    assert train(FEATURES, shipped["precision"], verbose=False) == shipped


def test_scorer_probability_matches_a_logistic_regression():
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    from bench.train_scorer import FEATURES, load

    scorer = load_scorer()
    x, y, _, _ = load(FEATURES)
    scaler = StandardScaler().fit(x)
    model = LogisticRegression(C=json.loads(SCORER_FILE.read_text())["C"], max_iter=5000).fit(scaler.transform(x), y)
    expected = model.predict_proba(scaler.transform(x[:20]))[:, 1]
    got = [scorer.probability(Features(tuple(row))) for row in x[:20]]
    assert np.allclose(got, expected, atol=1e-4)
    assert scorer.names == NAMES and 0.0 < scorer.threshold < 1.0
