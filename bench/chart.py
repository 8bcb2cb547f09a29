"""The PNG charts: quality against query latency per system, and (optionally) scaling."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import ticker  # noqa: E402

LABEL_OFFSETS = [(7, 7), (7, -15), (-30, 12), (-30, -20)]
COLORS = {"ours": "tab:blue", "langchain": "tab:orange", "bm25": "tab:green", "dense": "tab:purple", "rrf": "tab:gray"}


def quality_vs_latency(results: dict, path: Path) -> Path:
    """Recall@4 against median query latency; a line runs from each system's p50 to its p95."""
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=120)
    for i, (name, s) in enumerate(results["systems"].items()):
        r = s["retrieval"]
        color = COLORS.get(name, "tab:gray")
        ax.plot([r["p50_ms"], r["p95_ms"]], [r["recall@4"]] * 2, color=color, alpha=0.35, lw=3)
        ax.scatter([r["p50_ms"]], [r["recall@4"]], s=70, color=color, zorder=3, label=name)
        # Staggered offsets keep labels of systems that land on the same spot readable.
        ax.annotate(
            name,
            (r["p50_ms"], r["recall@4"]),
            textcoords="offset points",
            xytext=LABEL_OFFSETS[i % len(LABEL_OFFSETS)],
            color=color,
            fontsize=9,
        )
    ax.set_xscale("log")
    ax.margins(x=0.25)
    ax.xaxis.set_major_locator(ticker.LogLocator(base=10, subs=(1.0, 2.0, 3.0, 5.0, 7.0)))
    ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_formatter(ticker.NullFormatter())
    ax.legend(loc="lower right", fontsize=8)
    ax.set_xlabel("query latency, ms (dot = p50, bar to p95; log scale)")
    ax.set_ylabel("document recall@4")
    ys = [s["retrieval"]["recall@4"] for s in results["systems"].values()]
    ax.set_ylim(max(0.0, min(ys) - 0.1), min(1.0, max(ys) + 0.1))
    inputs = results["inputs"]
    ax.set_title(
        f"{Path(inputs['corpus']).name}: {inputs['articles']:,} articles, {inputs['questions_scored']} questions",
        fontsize=10,
    )
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def scaling(points: list[dict], path: Path) -> Path:
    """Two panels against chunk count: build time, and query p50 per retrieval mode."""
    chunks = [p["chunks"] for p in points]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4), dpi=120)
    left.plot(chunks, [p["build_s"] for p in points], marker="o", color=COLORS["ours"])
    left.set_ylabel("build time, s")
    left.set_title("index build (ours)", fontsize=10)
    for mode, color in (("hybrid", COLORS["ours"]), ("dense", COLORS["dense"]), ("bm25", COLORS["bm25"])):
        right.plot(chunks, [p["query"][mode]["p50_ms"] for p in points], marker="o", color=color, label=mode)
    right.set_ylabel("query latency p50, ms")
    right.set_title("query latency", fontsize=10)
    right.legend()
    for ax in (left, right):
        ax.set_yscale("log")
        ax.yaxis.set_major_locator(ticker.LogLocator(base=10, subs=(1.0, 2.0, 3.0, 5.0, 7.0)))
        ax.yaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))
        ax.yaxis.set_minor_formatter(ticker.NullFormatter())
    return save_over_chunks(fig, (left, right), path)


def save_over_chunks(fig, axes, path: Path) -> Path:
    """Panels against index size: a log chunk axis with plain tick labels, a grid, then the PNG."""
    for ax in axes:
        ax.set_xscale("log")
        ax.xaxis.set_major_locator(ticker.LogLocator(base=10, subs=(1.0, 2.0, 3.0, 5.0, 7.0)))
        ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))
        ax.xaxis.set_minor_formatter(ticker.NullFormatter())
        ax.set_xlabel("chunks in the index")
        ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
