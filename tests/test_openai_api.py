"""The OpenAI-compatible API: pure request/response translation, then the real app and the real ``openai`` client.

The integration tests start ``python app.py`` on a free loopback port with the
seed article as its corpus and ``RAG_API_KEY`` set, and talk to ``/v1`` with
the ``openai`` package exactly as a user's script (or Open WebUI) would.
"""

from __future__ import annotations

import http.client
import json
import shutil
import sys
import urllib.error
import urllib.request

import pytest

from rag.app import openai_format as fmt
from rag.app.hosts import check_api_exposure
from rag.errors import ConfigError, InputError
from rag.settings import Settings
from rag.types import Answer, Article, Citation, Turn
from tests.conftest import BURNS, ROOT, SEED, SEED_TITLE

sys.path.insert(0, str(ROOT / "bench"))
from app_process import start_app  # noqa: E402

KEY = "test-key-1234"


# -- pure parts -------------------------------------------------------------------------------------


def test_the_last_user_message_is_the_question_and_earlier_pairs_are_history():
    body = {
        "model": "rag-extractive",
        "stream": True,
        "messages": [
            {"role": "system", "content": "You are helpful."},
            {"role": "user", "content": "Who warned Russia?"},
            {"role": "assistant", "content": f"William Burns warned Russia [1].\n\n{fmt.SOURCES_HEADING}\n1. T: “q”"},
            {"role": "user", "content": [{"type": "text", "text": "Where did he travel?"}]},
        ],
    }
    chat = fmt.parse_request(body)
    assert chat.question == "Where did he travel?" and chat.stream and chat.model == "rag-extractive"
    assert chat.history == (Turn("Who warned Russia?", "William Burns warned Russia [1]."),)


@pytest.mark.parametrize(
    "body, message",
    [
        ([], "JSON object"),
        ({"messages": [{"role": "user", "content": "x"}]}, "'model' is required"),
        ({"model": "m", "messages": []}, "non-empty list"),
        ({"model": "m", "messages": ["hi"]}, "messages\\[0\\]"),
        (
            {"model": "m", "messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]},
            "last message must be the user's question",
        ),
        ({"model": "m", "messages": [{"role": "user", "content": 5}]}, "content must be a string"),
    ],
)
def test_malformed_requests_are_refused_with_a_message(body, message):
    with pytest.raises(InputError, match=message):
        fmt.parse_request(body)


def test_models_follow_the_configured_answerer():
    assert fmt.model_ids("extractive") == ["rag-extractive"]
    assert fmt.model_ids("openai:gpt-4o-mini") == ["rag-extractive", "rag-openai:gpt-4o-mini"]
    assert fmt.answerer_for("rag-openai:gpt-4o-mini", "openai:gpt-4o-mini") == "openai:gpt-4o-mini"
    assert fmt.answerer_for("rag-extractive", "openai:gpt-4o-mini") == "extractive"
    assert fmt.answerer_for("gpt-4o", "extractive") is None


def test_sources_markdown_links_http_titles_and_escapes_markdown():
    article = Article("a1", "T [x](y)", "Some text. The quote.", "h", url="https://e.org/a")
    citation = Citation(1, "a1", "T [x](y)", "The quote.", 11, 21, "a1:0", url="https://e.org/a")
    answer = Answer("q", "The quote [1].", citations=(citation,))
    md = fmt.sources_markdown(answer, {"a1": article})
    assert md == "\n\n**Sources**\n1. [T \\[x\\]\\(y\\)](<https://e.org/a>): “The quote.”"
    assert fmt.strip_sources("The quote [1]." + md) == "The quote [1]."
    assert fmt.citation_dicts(answer, {"a1": article})[0] == {
        "number": 1,
        "article_id": "a1",
        "title": "T [x](y)",
        "url": "https://e.org/a",
        "quote": "The quote.",
        "start": 11,
        "end": 21,
    }


def test_text_pieces_concatenate_to_the_text():
    text = "CIA director William Burns traveled to Moscow [1].  Then home."
    pieces = fmt.text_pieces(text, 3)
    assert "".join(pieces) == text and len(pieces) == 4


def test_rate_limiter_allows_a_burst_then_refills():
    now = [0.0]
    limiter = fmt.RateLimiter(3, clock=lambda: now[0])
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("b")  # per client
    now[0] += 20.0  # one request per 20 s
    assert limiter.allow("a") and not limiter.allow("a")
    assert all(fmt.RateLimiter(0).allow("a") for _ in range(1000))  # 0: no limit


def test_a_non_loopback_host_needs_an_api_key():
    check_api_exposure(Settings())
    with pytest.raises(ConfigError, match="refusing to serve the OpenAI-compatible API on 0.0.0.0:7860 without"):
        check_api_exposure(Settings(host="0.0.0.0", auth=("u", "p")))
    check_api_exposure(Settings(host="0.0.0.0", auth=("u", "p"), api_key="k"))
    assert Settings.from_env({"RAG_API_KEY": "k", "RAG_API_RATE_LIMIT": "5"}).api_key == "k"
    assert "secret-k" not in repr(Settings(api_key="secret-k"))


# -- the real app, the real openai client ------------------------------------------------------------


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    work = tmp_path_factory.mktemp("openai-app")
    corpus = work / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    server = start_app(work / "index", work, env={"RAG_API_KEY": KEY, "RAG_CORPUS_DIR": str(corpus)})
    server.index_dir = work / "index"
    yield server
    server.stop()


@pytest.fixture
def client(app):
    openai = pytest.importorskip("openai")
    return openai.OpenAI(base_url=app.url + "v1", api_key=KEY, max_retries=0, timeout=60)


@pytest.mark.slow
def test_models_lists_the_extractive_answerer(client):
    assert [m.id for m in client.models.list()] == ["rag-extractive"]


@pytest.mark.slow
def test_who_warned_russia_names_burns_with_a_citation_and_offsets(app, client):
    from rag.stores import open_index

    reply = client.chat.completions.create(
        model="rag-extractive", messages=[{"role": "user", "content": "Who warned Russia?"}]
    )
    text = reply.choices[0].message.content
    assert "William Burns" in text and "[1]" in text.split("**Sources**")[0]
    assert "**Sources**\n1. " + SEED_TITLE in text
    assert reply.model_extra["abstained"] is False
    first = reply.model_extra["citations"][0]
    assert first["number"] == 1 and first["quote"] == BURNS and first["title"] == SEED_TITLE
    indexed = open_index(Settings(index_dir=app.index_dir), check_model=False).articles[first["article_id"]]
    assert indexed.text[first["start"] : first["end"]] == BURNS  # offsets into the article the app indexed


@pytest.mark.slow
def test_streaming_yields_chunks_then_ends_with_the_citations(client):
    chunks = list(
        client.chat.completions.create(
            model="rag-extractive", stream=True, messages=[{"role": "user", "content": "Who warned Russia?"}]
        )
    )
    pieces = [c.choices[0].delta.content or "" for c in chunks]
    assert len([p for p in pieces if p]) >= 3  # the answer arrives in several deltas
    assert "William Burns" in "".join(pieces) and "**Sources**" in "".join(pieces)
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].model_extra["citations"][0]["quote"] == BURNS


@pytest.mark.slow
def test_raw_stream_ends_with_done(app):
    body = json.dumps(
        {"model": "rag-extractive", "stream": True, "messages": [{"role": "user", "content": "Who warned Russia?"}]}
    ).encode()
    request = urllib.request.Request(
        app.url + "v1/chat/completions",
        data=body,
        headers={"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"},
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=60) as response:
        assert response.headers["Content-Type"].startswith("text/event-stream")
        events = [line for line in response.read().decode().split("\n\n") if line.strip()]
    assert all(e.startswith("data: ") for e in events) and events[-1] == "data: [DONE]"


@pytest.mark.slow
def test_a_follow_up_uses_the_conversation(client):
    first = client.chat.completions.create(
        model="rag-extractive", messages=[{"role": "user", "content": "Who warned Russia?"}]
    )
    messages = [
        {"role": "user", "content": "Who warned Russia?"},
        {"role": "assistant", "content": first.choices[0].message.content},
        {"role": "user", "content": "Where did he travel?"},
    ]
    reply = client.chat.completions.create(model="rag-extractive", messages=messages)
    assert "Moscow" in reply.choices[0].message.content.split("**Sources**")[0]


def _post(url: str, body: bytes, headers: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json", **headers})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.slow
def test_a_wrong_key_gets_401_in_the_openai_error_shape(app):
    openai = pytest.importorskip("openai")
    wrong = openai.OpenAI(base_url=app.url + "v1", api_key="wrong", max_retries=0, timeout=60)
    with pytest.raises(openai.AuthenticationError) as info:
        wrong.chat.completions.create(model="rag-extractive", messages=[{"role": "user", "content": "Who?"}])
    assert info.value.status_code == 401
    assert info.value.body == {
        "message": info.value.body["message"],
        "type": "invalid_request_error",
        "param": None,
        "code": "invalid_api_key",
    }
    status, body = _post(app.url + "v1/chat/completions", b"{}", {})  # no key at all
    assert status == 401 and body["error"]["code"] == "invalid_api_key"


@pytest.mark.slow
def test_bad_requests_get_openai_shaped_errors(app):
    auth = {"Authorization": f"Bearer {KEY}"}
    url = app.url + "v1/chat/completions"
    status, body = _post(url, b"not json", auth)
    assert status == 400 and set(body["error"]) == {"message", "type", "param", "code"}
    status, body = _post(
        url, json.dumps({"model": "gpt-4", "messages": [{"role": "user", "content": "x"}]}).encode(), auth
    )
    assert status == 404 and body["error"]["code"] == "model_not_found" and "rag-extractive" in body["error"]["message"]
    empty = {"model": "rag-extractive", "messages": [{"role": "user", "content": "  "}]}
    status, body = _post(url, json.dumps(empty).encode(), auth)
    assert status == 400 and body["error"]["code"] == "invalid_question" and "empty" in body["error"]["message"]
    # Refused on the declared length, before the body is read (so only the headers are sent here:
    # a client still writing a body the server will never read may see its connection reset).
    connection = http.client.HTTPConnection("127.0.0.1", int(app.url.rsplit(":", 1)[1].strip("/")), timeout=60)
    connection.putrequest("POST", "/v1/chat/completions")
    for key, value in {**auth, "Content-Type": "application/json", "Content-Length": "2000000"}.items():
        connection.putheader(key, value)
    connection.endheaders()
    response = connection.getresponse()
    assert response.status == 413 and json.loads(response.read())["error"]["code"] == "request_too_large"
    connection.close()
