"""Smoke test of ``python -m bench run``: every system on a tiny corpus, outputs written, no timing checks.

Runs the runner in-process (the embedding model is shared with the other tests)
on the seed article plus a few synthetic jsonl articles, with a tiny scaling
pass over the same synthetic articles gzipped, and a README to update.
"""

from __future__ import annotations

import gzip
import json
import shutil

import pytest

from tests.conftest import SEED

pytest.importorskip("langchain_community")
pytest.importorskip("matplotlib")
pytest.importorskip("psutil")

SYNTHETIC = [
    {
        "doc_id": "syn-harbor",
        "title": "Harbor bridge reopens after repairs",
        "publish_date": "2025/03/02",
        "text": "The Kelston harbor bridge reopened on Monday after eight months of repairs. "
        "Engineers replaced 40 steel cables that had corroded in the salt air. "
        "The city council said the repairs cost 12 million dollars.\n\n"
        "Commuters had used a ferry service while the bridge was closed.",
    },
    {
        "doc_id": "syn-orchard",
        "title": "Apple harvest breaks record in Vale county",
        "publish_date": "2025/09/14",
        "text": "Farmers in Vale county picked a record 3,000 tonnes of apples this autumn. "
        "A warm spring and steady rain helped the orchards, growers said. "
        "The most planted variety was the Honeycrisp.",
    },
    {
        "doc_id": "syn-library",
        "title": "New library named after poet Mara Quill",
        "publish_date": "2025/06/20",
        "text": "The town of Edgewater opened a new public library named after the poet Mara Quill. "
        "The building holds 80,000 books and a rooftop reading garden. "
        "Quill grew up in Edgewater and wrote about its river.",
    },
    {
        "doc_id": "syn-rail",
        "title": "Night trains return to the northern line",
        "publish_date": "2025/01/11",
        "text": "Night trains will run again on the northern line from April, the rail operator said. "
        "Sleeper cars will connect Dunmore and Port Ash in nine hours.",
    },
]
FIGURES = {
    "retrieval": ("recall@1", "recall@4", "recall@10", "mrr", "answer_in_top4", "p50_ms", "p95_ms"),
    "answer": ("contains_accuracy", "citation_precision", "p50_ms", "p95_ms"),
    "build": ("seconds", "articles_per_s", "tokens_per_s", "passages", "peak_rss_mb", "peak_rss_delta_mb"),
    "index": ("index_bytes", "load_s"),
}


def write_inputs(tmp_path):
    from rag.readers.files import read_path

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    lines = "".join(json.dumps(a) + "\n" for a in SYNTHETIC)
    (corpus / "synthetic.jsonl").write_text(lines, encoding="utf-8")
    with gzip.open(tmp_path / "scale.jsonl.gz", "wt", encoding="utf-8") as f:
        f.write(lines)
    seed_id = read_path(SEED)[0].id
    questions = [
        {
            "id": "q1",
            "question": "How many steel cables were replaced on the Kelston harbor bridge?",
            "answer": "40",
            "relevant_doc_ids": ["syn-harbor"],
        },
        {
            "id": "q2",
            "question": "Who is the new Edgewater library named after?",
            "answers": ["Mara Quill"],
            "gold_doc_ids": ["syn-library"],
        },
        {
            "id": "q3",
            "question": "Who did the CIA director warn about the troop buildup?",
            "answer": "Russia",
            "relevant_doc_ids": [seed_id],
        },
    ]
    path = tmp_path / "questions.jsonl"
    path.write_text("".join(json.dumps(q) + "\n" for q in questions), encoding="utf-8")
    return corpus, path


def test_bench_run_writes_every_system_and_figure(tmp_path):
    from bench.__main__ import main

    corpus, questions = write_inputs(tmp_path)
    out = tmp_path / "results"
    readme = tmp_path / "README.md"
    readme.write_text("# Bench\n\n<!-- results:start -->\nPLACEHOLDER\n<!-- results:end -->\n", encoding="utf-8")
    code = main(
        [
            "run",
            "--corpus",
            str(corpus),
            "--questions",
            str(questions),
            "--out",
            str(out),
            "--systems",
            "ours,langchain,bm25,dense,rrf",
            "--split",
            "all",
            "--update-readme",
            "--readme",
            str(readme),
            "--scale-sizes",
            "2,6",
            "--scale-corpus",
            str(tmp_path / "scale.jsonl.gz"),
            "--scale-questions",
            "2",
        ]
    )
    assert code == 0

    report = json.loads((out / "latest.json").read_text(encoding="utf-8"))
    assert set(report["systems"]) == {"ours", "langchain", "bm25", "dense", "rrf"}
    assert report["inputs"]["articles"] == 5 and report["inputs"]["questions_scored"] == 3
    for name, system in report["systems"].items():
        for key in FIGURES["retrieval"]:
            assert system["retrieval"][key] is not None, (name, key)
    for name in ("ours", "langchain"):
        for part in ("build", "index"):
            for key in FIGURES[part]:
                assert report["systems"][name][part][key] is not None, (name, part, key)
    for key in FIGURES["answer"]:
        assert report["systems"]["ours"]["answer"][key] is not None, key
    assert report["systems"]["bm25"]["shares_index_with"] == "ours"
    assert set(report["systems"]["langchain"]["retrieval"]["paired_vs_ours"]) == {"k", "only_this", "only_ours"}
    machine = report["machine"]
    assert machine["cpu_count"] and machine["cpu_model"] and machine["versions"]["python"]
    assert machine["versions"]["torch"] and machine["versions"]["faiss"]
    assert report["command"].startswith("python -m bench run") and report["date"]

    assert [p["target_chunks"] for p in report["scaling"]] == [2, 6]
    assert all(p["chunks"] >= 2 and p["build_s"] > 0 for p in report["scaling"])
    for png in ("quality_vs_latency.png", "scaling.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    table = (out / "latest.md").read_text(encoding="utf-8")
    assert "| langchain |" in table and "| ours |" in table
    updated = readme.read_text(encoding="utf-8")
    assert "PLACEHOLDER" not in updated and "| dense |" in updated and "quality_vs_latency.png" in updated


def test_update_readme_replaces_only_the_marked_section(tmp_path):
    from bench.report import END, START, update_readme

    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{START}\nold\n{END}\noutro\n", encoding="utf-8")
    update_readme(readme, "new table")
    text = readme.read_text(encoding="utf-8")
    assert text == f"intro\n{START}\nnew table\n{END}\noutro\n"
    bare = tmp_path / "BARE.md"
    bare.write_text("# Bench\n", encoding="utf-8")
    update_readme(bare, "t")
    assert f"{START}\nt\n{END}" in bare.read_text(encoding="utf-8")


@pytest.mark.slow
def test_cold_start_bench_launches_the_app_and_gets_an_answer(tmp_path, capsys):
    """``bench/cold_start.py`` end to end, once: a real app process, a real first answer."""
    import sys

    from rag.api import build_index
    from rag.settings import Settings
    from tests.conftest import ROOT

    sys.path.insert(0, str(ROOT / "bench"))
    import cold_start

    build_index([SEED], Settings(index_dir=tmp_path / "index"))
    out = tmp_path / "cold.json"
    assert cold_start.main(["--index-dir", str(tmp_path / "index"), "--runs", "1", "--json-out", str(out)]) == 0
    report = json.loads(out.read_text())
    assert report["runs"][0]["first_answer_s"] >= report["runs"][0]["serving_s"] > 0
    assert report["machine"]["cpu_capability"]


@pytest.mark.slow
def test_build_speed_times_both_builds_as_whole_processes(tmp_path):
    from bench.build_speed import compare

    corpus = tmp_path / "articles.jsonl"
    corpus.write_text("".join(json.dumps(a) + "\n" for a in SYNTHETIC))
    result = compare(corpus, articles=2, runs=1)
    assert result["articles"] == 2 and result["tokens"] > 0
    for system in ("ours", "recipe"):
        (run,) = result["runs"][system]
        assert run["wall_s"] > 0 and run["cpu_s"] > 0 and run["peak_rss_mib"] > 50
    assert result["speedup_wall"] > 0 and result["machine"]["capability"] and "bf16_native" in result["machine"]


@pytest.mark.slow
def test_at_scale_serve_times_both_answerers_through_the_held_index(settings):
    """``bench.at_scale serve`` as the app serves: loaded and updated through the holder, baseline beside."""
    from bench.at_scale import serve
    from rag.api import build_index
    from rag.readers.clean import make_article

    build_index([SEED], settings)
    extra = make_article("Harbour reopens", "The harbour reopened on Monday after the storm.", source="bench:add")
    before = sorted(p.name for p in settings.index_dir.iterdir()), (settings.index_dir / "current").resolve()
    result = serve(settings.index_dir, ["Who warned Russia?", "Where will the summit be held?"], [extra])
    # The durable edits and the compaction ran on a copy: the next run measures the same folder.
    assert (sorted(p.name for p in settings.index_dir.iterdir()), (settings.index_dir / "current").resolve()) == before
    assert {"retrieve_answer", "retrieve_answer_baseline"} <= result["latency_ms"].keys()
    assert all(v["n"] == 2 for v in result["latency_ms"].values())
    assert result["durable_add_runs_s"] and result["durable_remove_runs_s"] and result["chunks"] > 0


def _seed_halves(tmp_path):
    """Two answerable seed questions and one the article does not answer, as bench.unanswerable writes them."""
    rows = [
        {"question": "Who warned Russia?", "answers": ["William Burns"], "answerable": True},
        {
            "question": "What did Putin’s July essay question?",
            "answers": ["the legitimacy of Ukraine’s borders"],
            "answerable": True,
        },
        {"question": "What did Xi Jinping say about the summit?", "answers": [], "answerable": False},
    ]
    path = tmp_path / "seed.fit.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_revision_answers_counts_a_revisions_answers_as_rag_eval_does(tmp_path, capsys):
    """``bench.revision_answers`` with today's code: the index is built on first use, then reused."""
    from bench.revision_answers import main

    halves = _seed_halves(tmp_path)
    for _ in range(2):
        main(["--corpus", str(SEED), "--index-dir", str(tmp_path / "index"), "--questions", str(halves)])
    first, second = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert first == {**second, "p50_ms": first["p50_ms"]}
    assert (first["answerable"], first["unanswerable"]) == (2, 1)
    assert first["answered_correct"] == 1.0 and first["unanswerable_withheld"] == 1.0
    assert 0 < first["citation_precision"] <= 1


def test_runner_up_rules_quote_more_as_the_ratio_falls(tmp_path, capsys, settings):
    """``bench.runner_up``: one line a rule; a lower bar never quotes fewer sentences."""
    from bench.runner_up import main
    from rag.api import build_index

    build_index([SEED], settings)
    main(
        [
            "--index-dir",
            str(settings.index_dir),
            "--questions",
            str(_seed_halves(tmp_path)),
            "--rules",
            "0.9/inf,0.1/0.1",
        ]
    )
    strict, loose = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert (strict["rule"], loose["rule"]) == ("0.9/inf", "0.1/0.1")
    assert strict["answered_correct"] == 1.0 and loose["answered_correct"] == 1.0
    assert strict["citations"] == 2 < loose["citations"]
