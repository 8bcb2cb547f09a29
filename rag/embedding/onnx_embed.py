"""The sentence-transformers model run by ONNX Runtime, with the Rust ``tokenizers``: no torch.

Same interface and vectors as ``rag.embedding.embedder.Embedder`` (cosine >= 0.99 per chunk
with the int8 variant, ~1.0 with fp32), so an index built by either backend is
searched by the other. Importing torch and loading the checkpoint is most of a
fresh ``rag ask`` (~5 s of 8.7 s); onnxruntime and the tokenizer load in ~0.3 s.

Only models made of Transformer -> mean Pooling (-> Normalize), like MiniLM, are
supported: pooling happens here, in numpy, because the late-chunked sentence
vectors (``rag.embedding.sentvec``) need the token vectors of the same run anyway.

ONNX Runtime runs one text per call. Bulk encoding makes a call per core at once on a
one-thread session; a query or a few texts (an added article) run one after another on
a session with a thread per core (up to ``SMALL_THREADS``), which takes a query from 9.9
to 7.4 ms p50 on a 2-core AVX2 CPU. The kernels give the same vectors bit for bit either
way. ``batch_size`` is accepted for the torch embedder's interface and not used: nothing
is batched or padded.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from rag.embedding.sentvec import SentenceVectors, pool_spans
from rag.errors import ConfigError

log = logging.getLogger(__name__)

BULK_TEXTS = 64  # more texts than this are encoded by a worker per core
BULK_WORKERS = os.cpu_count() or 1
# Threads for a text encoded alone: a query's few dozen tokens gain little past a few (2 measured).
SMALL_THREADS = min(BULK_WORKERS, 4)
PASSAGE_BLOCK = 512  # texts per block of encode_passages: token vectors never pile up


class OnnxEmbedder:
    """Encodes texts to L2-normalised float32 vectors with ONNX Runtime."""

    backend = "onnx"

    def __init__(
        self,
        model_path: str,
        model_name: str,
        batch_size: int = 16,
        variant: str = "int8",
        cache: Path | None = None,
        onnx_file: Path | None = None,
    ):
        folder = Path(model_path)
        config = _read_json(folder / "config.json")
        st_file = folder / "sentence_bert_config.json"
        st_config = _read_json(st_file) if st_file.is_file() else {}
        _check_mean_pooling(folder)
        self.model_name = model_name
        self.model_path = str(folder)
        self.device = "cpu"
        self.batch_size = batch_size
        self.precision = variant
        self.cache = cache
        self._file = onnx_file  # a given .onnx file instead of the cached export (benchmarks)
        self.dimension = int(config["hidden_size"])
        self.max_seq_length = int(st_config.get("max_seq_length") or config.get("max_position_embeddings", 512))
        self._tokenizer = _tokenizer(folder, self.max_seq_length)
        self._sessions: dict[int, object] = {}  # by intra-op threads: 1 for bulk callers, SMALL_THREADS alone
        self._lock = threading.Lock()

    # -- sessions ---------------------------------------------------------------------------

    def _session(self, threads: int = 1):
        with self._lock:
            if threads not in self._sessions:
                self._sessions[threads] = _make_session(self._onnx_file(), threads)
            return self._sessions[threads]

    def _onnx_file(self) -> Path:
        from rag.embedding.onnx_export import onnx_path

        if self._file is not None:
            return self._file
        return onnx_path(self.model_path, self.precision, self.cache)

    # -- encoding ---------------------------------------------------------------------------

    def _run(self, encodings, workers: int) -> list[np.ndarray]:
        """Token vectors (len_i, d) of each encoding, one text per call.

        No padding, and a text's vectors never depend on what else is encoded: int8's activation
        scales are per call, so batching moved token vectors by up to 0.87 and made an index
        depend on how its articles were grouped. ``workers`` calls run at once (the session is
        thread-safe and releases the GIL), which beats one call on every core: 9,750 against
        8,700-9,400 tokens/s for int8 at batch 8 on 2 cores (docs/embedding.md). With one worker
        there is nothing to run beside a call, so the call gets the threads.
        """
        parallel = workers > 1 and len(encodings) > 1
        session = self._session(1 if parallel else SMALL_THREADS)

        def one(encoding) -> np.ndarray:
            ids = np.asarray([encoding.ids], dtype=np.int64)
            return session.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})[0][0]

        if not parallel:
            return [one(e) for e in encodings]
        with ThreadPoolExecutor(workers, thread_name_prefix="onnx") as pool:
            return list(pool.map(one, encodings))

    def _encode_tokens(self, texts: Sequence[str]) -> tuple[list, list[np.ndarray]]:
        encodings = self._tokenizer.encode_batch(list(texts))
        return encodings, self._run(encodings, BULK_WORKERS if len(texts) > BULK_TEXTS else 1)

    def encode(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        _, tokens = self._encode_tokens(texts)
        return _normalise(np.stack([t.mean(axis=0) for t in tokens]))

    def encode_passages(
        self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]], *, progress: bool = False
    ):
        """One run per text: its vector, and one vector per character span (its sentences) from its tokens."""
        from rag.embedding.embedder import Passages

        vectors, blocks = [], []  # sentence vectors quantized per block, as in the torch embedder
        starts: Iterable[int] = range(0, len(texts), PASSAGE_BLOCK)
        if progress:
            from tqdm import tqdm

            starts = tqdm(starts, desc="embedding", unit="block")
        for start in starts:
            encodings, tokens = self._encode_tokens(texts[start : start + PASSAGE_BLOCK])
            rows = []
            for enc, vecs, wanted in zip(encodings, tokens, spans[start : start + PASSAGE_BLOCK]):
                rows.append(pool_spans(vecs, np.asarray(enc.offsets, dtype=np.int64).reshape(-1, 2), wanted))
                vectors.append(vecs.mean(axis=0))
            blocks.append(SentenceVectors.from_rows(rows, self.dimension))
        matrix = _normalise(np.stack(vectors)) if vectors else np.zeros((0, self.dimension), np.float32)
        return Passages(matrix, SentenceVectors.joined(blocks, self.dimension))

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode([text])[0]

    def count_tokens(self, text: str) -> int:
        """Word-piece tokens without the special ones, as the model sees the text (before truncation)."""
        from rag.text.tokens import load_token_counter

        return load_token_counter(self.model_path)(text)


def _normalise(matrix: np.ndarray) -> np.ndarray:
    matrix = np.ascontiguousarray(matrix, dtype=np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True).clip(min=1e-12)
    return matrix


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"cannot read {path} for the ONNX backend ({exc.__class__.__name__}); use RAG_BACKEND=torch for this model"
        ) from None


def can_run(model_path: str | Path) -> bool:
    """Whether this backend runs the model folder: a mean-pooled sentence-transformers model with tokenizer.json."""
    folder = Path(model_path)
    try:
        _check_mean_pooling(folder)
    except ConfigError:
        return False
    return (folder / "tokenizer.json").is_file() and (folder / "config.json").is_file()


def _check_mean_pooling(folder: Path) -> None:
    pooling = folder / "1_Pooling" / "config.json"
    if not pooling.is_file() or not _read_json(pooling).get("pooling_mode_mean_tokens"):
        raise ConfigError(
            f"the ONNX backend supports mean-pooled sentence-transformers models; {folder} "
            "is not one: use RAG_BACKEND=torch"
        )


def _tokenizer(folder: Path, max_length: int):
    from tokenizers import Tokenizer

    path = folder / "tokenizer.json"
    if not path.is_file():
        raise ConfigError(f"{folder} has no tokenizer.json, which the ONNX backend needs; use RAG_BACKEND=torch")
    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.no_padding()  # one text per run (_run): nothing to pad
    tokenizer.enable_truncation(max_length=max_length)
    return tokenizer


def _make_session(path: Path, threads: int):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.log_severity_level = 3
    # Busy-waiting threads would steal the other core from the rest of a shared machine.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    log.info("loading ONNX model %s", path)
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
