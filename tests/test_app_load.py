"""Smoke test of bench/load_test.py: a few concurrent sessions against a real app, no errors.

Not a timing test: latency depends on the machine, so only correctness under
concurrency (every request answered, none with an error) is asserted.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from app_process import start_app  # noqa: E402
from load_test import render_table, run_load  # noqa: E402

pytestmark = pytest.mark.slow


def test_concurrent_sessions_get_answers_without_errors(tmp_path):
    app = start_app(tmp_path / "index", tmp_path)
    try:
        report = run_load(app.url, sessions=3, questions_per_session=2)
    finally:
        app.stop()
    assert report["errors"] == 0, report["error_samples"]
    assert report["requests"] == 6 and report["p50_s"] is not None
    assert "p95 latency" in render_table(report)
