"""The learned models of answering, shipped as weights and applied with numpy: answer scorer and sentence selector.

Both are logistic regressions written by scripts in ``bench/`` (scikit-learn,
cross-validated, fit on the *fit* halves of the dev sets only):

- ``scorer.json`` (``python -m bench.train_scorer``): the probability that the
  chosen sentence answers the question at all, with the threshold chosen for a
  stated precision; below it the answer is partial or an abstention.
- ``selector.json`` (``python -m bench.train_selector``): per candidate sentence,
  the probability that it holds the answer; it orders the candidates.

Each file holds the feature names, their standardisation, the weights and a
version. Running one is a dot product and a sigmoid, so answering pays
microseconds and ``import rag`` pulls in no sklearn.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rag.answer.answerability import NAMES, Features
from rag.answer.selection import SELECTION_NAMES
from rag.errors import ConfigError

SCORER_FILE = Path(__file__).with_name("scorer.json")
SELECTOR_FILE = Path(__file__).with_name("selector.json")


@dataclass(frozen=True)
class Logistic:
    version: str
    names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    intercept: float
    threshold: float = 0.5  # probability at or above which the answer is given (the scorer's)
    # The stated precision the threshold was chosen for: the share of abstentions that are right
    # (the question unanswerable, or the answer that would have been given wrong).
    precision: float = 0.0

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        z = ((np.asarray(rows, dtype=np.float64) - self.mean) / self.scale) @ self.weights + self.intercept
        return 1.0 / (1.0 + np.exp(-np.clip(z, -60.0, 60.0)))

    def probability(self, features: Features) -> float:
        return float(self.probabilities(np.asarray([features.values]))[0])


def load_scorer(path: Path = SCORER_FILE) -> Logistic:
    return _load(Path(path), NAMES, "python -m bench.train_scorer")


def load_selector(path: Path = SELECTOR_FILE) -> Logistic:
    return _load(Path(path), SELECTION_NAMES, "python -m bench.train_selector")


@functools.lru_cache(maxsize=8)
def _load(path: Path, names: tuple[str, ...], retrain: str) -> Logistic:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ConfigError(f"cannot read the answer model {path}: {error}") from None
    if tuple(data["features"]) != names:
        raise ConfigError(f"answer model {path} was trained on other features; retrain: {retrain}")
    return Logistic(
        version=data["version"],
        names=tuple(data["features"]),
        mean=np.asarray(data["mean"], dtype=np.float64),
        scale=np.asarray(data["scale"], dtype=np.float64),
        weights=np.asarray(data["weights"], dtype=np.float64),
        intercept=float(data["intercept"]),
        threshold=float(data.get("threshold", 0.5)),
        precision=float(data.get("precision", 0.0)),
    )
