"""The packaged MiniLM as ONNX files, exported once with torch and cached in the user's cache.

ONNX Runtime runs the model without importing torch (a fresh ``rag ask`` spends
~5 s importing torch and loading the model otherwise), but the ``.onnx`` file
has to come from somewhere: it is never downloaded. The first process that
wants it exports the sentence-transformers checkpoint with ``torch.onnx``,
fuses it with ONNX Runtime's transformer optimizer (attention, LayerNorm, GELU
become single kernels), and, for the int8 variant, quantizes the weights
dynamically. Later processes find the files by a key over the model folder's
files (name, size, modification time) and this exporter's version.

Files are written into a temporary folder and renamed into place, so a crash
or a second process exporting at the same time never leaves a half-written
model where a reader looks.

Variants (``VARIANTS``):

* ``fp32``: the fused float32 graph; vectors match torch within ~1e-6 cosine.
* ``int8`` (what ``RAG_PRECISION=auto`` runs): weights int8 per output channel
  (dynamic quantization: activations are quantized on the fly per tensor), with
  the layers that distort vectors most kept in float32 (``FP32_NODES``; chosen by
  measuring worst-case cosine on news chunks, see bench/onnx_variants.py).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import tempfile
import warnings
from collections.abc import Mapping
from pathlib import Path

from rag.errors import ConfigError

log = logging.getLogger(__name__)

#: Bump when the export recipe changes: the cache key includes it, so old files are not reused.
EXPORT_VERSION = "3"  # 3: layer 0 stays fp32 in int8
VARIANTS = ("fp32", "int8")
OPSET = 17
MODEL_FILE = "model.onnx"
#: Patterns of node names the int8 variant leaves in float32: the whole first layer, and each layer's
#: FFN output matmul (intermediate -> output), whose input is GELU's long-tailed activations, which one
#: dynamic per-tensor scale resolves poorly. Worst chunk cosine to torch fp32 over 256 news chunks
#: (bench.onnx_variants, AVX512-VNNI): per-tensor weights 0.920, per-channel 0.9905, with the FFN outputs
#: in fp32 0.9955, with layer 0 too 0.9975 (layer 0 is the sensitive one: keeping it whole helps more than
#: keeping layer 5, or 4 and 5), and no slower (9,209 against 8,892 tokens/s).
FP32_NODES: tuple[str, ...] = (r"layer\.0/", r"layer\.\d+/output/dense")
#: The ops whose weights int8 quantizes. Adding the fused Attention ops' QKV projections runs 14% faster
#: (9,254 against 8,130 tokens/s, quiet 2-core AVX512) but lost 2 news-dev questions at hybrid R@1 against
#: fp32 (-0.54 points over all 372; bench/results/onnx_recall_attention_2026-11-30.json): outside the bar.
INT8_OPS: tuple[str, ...] = ("MatMul",)


def cache_root(env: Mapping[str, str] | None = None) -> Path:
    """``$RAG_ONNX_CACHE``, else ``$XDG_CACHE_HOME/rag-news/onnx``, else ``~/.cache/rag-news/onnx``."""
    env = os.environ if env is None else env
    if env.get("RAG_ONNX_CACHE"):
        return Path(env["RAG_ONNX_CACHE"]).expanduser()
    base = Path(env["XDG_CACHE_HOME"]).expanduser() if env.get("XDG_CACHE_HOME") else Path.home() / ".cache"
    return base / "rag-news" / "onnx"


def model_key(model_path: str | Path) -> str:
    """A short hash of the checkpoint's files (names, sizes, mtimes) and the export recipe.

    Stat-only, so finding the cached model costs microseconds, not hashing 90 MB.
    """
    digest = hashlib.sha256(f"export={EXPORT_VERSION};opset={OPSET}".encode())
    folder = Path(model_path)
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")):
        stat = path.stat()
        digest.update(f"{path.relative_to(folder)}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()[:16]


def onnx_path(model_path: str | Path, variant: str, root: Path | None = None) -> Path:
    """Where ``variant`` of the model lives (exported now if it is not cached yet)."""
    if variant not in VARIANTS:
        raise ConfigError(f"ONNX variant must be one of {', '.join(VARIANTS)}; got {variant!r}")
    folder = (root or cache_root()) / model_key(model_path) / variant
    target = folder / MODEL_FILE
    if not target.is_file():
        log.info("exporting %s to ONNX (%s) under %s; once per model", model_path, variant, folder)
        if variant == "fp32":
            _publish(folder, lambda tmp: export_fp32(model_path, tmp / MODEL_FILE))
        else:
            source = onnx_path(model_path, "fp32", root)
            _publish(folder, lambda tmp: quantize_int8(source, tmp / MODEL_FILE))
    return target


def _publish(folder: Path, write) -> None:
    """Run ``write(tmp)`` in a fresh folder beside ``folder``, then rename it into place."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        write(tmp)
        try:
            os.rename(tmp, folder)  # atomic; fails if another process published first
        except OSError:
            if not (folder / MODEL_FILE).is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def export_fp32(model_path: str | Path, target: Path) -> None:
    """torch checkpoint -> ONNX (token vectors out) -> fused by ONNX Runtime's BERT optimizer."""
    import torch
    from transformers import AutoModel

    try:
        # Eager attention traces to plain MatMul/Softmax, which the optimizer fuses; SDPA does not.
        model = AutoModel.from_pretrained(str(model_path), local_files_only=True, attn_implementation="eager").eval()
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot export {model_path!r} to ONNX: {exc.__class__.__name__}") from None

    class TokenVectors(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    raw = target.with_name("raw.onnx")
    example = (torch.ones(2, 16, dtype=torch.int64), torch.ones(2, 16, dtype=torch.int64))
    axes = {0: "batch", 1: "tokens"}
    # The TorchScript exporter is chosen on purpose (dynamo=False: its graph fuses into onnxruntime's
    # Attention ops); torch warns that it is the legacy one, and tracing warns about the padding check
    # and index ops it turns into constants and Gathers. The export runs once per model and its vectors
    # are checked against torch's (cosine >= 0.99 per chunk, tests/test_onnx_embed.py).
    with torch.no_grad(), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="You are using the legacy TorchScript", category=DeprecationWarning)
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"torch\.onnx")
        warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)
        warnings.filterwarnings("ignore", message="Exporting aten::index operator", category=UserWarning)
        torch.onnx.export(
            TokenVectors(model),
            example,
            str(raw),
            input_names=["input_ids", "attention_mask"],
            output_names=["token_embeddings"],
            opset_version=OPSET,
            dynamo=False,
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_embeddings": axes},
        )
    _optimize(raw, target, model.config.num_attention_heads, model.config.hidden_size)
    raw.unlink()


def _optimize(source: Path, target: Path, heads: int, hidden: int) -> None:
    from onnxruntime.transformers.optimizer import optimize_model

    optimized = optimize_model(
        str(source), model_type="bert", num_heads=heads, hidden_size=hidden, opt_level=1, use_gpu=False
    )
    optimized.save_model_to_file(str(target))
    externalise(target)


def quantize_int8(
    source: Path,
    target: Path,
    *,
    keep_fp32: tuple[str, ...] = FP32_NODES,
    per_channel: bool = True,
    signed: bool = True,
    reduce_range: bool = False,
    ops: tuple[str, ...] = INT8_OPS,
) -> None:
    """Dynamic int8 quantization of the weights of ``ops``, skipping nodes whose name matches ``keep_fp32``."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    graph = onnx.load(str(source), load_external_data=False).graph
    excluded = [n.name for n in graph.node if any(re.search(k, n.name) for k in keep_fp32)]
    quantize_dynamic(
        str(source),
        str(target),
        weight_type=QuantType.QInt8 if signed else QuantType.QUInt8,
        per_channel=per_channel,
        reduce_range=reduce_range,
        op_types_to_quantize=list(ops),
        nodes_to_exclude=excluded,
        # The fused contrib ops (Attention, SkipLayerNormalization) have no shape inference.
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
    )
    externalise(target)


def externalise(path: Path) -> None:
    """Move the weights out of the protobuf into ``model.onnx.data``, which ONNX Runtime memory-maps:
    a session then starts in ~0.03 CPU-s instead of ~0.2 (measured on the fp32 model)."""
    import onnx

    model = onnx.load(str(path))
    data = path.with_name(path.name + ".data")
    data.unlink(missing_ok=True)
    onnx.save(
        model,
        str(path),
        save_as_external_data=True,
        all_tensors_to_one_file=True,
        location=data.name,
        size_threshold=1024,
    )
