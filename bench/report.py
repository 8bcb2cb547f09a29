"""Turning a results dict into the markdown tables, ``latest.json``/``latest.md``, and the README section."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

START, END = "<!-- results:start -->", "<!-- results:end -->"


def _f(value, fmt: str = ".3f", missing: str = "—") -> str:
    return missing if value is None else format(value, fmt)


def _ratio(value, base) -> str:
    return "—" if not value or not base else f"{value / base:.2f}×"


def _paired(p: dict | None, name: str) -> str:
    if not p or name == "ours":
        return "—"
    return f"{p['only_this']} / {p['only_ours']}"


def render_tables(results: dict) -> str:
    systems = results["systems"]
    inputs = results["inputs"]
    base = (systems.get("ours") or {}).get("retrieval", {}).get("p50_ms")
    lines = [
        f"Corpus: `{inputs['corpus']}` ({inputs['articles']:,} articles, {inputs['tokens']:,} wordpiece tokens); "
        f"questions: `{inputs['questions_file']}` ({inputs['questions_scored']} scored of "
        f"{inputs['questions_in_file']}). Document-level recall; latency = one query, top-{inputs['k']}.",
        "",
        "**Retrieval quality and query latency**",
        "",
        "| system | R@1 | R@4 | R@10 | MRR@10 | found@4 only by it / only by ours | answer in top-4 "
        "| query p50 ms | query p95 ms | p50 vs ours |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, s in systems.items():
        r = s["retrieval"]
        lines.append(
            f"| {name} | {r['recall@1']:.3f} | {r['recall@4']:.3f} | {r['recall@10']:.3f} | {r['mrr']:.3f} "
            f"| {_paired(r.get('paired_vs_ours'), name)} | {_f(r['answer_in_top4'])} | {_f(r['p50_ms'], '.1f')} | {_f(r['p95_ms'], '.1f')} "
            f"| {_ratio(r['p50_ms'], base)} |"
        )
    answered = {n: s["answer"] for n, s in systems.items() if s.get("answer")}
    if answered:
        lines += [
            "",
            "**Answers** (the LangChain recipe needs an LLM to answer; none runs here)",
            "",
            "| system | answer contains gold | citation precision | token F1 | abstained "
            "| retrieval+answer p50 ms | p95 ms |",
            "|---|---|---|---|---|---|---|",
        ]
        for name, a in answered.items():
            lines.append(
                f"| {name} | {a['contains_accuracy']:.3f} | {a['citation_precision']:.3f} ({a['citations']} cited) "
                f"| {a['token_f1']:.3f} | {a['abstained']:.3f} | {_f(a['p50_ms'], '.1f')} | {_f(a['p95_ms'], '.1f')} |"
            )
    lines += [
        "",
        "**Index build and storage** (model load excluded from build time; bm25 and dense reuse ours' index)",
        "",
        "| system | passages | build s | articles/s | tokens/s | peak RSS MB (Δ over pre-build) "
        "| index MB on disk | load s | model load s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, s in systems.items():
        b, ix = s.get("build"), s.get("index")
        if not b:
            lines.append(f"| {name} | (ours' index) | | | | | | | |")
            continue
        lines.append(
            f"| {name} | {b['passages']:,} | {b['seconds']:.1f} | {b['articles_per_s']:.1f} "
            f"| {b['tokens_per_s']:,.0f} | {b['peak_rss_mb']:,.0f} ({b['peak_rss_delta_mb']:+,.0f}) "
            f"| {ix['index_bytes'] / 2**20:.1f} | {ix['load_s']:.3f} | {b['model_load_s']:.1f} |"
        )
    return "\n".join(lines)


def render_machine(results: dict) -> str:
    m = results["machine"]
    v = m["versions"]
    return (
        f"{m['cpu_model']}, {m['cpu_count']} logical CPUs, {m['memory_gb']} GB RAM, "
        f"load average at start {m['load_average_at_start']}; Python {v['python']}, torch {v.get('torch')}, "
        f"faiss {v.get('faiss')}, sentence-transformers {v.get('sentence-transformers')}, "
        f"langchain-community {v.get('langchain-community')}; {results['date']}"
    )


def render_markdown(results: dict) -> str:
    parts = ["# Benchmark results", "", render_tables(results)]
    if results.get("scaling"):
        from bench.scaling import render_scaling

        parts += ["", "**Scaling (ours, default settings)**", "", render_scaling(results["scaling"])]
    parts += ["", f"Command: `{results['command']}`", "", f"Machine: {render_machine(results)}", ""]
    return "\n".join(parts)


def write_results(results: dict, out: Path, stem: str = "latest") -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out / f"{stem}.json", out / f"{stem}.md"
    json_path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    md_path.write_text(render_markdown(results), encoding="utf-8")
    return json_path, md_path


def readme_block(results: dict, readme: Path, charts: list[Path]) -> str:
    images = [f"![{c.stem.replace('_', ' ')}]({Path(os.path.relpath(c, readme.parent)).as_posix()})" for c in charts]
    parts = [render_tables(results), "", *images]
    if results.get("scaling"):
        from bench.scaling import render_scaling

        parts += ["", "Scaling (ours, default settings):", "", render_scaling(results["scaling"])]
    parts += ["", "Command:", "", "```", results["command"], "```", "", f"Machine: {render_machine(results)}"]
    return "\n".join(parts)


def update_readme(readme: Path, block: str) -> None:
    """Replace what sits between the results markers (appending the markers if missing)."""
    text = readme.read_text(encoding="utf-8") if readme.exists() else ""
    section = f"{START}\n{block}\n{END}"
    if START in text and END in text:
        pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.DOTALL)
        text = pattern.sub(lambda _: section, text, count=1)
    else:
        text = text.rstrip() + f"\n\n## Latest results\n\n{section}\n"
    readme.write_text(text, encoding="utf-8")
