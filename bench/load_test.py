"""Concurrent chat clients against the app over ``gradio_client`` while another process adds articles.

    .venv/bin/python bench/load_test.py --clients 50 --duration 60 \\
        --dev-questions ../shared/data/news-dev/questions.jsonl \\
        --add-corpus ../shared/data/news-dev/corpus-small.jsonl --add 20

The app is started on loopback on a fresh index built from the seed article
(or ``--url`` points at a running one). Each client is one ``gradio_client``
session asking questions in a closed loop through ``/ask``, the handler the
browser uses, until the time is up. Meanwhile ``load_writer.py`` adds the
articles one by one, each in its own locked, atomic update. Afterwards every
added article must be in the saved index and found by the running app (asked
by its title, it must be among the sources), with no restart in between.

An error is an exception or an answer that came back as the app's "Sorry"
message; abstaining is an answer. Latency is end-to-end, until the streamed
answer is complete. Prints a table and JSON.

``--api`` compares the two ways in, in one run on one app: first the chat path
(``gradio_client`` → ``/ask``) with the writer adding the first half of the
articles, then the OpenAI-compatible API (the ``openai`` client →
``/v1/chat/completions``, non-streaming) with the writer adding the second half;
the app runs with ``RAG_API_RATE_LIMIT=0`` so the limiter does not cap the load.

    .venv/bin/python bench/load_test.py --api --clients 30 --duration 45 \\
        --dev-questions ../shared/data/news-dev/questions.jsonl \\
        --add-corpus ../shared/data/news-dev/corpus-small.jsonl --add 20

``--bomb`` adds one more client that, for the whole run, uploads hostile HTML
through the Library tab's ``/upload`` (issue 13): the attribute bomb (one tag
with 43,000 attributes, 430 KB, which took 19 s to parse before the pre-scan)
and a page that passes the pre-scan but keeps the parser busy (29,000 empty
tags around one paragraph, 1-4 s in the worker), in turn. Compare the other clients' p95 with a
run without it.
"""

from __future__ import annotations

import argparse
import html
import json
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from app_process import ROOT, app_env, start_app  # noqa: E402

ERROR_MARK = "Sorry:"  # rag.app.render.error_markdown prefixes every in-chat error with this


def read_questions(path: Path, limit: int | None = None) -> list[str]:
    lines = [line for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    return [json.loads(line)["question"] for line in lines][:limit]


def seed_questions() -> list[str]:
    return read_questions(ROOT.parent / "shared" / "data" / "seed" / "questions.jsonl")  # shared data, not committed


#: Seconds a load client waits on one HTTP call. gradio_client leaves most calls at httpx's 5 s default,
#: and joining the queue of an app busy with 50 clients on 2 cores took longer than that (a ReadTimeout
#: with answers taking 8-16 s): a browser waits; this is a test of errors and lost writes, not of patience.
CLIENT_TIMEOUT_S = 120.0


def connect(url: str):
    """A client that never phones home (analytics off) and never downloads files."""
    from gradio_client import Client

    return Client(
        url,
        verbose=False,
        analytics_enabled=False,
        download_files=False,
        httpx_kwargs={"timeout": CLIENT_TIMEOUT_S},
    )


def ask(client, question: str) -> tuple[str, str]:
    """(the answer's text, the sources panel's HTML) for one single-turn question."""
    _, history, sources = client.predict(question, [], api_name="/ask")
    content = history[-1]["content"] if history else ""
    if isinstance(content, list):
        content = " ".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content), str(sources)


def connect_api(url: str):
    """An ``openai`` client for the app's ``/v1`` API (no retries: a failure is a result)."""
    from openai import OpenAI

    return OpenAI(base_url=url.rstrip("/") + "/v1", api_key="load-test", max_retries=0, timeout=300)


def ask_api(client, question: str) -> tuple[str, str]:
    """(the answer's text, its Markdown sources) through ``/v1/chat/completions``."""
    reply = client.chat.completions.create(model="rag-extractive", messages=[{"role": "user", "content": question}])
    text = reply.choices[0].message.content or ""
    return text, text.partition("**Sources**")[2]


CONNECT_ATTEMPTS = 3


def connect_with_retries(url: str, api: bool = False):
    """A client, after up to ``CONNECT_ATTEMPTS`` tries; the last failure is raised.

    gradio_client fetches the app's config with httpx's 5 s default timeout. 50 clients arriving at
    once on a slow 2-core machine can wait longer than that, where a browser would wait or a user
    would reload. A connection still failing after three tries counts as an error."""
    for attempt in range(CONNECT_ATTEMPTS):
        try:
            return connect_api(url) if api else connect(url)
        except Exception:
            if attempt == CONNECT_ATTEMPTS - 1:
                raise
            time.sleep(1.0 + attempt)


def run_client(url: str, questions: list[str], deadline: float, api: bool = False) -> tuple[list[float], list[str]]:
    """Ask ``questions`` in turn until ``deadline``; returns (latencies of answers, error messages)."""
    latencies: list[float] = []
    errors: list[str] = []
    ask_one = ask_api if api else ask
    try:
        client = connect_with_retries(url, api)
    except Exception as error:  # a refused connection is a load-test result, not a crash
        return [], [f"connect: {error}"]
    n = 0
    while time.monotonic() < deadline:
        question = questions[n % len(questions)]
        n += 1
        start = time.perf_counter()
        try:
            reply, _ = ask_one(client, question)
        except Exception as error:
            errors.append(f"{question!r}: {type(error).__name__}: {error}")
            continue
        if ERROR_MARK in reply:
            errors.append(f"{question!r}: {reply[:200]}")
        else:
            latencies.append(time.perf_counter() - start)
    client.close()
    return latencies, errors


def bomb_files(work: Path) -> list[Path]:
    """The attribute bomb and a heavy page that passes the pre-scan (see the module docstring)."""
    body = "<p>" + "The harbour bridge opened on Saturday after three years of work. " * 8 + "</p>"
    attributes = "<html><body><div " + " ".join(f'a{i}="x"' for i in range(43_000)) + f">{body}</div></body></html>"
    heavy = "<html><body><article>" + "\n".join(["<i></i>"] * 29_000) + body + "</article></body></html>"
    paths = [work / "attribute-bomb.html", work / "heavy-page.html"]
    for path, text in zip(paths, (attributes, heavy)):
        path.write_text(text, encoding="utf-8")
    return paths


def run_bomber(url: str, files: list[Path], deadline: float) -> dict:
    """Upload ``files`` in turn until ``deadline``; how many went, were refused, and how long each took."""
    from gradio_client import handle_file

    client = connect(url)
    seconds: list[float] = []
    refused = failed = 0
    outcomes: dict[str, int] = {}  # each upload's status message, as the app showed it (cut)
    n = 0
    while time.monotonic() < deadline:
        start = time.perf_counter()
        try:
            result = client.predict([handle_file(str(files[n % len(files)]))], api_name="/upload")
            status = str(result[1] if isinstance(result, (list, tuple)) and len(result) > 1 else result)
            refused += "refused" in status
            outcomes[status[:140]] = outcomes.get(status[:140], 0) + 1
        except Exception as error:
            failed += 1
            outcomes[f"{type(error).__name__}: {error}"[:140]] = 1
        seconds.append(time.perf_counter() - start)
        n += 1
    client.close()
    return {
        "uploads": n,
        "refused": refused,
        "failed": failed,
        "outcomes": outcomes,
        "p50_s": percentile(seconds, 50),
        "max_s": max(seconds, default=None),
    }


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    rank = q / 100 * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def run_load(
    url: str, questions: list[str], clients: int, duration: float, api: bool = False, bombs: list[Path] | None = None
) -> dict:
    """``clients`` sessions for ``duration`` seconds, each starting at a different question (plus the bomber)."""
    deadline = time.monotonic() + duration
    plans = [questions[c % len(questions) :] + questions[: c % len(questions)] for c in range(clients)]
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients + 1) as executor:
        bomber = executor.submit(run_bomber, url, bombs, deadline) if bombs else None
        results = list(executor.map(lambda plan: run_client(url, plan, deadline, api), plans))
        bomb_report = bomber.result() if bomber else None
    wall = time.perf_counter() - start
    latencies = [x for lat, _ in results for x in lat]
    errors = [e for _, errs in results for e in errs]
    return {
        "clients": clients,
        "duration_s": duration,
        "requests": len(latencies) + len(errors),
        "answered": len(latencies),
        "errors": len(errors),
        "error_samples": errors[:5],
        "p50_s": percentile(latencies, 50),
        "p95_s": percentile(latencies, 95),
        "max_s": max(latencies, default=None),
        "wall_s": round(wall, 1),
        "throughput_rps": len(latencies) / wall if wall else None,
        "path": "api" if api else "chat",
        **({"bomb": bomb_report} if bomb_report else {}),
    }


def start_writer(
    index_dir: Path, files: list[Path], work: Path, timeout: float = 300.0
) -> tuple[subprocess.Popen, Path]:
    """Start the writer and return once it has loaded the model, so its adds fall inside the load."""
    out, ready = work / "writer.json", work / "writer.ready"
    command = [
        sys.executable,
        str(ROOT / "bench" / "load_writer.py"),
        "--index-dir",
        str(index_dir),
        "--json-out",
        str(out),
        "--ready",
        str(ready),
        *map(str, files),
    ]
    log = (work / "writer.log").open("wb")
    writer = subprocess.Popen(command, cwd=ROOT, env=app_env(work), stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout
    while not ready.exists() and writer.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    return writer, out


def check_added(url: str, index_dir: Path, written: list[dict]) -> dict:
    """Every written article is in the live generation on disk and among the app's sources for its title."""
    from rag.stores.folder import generations, layout

    on_disk = set(layout.read_manifest(generations.locate(index_dir)).articles)  # base files and log alike
    client = connect(url)
    served = []
    for entry in written:
        for article_id, title in zip(entry["ids"], entry["titles"]):
            _, sources = ask(client, title)
            served.append(article_id if html.escape(title) in sources or title in sources else None)
    client.close()
    ids = [i for entry in written for i in entry["ids"]]
    return {
        "added": len(ids),
        "missing_on_disk": sorted(set(ids) - on_disk),
        "missing_in_app": sorted(i for i, s in zip(ids, served) if s is None),
        "lost": len(set(ids) - on_disk) + served.count(None),
        "add_seconds": [entry["seconds"] for entry in written],
    }


def load_with_writes(
    url: str,
    index_dir: Path,
    questions: list[str],
    files: list[Path],
    work: Path,
    clients: int,
    duration: float,
    writer_timeout: float = 600.0,
    api: bool = False,
    bombs: list[Path] | None = None,
) -> dict:
    writer, out = start_writer(index_dir, files, work)
    try:
        report = run_load(url, questions, clients, duration, api, bombs)
        writer.wait(timeout=writer_timeout)
    finally:
        if writer.poll() is None:
            writer.kill()
    if writer.returncode != 0:
        raise RuntimeError(f"the writer failed ({writer.returncode}): {(work / 'writer.log').read_text()[-2000:]}")
    written = json.loads(out.read_text(encoding="utf-8"))
    time.sleep(2.5)  # the app looks for a new generation about once a second
    return {
        **report,
        "writes": check_added(url, index_dir, written),
        "adds_during_load": sum(entry["at_s"] < duration for entry in written),
    }


def compare_paths(
    url: str, index_dir: Path, questions: list[str], files: list[Path], work: Path, clients: int, duration: float
) -> dict:
    """The chat path, then the API, on one app, each with half of the articles added during it."""
    half = len(files) // 2
    for name in ("chat", "api"):
        (work / name).mkdir(parents=True, exist_ok=True)
    chat = load_with_writes(url, index_dir, questions, files[:half], work / "chat", clients, duration)
    api = load_with_writes(url, index_dir, questions, files[half:], work / "api", clients, duration, api=True)
    ratio = api["throughput_rps"] / chat["throughput_rps"] if chat["throughput_rps"] and api["throughput_rps"] else None
    return {"chat": chat, "api": api, "api_vs_chat_throughput": ratio, "machine": machine()}


def machine() -> dict:
    import torch
    from machine import machine_info

    return {**machine_info(), "cpu_capability": torch.backends.cpu.get_cpu_capability()}


def article_files(corpus: Path, count: int, work: Path) -> list[Path]:
    """The first ``count`` records of a JSON Lines corpus, one file each (one add each)."""
    files = []
    with Path(corpus).open(encoding="utf-8") as source:
        for line in source:
            if len(files) == count:
                break
            if line.strip():
                files.append(work / f"add-{len(files):03d}.jsonl")
                files[-1].write_text(line if line.endswith("\n") else line + "\n", encoding="utf-8")
    return files


def render_table(report: dict) -> str:
    def sec(key: str) -> str:
        return "–" if report[key] is None else f"{report[key]:.2f} s"

    if "api" in report and "chat" in report:
        ratio = report["api_vs_chat_throughput"]
        shown = f"{ratio:.2f}x" if ratio else "–"
        return (
            f"-- chat path (gradio_client /ask) --\n{render_table(report['chat'])}\n"
            f"-- OpenAI-compatible API (/v1/chat/completions) --\n{render_table(report['api'])}\n"
            f"API throughput / chat throughput: {shown}"
        )
    rows = [
        ("clients × seconds", f"{report['clients']} × {report['duration_s']:.0f}"),
        ("requests", str(report["requests"])),
        ("errors", str(report["errors"])),
        ("p50 latency", sec("p50_s")),
        ("p95 latency", sec("p95_s")),
        ("max latency", sec("max_s")),
        ("throughput", f"{report['throughput_rps']:.2f} answers/s" if report["throughput_rps"] else "–"),
    ]
    if "writes" in report:
        w = report["writes"]
        rows += [
            ("articles added", f"{w['added']} ({report['adds_during_load']} during the load)"),
            ("lost", f"{w['lost']} (disk {len(w['missing_on_disk'])}, app {len(w['missing_in_app'])})"),
        ]
    if "bomb" in report:
        b = report["bomb"]
        uploads = (
            f"{b['uploads']} ({b['refused']} refused, {b['failed']} failed), "
            f"p50 {b['p50_s'] or 0:.2f} s, max {b['max_s'] or 0:.2f} s"
        )
        rows += [("bomb uploads", uploads)]
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=None, help="a running app (no writer then); default: start one")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--dev-questions", type=Path, default=None, help="questions.jsonl asked beside the seed's")
    parser.add_argument("--dev-limit", type=int, default=200)
    parser.add_argument("--add-corpus", type=Path, default=None, help="JSON Lines: articles the writer adds")
    parser.add_argument("--add", type=int, default=20, help="how many articles the writer adds")
    parser.add_argument("--json-out", type=Path, default=None)
    parser.add_argument(
        "--api",
        action="store_true",
        help="compare the chat path with the OpenAI-compatible API in one run (needs --add-corpus)",
    )
    parser.add_argument("--bomb", action="store_true", help="one more client uploads hostile HTML throughout")
    args = parser.parse_args(argv)
    questions = seed_questions() + (read_questions(args.dev_questions, args.dev_limit) if args.dev_questions else [])
    with tempfile.TemporaryDirectory(prefix="rag-load-") as tmp:
        work = Path(tmp)
        bombs = bomb_files(work) if args.bomb else None
        if args.url:
            report = run_load(args.url, questions, args.clients, args.duration, args.api, bombs)
        else:
            app = start_app(work / "index", work, env={"RAG_API_RATE_LIMIT": "0"} if args.api else None)
            try:
                files = article_files(args.add_corpus, args.add, work) if args.add_corpus else []
                if args.api and files:
                    report = compare_paths(app.url, work / "index", questions, files, work, args.clients, args.duration)
                elif files:
                    report = load_with_writes(
                        app.url, work / "index", questions, files, work, args.clients, args.duration, bombs=bombs
                    )
                else:
                    report = run_load(app.url, questions, args.clients, args.duration, args.api, bombs)
            finally:
                app.stop()
    report["questions_in_pool"] = len(questions)
    print(render_table(report))
    print(json.dumps(report, indent=2))
    if args.json_out:
        args.json_out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    parts = [report["chat"], report["api"]] if "api" in report and "chat" in report else [report]
    return 1 if any(p["errors"] or p.get("writes", {}).get("lost") for p in parts) else 0


if __name__ == "__main__":
    sys.exit(main())
