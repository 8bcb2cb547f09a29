"""FAISS wrapper: exact flat search, the automatic switch to HNSW, and row alignment on removal."""

from __future__ import annotations

import numpy as np

from rag.stores.folder.dense import DenseIndex


def _unit(n: int, d: int = 32, seed: int = 0) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal((n, d)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_flat_search_is_exact_and_filters():
    x = _unit(100)
    index = DenseIndex.empty(32).added(x)
    assert index.kind == "flat"
    assert index.search(x[7], 1)[0][0] == 7
    rows = [r for r, _ in index.search(x[7], 5, np.array([3, 9, 11]))]
    assert set(rows) <= {3, 9, 11} and len(rows) == 3


def test_switches_to_hnsw_past_the_threshold_and_keeps_recall():
    x = _unit(600)
    index = DenseIndex.empty(32, ann_threshold=500).added(x[:400])
    assert index.kind == "flat"
    index = index.added(x[400:])
    assert index.kind == "hnsw" and index.size == 600
    found = sum(index.search(x[i], 1)[0][0] == i for i in range(0, 600, 5))
    assert found >= 0.95 * 120
    exact = [r for r, _ in index.search(x[0], 10, exact=True)]
    approx = [r for r, _ in index.search(x[0], 10)]
    assert len(set(exact) & set(approx)) >= 8


def test_removal_shifts_rows_like_the_chunk_list():
    x = _unit(60)
    for threshold in (0, 40):
        index = DenseIndex.empty(32, ann_threshold=threshold).added(x)
        smaller = index.removed([0, 10])
        assert smaller.size == 58 and index.size == 60
        # old row 11 is now row 9, old row 59 is now 57
        assert smaller.search(x[11], 1)[0][0] == 9
        assert smaller.search(x[59], 1)[0][0] == 57


def test_save_load(tmp_path):
    x = _unit(80)
    index = DenseIndex.empty(32, ann_threshold=50).added(x)
    index.save(tmp_path / "d.faiss")
    loaded = DenseIndex.load(tmp_path / "d.faiss", 50)
    assert loaded.kind == "hnsw" and loaded.search(x[3], 3) == index.search(x[3], 3)


def test_adds_past_an_hnsw_graph_and_removals_are_searched_like_one_index():
    x = _unit(300, seed=1)
    hnsw = DenseIndex.empty(32, ann_threshold=100).added(x[:200])
    assert hnsw.kind == "hnsw" and hnsw.pending == 0
    grown = hnsw.added(x[200:])  # beside the graph, which is shared, not copied
    smaller = grown.removed([5, 250])
    assert grown.pending == 100 and smaller.pending == 102 and smaller.size == 298
    compact = smaller.compacted()
    assert compact.pending == 0 and compact.kind == "hnsw"
    for i in (0, 6, 199, 200, 251, 299):
        row = i - (i > 5) - (i > 250)  # where row i sits once rows 5 and 250 are gone
        assert smaller.search(x[i], 1)[0][0] == row == compact.search(x[i], 1)[0][0]
        assert np.allclose(smaller.vectors([row])[0], x[i], atol=1e-6)
    assert {r for r, _ in smaller.search(x[5], 298)} == set(range(298))  # a dead row is never returned
    assert np.allclose(smaller.all_vectors(), np.delete(x, [5, 250], axis=0), atol=1e-6)
    only = np.array([3, 240, 297])
    assert {r for r, _ in smaller.search(x[3], 10, only)} == set(only.tolist())
    exact = [r for r, _ in smaller.search(x[9], 10, exact=True)]
    assert exact == [r for r, _ in compact.search(x[9], 10, exact=True)]


def test_saving_writes_the_compacted_index(tmp_path):
    x = _unit(90, seed=2)
    index = DenseIndex.empty(32, ann_threshold=50).added(x[:60]).added(x[60:]).removed([0, 70])
    index.save(tmp_path / "d.faiss")
    loaded = DenseIndex.load(tmp_path / "d.faiss", 50)
    assert loaded.size == 88 and loaded.pending == 0
    assert [r for r, _ in loaded.search(x[71], 3)] == [r for r, _ in index.search(x[71], 3)]


def test_an_index_made_block_by_block_searches_as_one_made_at_once():
    x = _unit(160, seed=3)
    for threshold in (0, 100):  # flat, then HNSW
        blocks = DenseIndex.from_blocks([x[:70], x[70:71], x[71:]], None, 32, threshold)
        once = DenseIndex.empty(32, threshold).added(x).compacted()
        assert blocks.kind == once.kind and blocks.size == 160 and blocks.pending == 0
        assert np.allclose(blocks.all_vectors(), x, atol=1e-6)
        hits = sum(blocks.search(x[i], 1)[0][0] == i for i in range(0, 160, 4))
        assert hits >= 38


def test_faiss_leaves_the_processes_openmp_threads_as_it_found_them():
    """torch shares FAISS's OpenMP runtime: a thread count FAISS set and kept would run every torch
    model in the process (the benchmark's LangChain recipe, a user's) on one thread."""
    import faiss

    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(3)  # an ambient count that is neither FAISS's query nor its build setting
    try:
        x = _unit(300)
        index = DenseIndex.from_blocks([x[:200], x[200:250]], None, 32, ann_threshold=100)
        assert index.kind == "hnsw"
        index = index.added(x[250:]).removed([1]).compacted()
        assert index.search(x[7], 3) and faiss.omp_get_max_threads() == 3
    finally:
        faiss.omp_set_num_threads(before)


def test_importing_the_store_changes_no_thread_count():
    import subprocess
    import sys

    code = (
        "import faiss; n = faiss.omp_get_max_threads(); import rag.stores.folder.dense; "
        "assert faiss.omp_get_max_threads() == n, (n, faiss.omp_get_max_threads())"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
