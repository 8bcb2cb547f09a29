"""Every hostile case in ``cases.jsonl`` as a test; the ``http`` ones share one app on loopback."""

from __future__ import annotations

import pytest

from tests.hostile.runner import Context, load_cases, run_case, start_app

CASES = load_cases()


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory):
    app = start_app(tmp_path_factory.mktemp("hostile-app"))
    yield app
    app.stop()


def test_the_probe_list_is_well_formed():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids)) and len(ids) >= 40
    assert {"3", "4", "5", "8", "9", "held"} <= {c.defect for c in CASES}


@pytest.mark.parametrize(
    "case", [pytest.param(c, id=c.id, marks=[pytest.mark.slow] if c.kind == "http" else []) for c in CASES]
)
def test_hostile_case_holds(case, request, tmp_path):
    app = request.getfixturevalue("hostile_app") if case.kind == "http" else None
    verdict = run_case(case, Context(tmp_path, app))
    assert verdict.held, f"{case.id} ({case.note}): {verdict.detail}"
