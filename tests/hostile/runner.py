"""Running one hostile case: each kind of input goes through the project's real code path and gets a verdict.

A case (a line of ``cases.jsonl``) names its ``kind``, its ``input`` and what it
``expect``s; ``run_case`` returns a ``Verdict`` saying whether the defence held.
Kinds: ``question`` (``check_question``), ``jsonl`` (``read_jsonl``), ``markdown``
and ``sources`` (the app's rendering, parsed by a CommonMark renderer with HTML
on), ``html`` (``read_html``: pre-scan and worker), ``upload`` (``store_upload``),
``file`` (``read_path``), ``url`` (``fetch_url``: refused forms only, so nothing
is ever sent), ``settings`` (``Settings`` + ``check_exposure``), ``shown`` and
``http`` (the running app on loopback, started by the caller with a login).
"""

from __future__ import annotations

import http.client
import json
import re
import time
import urllib.parse
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from rag.errors import RagError

CASES = Path(__file__).with_name("cases.jsonl")
USER, PASSWORD = "hostile", "hostile-pw-13"
# Kept here, not imported from rag.text.sanitize, so the suite also runs against older code.
_INVISIBLE = re.compile("[\u061c\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
BODY = "<p>" + "Mayor Ines Duarte opened the Harbour Bridge on Saturday, watched by thousands. " * 8 + "</p>"


@dataclass(frozen=True)
class Case:
    id: str
    defect: str  # the issue-13 defect it checks ("3", "4", ...) or "held" (held before the fixes)
    kind: str
    input: dict
    expect: dict
    note: str


@dataclass(frozen=True)
class Verdict:
    held: bool
    detail: str
    seconds: float = 0.0


def load_cases(path: Path = CASES) -> list[Case]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [Case(**json.loads(line)) for line in lines if line.strip()]


def _generated(spec: dict) -> str:
    """The big inputs, built from a short spec; ``sep`` (default a space) is what separates the repeats."""
    n, sep = spec["n"], spec.get("sep", " ")
    page = "<html><head><title>Harbour Bridge Opens</title></head><body><article>{}" + BODY + "</article></body></html>"
    if spec["gen"] == "attribute_bomb":
        return "<html><body><div " + sep.join(f'a{i}="x"' for i in range(n)) + f">{BODY}</div></body></html>"
    if spec["gen"] == "valueless_bomb":
        return "<html><body><div " + sep.join(f"a{i}" for i in range(n)) + f">{BODY}</div></body></html>"
    if spec["gen"] == "tag_flood":
        return page.format(sep.join(["<b>x</b>"] * n))
    if spec["gen"] == "spread_attributes":
        return page.format(sep.join(["<span " + " ".join(f'a{i}="x"' for i in range(40)) + ">w</span>"] * n))
    if spec["gen"] == "long_line":
        return page.format("<p>" + "word " * n + "</p>")
    if spec["gen"] == "repeat":
        return spec.get("prefix", "") + spec["unit"] * n
    raise ValueError(f"unknown generator {spec['gen']!r}")


def _text(spec: dict) -> str:
    return _generated(spec) if "gen" in spec else spec.get("text", spec.get("html", ""))


def _refusal(expect: dict, call) -> tuple[bool, str]:
    """Run ``call``; held if it raises a one-line project error matching ``expect['refused']``."""
    try:
        result = call()
    except RagError as error:
        message = str(error)
        ok = re.search(expect["refused"], message) is not None and "\n" not in message
        return ok, message[:160]
    return False, f"not refused: {str(result)[:120]}"


# -- the kinds ---------------------------------------------------------------------------------------


class _Markup(HTMLParser):
    """Collects what a browser would make live: dangerous tags, event handlers, javascript: URLs."""

    LIVE_TAGS = frozenset(
        {"img", "a", "form", "input", "script", "iframe", "object", "embed", "svg", "style", "link", "meta"}
    )

    def __init__(self):
        super().__init__()
        self.live: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.LIVE_TAGS:
            self.live.append(tag)
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.live.append(f"{tag}[{name}]")


def _inert(markup: str) -> bool:
    """No live markup once rendered as CommonMark with inline HTML allowed (as permissive as Gradio)."""
    from markdown_it import MarkdownIt

    parser = _Markup()
    parser.feed(MarkdownIt("commonmark", {"html": True}).render(markup))
    return not parser.live


def question(case: Case, ctx) -> tuple[bool, str]:
    from rag.retrieval.search import check_question

    raw, expect = _text(case.input), case.expect
    if expect.get("empty"):
        return _refusal({"refused": "empty"}, lambda: check_question(raw))
    clean = check_question(raw)
    if "cut" in expect:
        return len(clean) <= expect["cut"] and clean.startswith("Who warned Russia?"), f"{len(clean)} characters"
    visible = not _INVISIBLE.search(clean) and "\x1b" not in clean
    return clean == expect["equals"] and visible, repr(clean)


def jsonl(case: Case, ctx) -> tuple[bool, str]:
    from rag.readers.jsonl import read_jsonl

    def read():
        return read_jsonl(case.input["text"], Path("feed.jsonl"), 100_000)[0]

    if "refused" in case.expect:
        return _refusal(case.expect, read)
    ids = [a.id for a in read()]
    return ids == case.expect["ids"], repr(ids)


def markdown(case: Case, ctx) -> tuple[bool, str]:
    from rag.app import library, render
    from rag.types import Answer

    text = case.input["text"]
    out = {
        "code": lambda t: render.code(t),
        "esc": lambda t: library.esc(t),
        "error": render.error_markdown,
        "answer": lambda t: render.answer_markdown(Answer("q", t)),
    }[case.input["via"]](text)
    absent = [a for a in case.expect.get("absent", []) if a in out]
    return _inert(out) and not absent, out[:160]


def sources(case: Case, ctx) -> tuple[bool, str]:
    from rag.app.sources import sources_html
    from rag.types import Answer, Chunk, Hit

    spec = case.input
    chunk = Chunk("c", "a", 0, 0, len(spec["text"]), spec["text"])
    hit = Hit(chunk, spec["title"], 0.5, 1, url=spec["url"])
    out = sources_html(Answer("q", "", abstained=True, related=(hit,), hits=(hit,)), {})
    return _inert(out), out[:160]


def html(case: Case, ctx) -> tuple[bool, str]:
    from rag.readers.files import read_html

    page = _text(case.input)
    if "refused" in case.expect:
        start = time.monotonic()
        held, detail = _refusal(case.expect, lambda: read_html(page, source="page.html"))
        took = time.monotonic() - start
        return held and took <= case.expect.get("within", 5.0), f"{took:.2f} s: {detail}"
    article = read_html(page, source="page.html")
    leaked = [a for a in case.expect.get("absent", []) if a in article.text + article.title]
    return not leaked, f"{len(article.text)} characters, leaked {leaked}"


def _source_file(case: Case, work: Path) -> Path:
    spec = case.input
    path = work / f"src-{case.id}"
    path.mkdir(parents=True, exist_ok=True)
    target = path / (spec["name"] if case.kind == "file" else "upload.bin")
    target.write_bytes(bytes.fromhex(spec["hex"]) if "hex" in spec else spec["text"].encode())
    return target


def upload(case: Case, ctx) -> tuple[bool, str]:
    from rag.app.uploads import store_upload

    source, index_dir = _source_file(case, ctx.work), ctx.work / f"index-{case.id}"
    if "refused" in case.expect:
        return _refusal(case.expect, lambda: store_upload(source, case.input["name"], index_dir, 1_000_000))
    stored = store_upload(source, case.input["name"], index_dir, 1_000_000)
    folder = (index_dir / "uploads").resolve()
    name = stored.path.name
    inside = stored.path.resolve().parent == folder and not name.startswith(".") and name.isprintable()
    return inside, name


def file(case: Case, ctx) -> tuple[bool, str]:
    from rag.readers.files import read_path

    path = _source_file(case, ctx.work)
    if "refused" in case.expect:
        return _refusal(case.expect, lambda: read_path(path))
    articles = read_path(path)
    return len(articles) == 1, articles[0].title


def url(case: Case, ctx) -> tuple[bool, str]:
    from rag.readers.fetch import fetch_url
    from rag.settings import Settings

    settings = Settings(allow_private_urls=case.input["allow_private"], fetch_timeout=2.0)
    return _refusal(case.expect, lambda: fetch_url(case.input["url"], settings))


def settings(case: Case, ctx) -> tuple[bool, str]:
    from rag.app.server import check_exposure
    from rag.settings import Settings

    return _refusal(case.expect, lambda: check_exposure(Settings.from_env(case.input["env"])))


def shown(case: Case, ctx) -> tuple[bool, str]:
    from rag.text.sanitize import shown as shown_text

    out = shown_text(case.input["text"])
    return out == case.expect["equals"], out


def http_case(case: Case, ctx) -> tuple[bool, str]:
    if ctx.app is None:
        return False, "no app running"
    spec, port = case.input, ctx.port
    statuses = [_request(port, spec) for _ in range(spec.get("repeat", 1))]
    want = case.expect.get("status", case.expect.get("last_status"))
    return statuses[-1] == want, f"statuses {statuses}"


def _request(port: int, spec: dict) -> int:
    fill = lambda value: value.replace("{port}", str(port))  # noqa: E731
    headers = {"Host": fill(spec.get("host", "127.0.0.1:{port}"))}
    if "origin" in spec:
        headers["Origin"] = fill(spec["origin"])
    body = None
    if "json" in spec:
        body, headers["Content-Type"] = json.dumps(spec["json"]).encode(), "application/json"
    elif "form" in spec:
        body = urllib.parse.urlencode(spec["form"]).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=30, source_address=(spec.get("source", "127.0.0.1"), 0)
    )
    try:
        conn.request(spec["method"], spec["path"], body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


KINDS = {
    "question": question,
    "jsonl": jsonl,
    "markdown": markdown,
    "sources": sources,
    "html": html,
    "upload": upload,
    "file": file,
    "url": url,
    "settings": settings,
    "shown": shown,
    "http": http_case,
}


def run_case(case: Case, ctx) -> Verdict:
    start = time.monotonic()
    try:
        held, detail = KINDS[case.kind](case, ctx)
    except Exception as error:  # an unexpected exception is a failed defence, reported, not raised
        held, detail = False, f"{type(error).__name__}: {str(error)[:140]}"
    return Verdict(held, detail, time.monotonic() - start)


@dataclass
class Context:
    work: Path
    app: object | None = None  # bench.app_process.AppProcess, started with USER/PASSWORD

    @property
    def port(self) -> int:
        return int(self.app.url.rstrip("/").rsplit(":", 1)[1])


def start_app(work: Path):
    """The app on a free loopback port with a login, its index built from the seed article."""
    import shutil
    import sys

    from tests.conftest import ROOT, SEED

    sys.path.insert(0, str(ROOT / "bench"))
    from app_process import start_app as start

    corpus = work / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    shutil.copy(SEED, corpus / SEED.name)
    return start(work / "index", work, env={"RAG_AUTH": f"{USER}:{PASSWORD}", "RAG_CORPUS_DIR": str(corpus)})
