"""Static int8 quantization calibrated on news text, against the dynamic int8 variant, in one run.

``python -m bench.onnx_static [--out FILE]``

Issue 17 asked for static quantization calibrated on news text to be tried beside
dynamic int8. Static quantization fixes every activation's scale in advance from
calibration text, so it saves the per-call scale computation and no vector can
depend on what it was encoded with; its risk is a fixed scale that fits real text
worse than one computed per call. This measures both sides: worst / 1st-percentile /
median cosine to the fp32 model and speed, for the variants below, with the same
chunks and harness as ``bench.onnx_variants`` (which compares against torch; ONNX
fp32 is within ~1e-6 of it). Calibration uses other articles than the measured ones.

The fused graph has ONNX Runtime's contrib ops (Attention, SkipLayerNormalization),
which ONNX shape inference cannot type and symbolic shape inference does not complete
on; the static quantizer skips any tensor of unknown type, so the outputs of the
float ops are declared float first. The histogram calibrators (percentile, entropy)
need equal shapes, so every calibration text is cut to ``CALIBRATION_TOKENS``.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
from pathlib import Path

import numpy as np

from bench.machine import cpu_info
from bench.onnx_variants import CORPUS, chunk_texts, compare, timed_passages
from rag.embedding import onnx_export
from rag.settings import Settings

CALIBRATION_TOKENS = 128
FLOAT_OPS = {"MatMul", "LayerNormalization", "SkipLayerNormalization", "Attention", "BiasGelu", "FastGelu", "Add"}
FFN_OUT = r"layer\.\d+/output/dense"
#: name -> (calibration method or None for dynamic, node-name patterns left in fp32); MatMul, per-channel.
VARIANTS: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "dynamic (the shipped int8)": (None, ()),
    "static minmax, FFN out fp32": ("MinMax", (FFN_OUT,)),
    "static percentile 99.99, FFN out fp32": ("Percentile", (FFN_OUT,)),
    "static entropy, FFN out fp32": ("Entropy", (FFN_OUT,)),
    "static minmax, all MatMul": ("MinMax", ()),
    "static percentile 99.99, all MatMul": ("Percentile", ()),
}


def typed_copy(source: Path, target: Path) -> None:
    """``source`` with the float ops' outputs declared float, so the static quantizer sees them."""
    import onnx

    model = onnx.load(str(source))
    known = {v.name for v in model.graph.value_info}
    for node in model.graph.node:
        if node.op_type in FLOAT_OPS and node.output[0] not in known:
            model.graph.value_info.append(
                onnx.helper.make_tensor_value_info(node.output[0], onnx.TensorProto.FLOAT, None)
            )
    onnx.save(model, str(target), save_as_external_data=True, location=target.name + ".data")


def calibration_inputs(tokenizer, texts: list[str]) -> list[dict[str, np.ndarray]]:
    """One feed per text of at least ``CALIBRATION_TOKENS`` tokens, cut to that length (keeping [SEP])."""
    feeds = []
    for text in texts:
        ids = tokenizer.encode(text).ids
        if len(ids) >= CALIBRATION_TOKENS:
            row = np.asarray([ids[: CALIBRATION_TOKENS - 1] + ids[-1:]], dtype=np.int64)
            feeds.append({"input_ids": row, "attention_mask": np.ones_like(row)})
    return feeds


def quantize_static(source: Path, target: Path, feeds, method: str, keep_fp32: tuple[str, ...]) -> None:
    import onnx
    from onnxruntime.quantization import CalibrationDataReader, CalibrationMethod, QuantFormat, QuantType
    from onnxruntime.quantization import quantize_static as quantize

    class Feeds(CalibrationDataReader):
        def __init__(self):
            self.rest = iter(feeds)

        def get_next(self):
            return next(self.rest, None)

    typed = target.with_name("typed.onnx")
    typed_copy(source, typed)
    nodes = onnx.load(str(typed), load_external_data=False).graph.node
    quantize(
        str(typed),
        str(target),
        Feeds(),
        quant_format=QuantFormat.QDQ,
        op_types_to_quantize=["MatMul"],
        per_channel=True,
        activation_type=QuantType.QUInt8,
        weight_type=QuantType.QInt8,
        nodes_to_exclude=[n.name for n in nodes if any(re.search(k, n.name) for k in keep_fp32)],
        calibrate_method=getattr(CalibrationMethod, method),
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT, "CalibPercentile": 99.99},
    )


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calibration-articles", type=int, default=60, help="articles after the 300th")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)

    from rag.embedding.embedder import resolve_model_path
    from rag.embedding.onnx_embed import OnnxEmbedder

    model_path = resolve_model_path(Settings().model)
    base = onnx_export.onnx_path(model_path, "fp32")
    texts, spans = chunk_texts(CORPUS, 60, 256)
    calibration, _ = chunk_texts(CORPUS, 300 + args.calibration_articles, 100_000)
    fp32 = OnnxEmbedder(model_path, Settings().model, onnx_file=base)
    feeds = calibration_inputs(fp32._tokenizer, calibration[-400:])
    reference, seconds = timed_passages(fp32, texts, spans)
    report: dict = {"cpu": cpu_info(), "chunks": len(texts), "calibration_texts": len(feeds), "variants": {}}
    with tempfile.TemporaryDirectory(prefix="onnx-static-") as tmp:
        for number, (name, (method, keep)) in enumerate(VARIANTS.items()):
            path = Path(tmp) / f"{number}" / "model.onnx"
            path.parent.mkdir()
            if method is None:
                onnx_export.quantize_int8(base, path)
            else:
                quantize_static(base, path, feeds, method, keep)
            got, took = timed_passages(OnnxEmbedder(model_path, Settings().model, onnx_file=path), texts, spans)
            report["variants"][name] = {**compare(reference, got), "speed_vs_fp32": round(seconds / took, 3)}
            print(name, json.dumps(report["variants"][name]), flush=True)
    if args.out:
        args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return report


if __name__ == "__main__":
    main()
