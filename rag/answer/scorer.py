"""The learned answer scorer at run time: a logistic regression shipped as weights, applied with numpy.

``scorer.json`` beside this module is written by ``python -m bench.train_scorer``
(scikit-learn, cross-validated, fit on the *fit* halves of the dev sets only) and
holds the feature names, their standardisation, the weights, the version and the
threshold chosen for a stated precision. Running it is a dot product and a
sigmoid, so answering pays microseconds and ``import rag`` pulls in no sklearn.
The output is a calibrated probability that the chosen sentence answers the
question (see the reliability table ``rag eval answers`` prints).
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rag.answer.answerability import NAMES, Features
from rag.errors import ConfigError

SCORER_FILE = Path(__file__).with_name("scorer.json")


@dataclass(frozen=True)
class Scorer:
    version: str
    names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    intercept: float
    threshold: float  # probability at or above which the answer is given
    # The stated precision the threshold was chosen for: the share of abstentions that are right
    # (the question unanswerable, or the answer that would have been given wrong).
    precision: float

    def probability(self, features: Features) -> float:
        x = (np.asarray(features.values, dtype=np.float64) - self.mean) / self.scale
        z = float(x @ self.weights) + self.intercept
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))


@functools.lru_cache(maxsize=4)
def load_scorer(path: Path = SCORER_FILE) -> Scorer:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ConfigError(f"cannot read the answer scorer {path}: {error}") from None
    if tuple(data["features"]) != NAMES:
        raise ConfigError(f"answer scorer {path} was trained on other features; retrain: python -m bench.train_scorer")
    return Scorer(
        version=data["version"],
        names=tuple(data["features"]),
        mean=np.asarray(data["mean"], dtype=np.float64),
        scale=np.asarray(data["scale"], dtype=np.float64),
        weights=np.asarray(data["weights"], dtype=np.float64),
        intercept=float(data["intercept"]),
        threshold=float(data["threshold"]),
        precision=float(data["precision"]),
    )
