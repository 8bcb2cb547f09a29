"""Tables and the scaling chart for ``bench.at_scale``: each 100k target as met or missed.

Reads ``build.json`` and the ``serve-<chunks>.json`` files that ``build`` and
``serve`` leave in one folder, and writes ``at_scale.md``, ``at_scale.json`` and
``scaling.png`` into the results folder.
"""

from __future__ import annotations

import json
from pathlib import Path

from bench.chart import plt, save_over_chunks

# (label, figure in a serve result, limit, unit) — the targets at 100k chunks.
TARGETS = (
    ("p95 retrieve + extractive answer", lambda s: s["latency_ms"]["retrieve_answer"]["p95_ms"], 50, "ms"),
    ("RSS serving (after all questions; 1.5 GB = 1,536 MiB)", lambda s: s["rss_mb_after_questions"], 1536, "MiB"),
    ("durable add of one article, serving process (median of 3)", lambda s: s["durable_add_s"], 1.0, "s"),
    ("durable remove of one article, serving process (median of 3)", lambda s: s["durable_remove_s"], 1.0, "s"),
    ("load a saved index (median of 3)", lambda s: s["load_s_median"], 5.0, "s"),
)
# The baseline (the answerer before the selector and scorer) is in serve results from 2026-12-01 on.
PARTS = ("embed", "faiss", "bm25", "retrieve", "retrieve_answer", "retrieve_answer_baseline")


def load(folder: Path) -> tuple[list[dict], dict[int, dict]]:
    builds = json.loads((folder / "build.json").read_text())
    serves = {}
    for path in sorted(folder.glob("serve-*.json")):
        result = json.loads(path.read_text())
        serves[int(path.stem.split("-")[1])] = result
    return builds, serves


def render(builds: list[dict], serves: dict[int, dict]) -> str:
    lines = [
        "| target | articles | chunks | build s | articles/s | tokens/s | peak RSS MiB | index MiB |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for b in builds:
        lines.append(
            f"| {b['target_chunks']:,} | {b['articles']:,} | {b['chunks']:,} | {b['build_s']:,.0f} "
            f"| {b['articles_per_s']:.2f} | {b['tokens_per_s']:,} | {b['peak_rss_mb']:,.0f} | {b['index_mb']:,.0f} |"
        )
    lines += [
        "",
        "| chunks | dense index | "
        + " | ".join(f"{p} p50/p95 ms" for p in PARTS)
        + " | ANN recall@10 vs exact | load s | RSS MiB loaded / served | durable add / remove s | CLI add / remove s |",
        "|---|---|" + "---|" * (len(PARTS) + 5),
    ]
    for chunks, s in sorted(serves.items()):
        lat = " | ".join(_latency(s["latency_ms"].get(p)) for p in PARTS)
        recall = "—" if s["ann_recall_at_10_vs_exact"] is None else f"{s['ann_recall_at_10_vs_exact']:.3f}"
        lines.append(
            f"| {chunks:,} | {s['dense_kind']} | {lat} | {recall} | {s['load_s_median']:.2f} "
            f"| {s['rss_mb_loaded']:,} / {s['rss_mb_after_questions']:,} "
            f"| {s['durable_add_s']:.2f} / {s['durable_remove_s']:.2f} | {s['cli_add_s']:.1f} / {s['cli_remove_s']:.1f} |"
        )
    largest = max(serves) if serves else None
    if largest is not None:
        lines += ["", f"Targets at {largest:,} chunks:", "", "| target | limit | measured | |", "|---|---|---|---|"]
        for label, figure, limit, unit in TARGETS:
            value = figure(serves[largest])
            lines.append(
                f"| {label} | ≤ {limit:g} {unit} | {value:,.2f} {unit} | {'met' if value <= limit else 'MISSED'} |"
            )
    return "\n".join(lines)


def _latency(figures: dict | None) -> str:
    return "—" if figures is None else f"{figures['p50_ms']:.1f} / {figures['p95_ms']:.1f}"


def chart(builds: list[dict], serves: dict[int, dict], path: Path) -> Path:
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4), dpi=120)
    left.plot([b["chunks"] for b in builds], [b["build_s"] for b in builds], marker="o")
    left.set_ylabel("build time, s")
    left.set_title("index build", fontsize=10)
    points = sorted(serves.items())
    for part, label in (("retrieve", "hybrid retrieval"), ("retrieve_answer", "retrieval + answer")):
        for stat, style in (("p50_ms", "-"), ("p95_ms", "--")):
            right.plot(
                [s["chunks"] for _, s in points],
                [s["latency_ms"][part][stat] for _, s in points],
                style,
                marker="o",
                label=f"{label} {stat[:3]}",
            )
    right.axhline(50, color="grey", lw=0.8, ls=":", label="50 ms target")
    right.set_ylabel("latency, ms")
    right.set_title("query latency (one thread, query embedding included)", fontsize=10)
    right.legend(fontsize=8)
    return save_over_chunks(fig, (left, right), path)


def write(folder: Path, results: Path) -> str:
    builds, serves = load(folder)
    results.mkdir(parents=True, exist_ok=True)
    text = render(builds, serves)
    (results / "at_scale.md").write_text(text + "\n")
    (results / "at_scale.json").write_text(json.dumps({"build": builds, "serve": serves}, indent=1))
    chart(builds, serves, results / "scaling.png")
    return text
