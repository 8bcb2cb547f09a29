"""Tombstones: logical rows follow a list model through any sequence of appends and removes."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.stores.rows import Rows

STEPS = st.lists(st.tuples(st.booleans(), st.integers(1, 5), st.randoms(use_true_random=False)), max_size=20)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 8), STEPS)
def test_rows_follow_a_list_of_physical_rows(start, steps):
    rows, model = Rows.all(start), list(range(start))
    for append, n, rng in steps:
        if append or not model:
            rows, model = rows.appended(n), model + list(range(rows.physical, rows.physical + n))
        else:
            gone = sorted(rng.sample(range(len(model)), min(n, len(model))))
            rows, model = rows.removed(gone), [p for i, p in enumerate(model) if i not in gone]
        assert rows.size == len(model) and rows.dead == rows.physical - len(model)
        assert rows.to_physical(np.arange(len(model))).tolist() == model
        assert rows.to_logical(model).tolist() == list(range(len(model)))
        assert sorted(set(range(rows.physical)) - set(model)) == rows.dead_physical.tolist()
        assert all(rows.to_logical(rows.dead_physical) == -1)


def test_weights_mark_live_rows_and_the_mask():
    rows = Rows.all(5).removed([1])  # physical rows 0, 2, 3, 4 live
    assert Rows.all(5).weights(None) is None
    assert rows.weights(None).tolist() == [1, 0, 1, 1, 1]
    assert rows.weights(np.array([0, 1, 0, 1], dtype=np.float32)).tolist() == [0, 0, 1, 0, 1]
