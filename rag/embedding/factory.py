"""The embedder factory: which backend runs the model, chosen once per settings, shared by the process.

``get_embedder`` returns the torch ``Embedder`` (``rag.embedding.embedder``) or the
ONNX Runtime ``OnnxEmbedder`` (``rag.embedding.onnx_embed``), cached per model,
device, batch size, precision and backend, because loading costs seconds and the
app serves many requests with one model.
"""

from __future__ import annotations

import functools

from rag.embedding.embedder import Embedder, resolve_model_path
from rag.errors import ConfigError
from rag.settings import DEFAULT_MODEL, Settings

#: The ONNX variant "auto" precision runs (see rag.embedding.onnx_export.VARIANTS) for a new index: int8, with
#: layer 0 and the FFN outputs in fp32. Same run, all of both dev sets (docs/embedding.md, "Recall"): hybrid
#: R@1 / R@4 against fp32, news-dev -1 / +1 of 372 questions (-0.27 / +0.27 points), xquad-en +1 / -1 of 1,190,
#: inside the 0.5-point bar; the build of news-dev's 1,500 articles took 289 s against 429 s. An index keeps
#: the precision it was built with (``rag.stores.manifest.built_precision``); ``RAG_PRECISION=float32`` opts out.
ONNX_AUTO_VARIANT = "int8"
_ONNX_VARIANTS = {"auto": ONNX_AUTO_VARIANT, "float32": "fp32", "int8": "int8"}


def resolve_backend(backend: str, device: str = "cpu", model: str | None = None, precision: str = "auto") -> str:
    """'auto' is ONNX Runtime where it can run the model, else torch.

    That is: on the CPU, at a precision ONNX has (auto, float32, int8), for a mean-pooled
    model with a tokenizer.json (the packaged MiniLM is one). A GPU, bfloat16, or a
    CLS-pooled model means torch.
    """
    if backend != "auto":
        return backend
    if device != "cpu" or precision not in _ONNX_VARIANTS:
        return "torch"
    if model is None:
        return "onnx"
    from rag.embedding.onnx_embed import can_run

    return "onnx" if can_run(resolve_model_path(model)) else "torch"


def onnx_variant(precision: str) -> str:
    if precision not in _ONNX_VARIANTS:
        raise ConfigError(
            f"precision {precision!r} needs RAG_BACKEND=torch; the ONNX backend runs {', '.join(_ONNX_VARIANTS)}"
        )
    return _ONNX_VARIANTS[precision]


def get_embedder(
    model: str = DEFAULT_MODEL,
    device: str = "cpu",
    batch_size: int = 16,
    precision: str = "float32",
    backend: str = "auto",
):
    """The shared embedder for these settings: an ``Embedder`` (torch) or an ``OnnxEmbedder``."""
    backend = resolve_backend(backend, device, model, precision)
    if backend == "onnx":
        precision = onnx_variant(precision)  # "auto" and "fp32" share one embedder
    return _shared(model, device, batch_size, precision, backend)


@functools.lru_cache(maxsize=4)
def _shared(model: str, device: str, batch_size: int, precision: str, backend: str):
    if backend == "onnx":
        if device != "cpu":
            raise ConfigError(f"the ONNX backend runs on the CPU only; use RAG_BACKEND=torch for device {device!r}")
        from rag.embedding.onnx_embed import OnnxEmbedder

        return OnnxEmbedder(resolve_model_path(model), model, batch_size, precision)
    if precision == "int8":
        raise ConfigError("precision 'int8' is the ONNX backend's; use RAG_BACKEND=onnx or another precision")
    return Embedder(model, device, batch_size, precision)


def embedder_for(settings: Settings) -> Embedder:
    """The process's shared embedder for ``settings`` (model, device, batch size, precision, backend)."""
    return get_embedder(settings.model, settings.device, settings.batch_size, settings.precision, settings.backend)


def forget_models() -> None:
    """Drop every loaded model, so the next use reads it from its folder again (as a new process would)."""
    from rag.embedding import embedder

    _shared.cache_clear()
    embedder.forget_loaded()
