"""How sure a difference between two runs is: a paired bootstrap over articles.

"Answered correctly drops by no more than 3 points" is a claim about the next
question set, not about this one. Two runs answer the same questions, so the
difference is paired, and questions about one article rise and fall together, so
whole articles are resampled (a cluster bootstrap), not questions. Pure and
deterministic: a seeded generator, no disk, no model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Interval:
    """A difference of means (``new`` minus ``base``) and its bootstrap interval."""

    estimate: float
    low: float
    high: float
    level: float
    groups: int


def paired_difference(
    new: Sequence[float],
    base: Sequence[float],
    groups: Sequence[str],
    *,
    level: float = 0.95,
    draws: int = 2000,
    seed: int = 0,
) -> Interval:
    """mean(new) - mean(base) over the same items, resampling whole ``groups`` (one label per item)."""
    if not len(new) == len(base) == len(groups):
        raise ValueError(f"new, base and groups differ in length: {len(new)}, {len(base)}, {len(groups)}")
    if not new:
        return Interval(0.0, 0.0, 0.0, level, 0)
    names = sorted(set(groups))
    member = {name: i for i, name in enumerate(names)}
    ids = np.array([member[g] for g in groups])
    diff = np.asarray(new, dtype=float) - np.asarray(base, dtype=float)
    # Per group: summed difference and item count, so a draw is two sums over the groups it picked.
    sums = np.bincount(ids, weights=diff, minlength=len(names))
    counts = np.bincount(ids, minlength=len(names)).astype(float)
    picks = np.random.default_rng(seed).integers(0, len(names), size=(draws, len(names)))
    means = sums[picks].sum(axis=1) / counts[picks].sum(axis=1)
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(means, [tail, 1.0 - tail])
    return Interval(float(diff.mean()), float(low), float(high), level, len(names))
