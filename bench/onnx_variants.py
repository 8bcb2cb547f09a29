"""How far each ONNX quantization variant moves MiniLM's vectors, and how fast it runs.

``python -m bench.onnx_variants [--articles N] [--chunks 256] [--out FILE]``

Chunks the first news-dev articles as the index does, embeds them (title + chunk,
with late-chunked sentence vectors) with torch fp32 as the reference, then with
each ONNX variant, and reports per variant: worst / 1st-percentile / median
cosine to torch for chunk vectors and sentence vectors, and tokens/s with a
thread per core. Everything is measured in one run on this CPU.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.machine import cpu_info
from rag.embedding import onnx_export
from rag.settings import Settings

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "news-dev" / "corpus-small.jsonl"

MATMUL = ("MatMul",)
#: name -> quantize_int8 keyword arguments (None: the fp32 export itself).
VARIANTS: dict[str, dict | None] = {
    "fp32": None,
    "int8 per-tensor (all MatMul)": {"keep_fp32": (), "per_channel": False, "ops": MATMUL},
    "int8 per-channel (all MatMul)": {"keep_fp32": (), "per_channel": True, "ops": MATMUL},
    "int8 per-channel reduce-range": {"keep_fp32": (), "per_channel": True, "reduce_range": True, "ops": MATMUL},
    "uint8 per-channel": {"keep_fp32": (), "per_channel": True, "signed": False, "ops": MATMUL},
    # The int8 shipped until 2026-12-01 (FFN outputs in fp32; layer 0 too since, below).
    "int8 per-channel, FFN out fp32": {"keep_fp32": (r"layer\.\d+/output/dense",), "per_channel": True, "ops": MATMUL},
    "int8 per-channel, FFN out fp32, reduce-range": {
        "keep_fp32": (r"layer\.\d+/output/dense",),
        "per_channel": True,
        "reduce_range": True,
        "ops": MATMUL,
    },
    "int8 per-channel + Attention": {"keep_fp32": (), "per_channel": True, "ops": ("MatMul", "Attention")},
    # 14% faster than the FFN-out-fp32 int8, but it lost 2 news-dev questions at R@1 (docs/embedding.md).
    "int8 per-channel + Attention, FFN out fp32": {
        "keep_fp32": (r"layer\.\d+/output/dense",),
        "per_channel": True,
        "ops": ("MatMul", "Attention"),
    },
    # Whole layers kept in fp32 (the "sensitive layers"), everything else int8 with Attention.
    **{
        f"int8 + Attention, layer{'s' * (len(layers) > 1)} {' and '.join(layers)} fp32": {
            "keep_fp32": tuple(rf"layer\.{n}/|Attention_{n}$" for n in layers),
            "per_channel": True,
            "ops": ("MatMul", "Attention"),
        }
        for layers in (("0",), ("5",), ("0", "5"), ("4", "5"), ("0", "1"))
    },
    # Layer 0 (the most sensitive, above) whole in fp32, and every FFN output matmul.
    "int8 + Attention, layer 0 and FFN out fp32": {
        "keep_fp32": (r"layer\.0/|Attention_0$", r"layer\.\d+/output/dense"),
        "per_channel": True,
        "ops": ("MatMul", "Attention"),
    },
    # The shipped int8 (rag.embedding.onnx_export.INT8_OPS, FP32_NODES), the ONNX default since 2026-12-01.
    "int8 MatMul, layer 0 and FFN out fp32": {
        "keep_fp32": (r"layer\.0/", r"layer\.\d+/output/dense"),
        "per_channel": True,
        "ops": MATMUL,
    },
    "int8 + Attention, layers 0 and 1 and FFN out fp32": {
        "keep_fp32": (r"layer\.[01]/|Attention_[01]$", r"layer\.\d+/output/dense"),
        "per_channel": True,
        "ops": ("MatMul", "Attention"),
    },
}


def chunk_texts(corpus: Path, articles: int, chunks: int) -> tuple[list[str], list[list[tuple[int, int]]]]:
    from rag.embedding.embedder import document_text
    from rag.embedding.ingest import _shifted, chunk_articles
    from rag.readers.files import read_path
    from rag.text.sentences import split_sentences

    items = read_path(corpus)[:articles]
    made = chunk_articles(items, Settings())[:chunks]
    titles = {a.id: a.title for a in items}
    texts = [document_text(titles[c.article_id], c.text) for c in made]
    spans = [_shifted(split_sentences(c.text), len(t) - len(c.text)) for c, t in zip(made, texts)]
    return texts, spans


def compare(reference, got) -> dict:
    chunk_cos = np.sum(reference.vectors * got.vectors, axis=1)
    a, b = reference.sentences, got.sentences
    sent = []
    for row in range(a.rows):
        x, y = a.row(row), b.row(row)
        ok = (np.linalg.norm(x, axis=1) > 0) & (np.linalg.norm(y, axis=1) > 0)
        if ok.any():
            x, y = x[ok], y[ok]
            sent.extend(np.sum(x * y, axis=1) / (np.linalg.norm(x, axis=1) * np.linalg.norm(y, axis=1)))
    sent = np.asarray(sent)
    return {
        "chunk_cos_min": round(float(chunk_cos.min()), 4),
        "chunk_cos_p1": round(float(np.percentile(chunk_cos, 1)), 4),
        "chunk_cos_median": round(float(np.median(chunk_cos)), 5),
        "sentence_cos_min": round(float(sent.min()), 4),
        "sentence_cos_median": round(float(np.median(sent)), 5),
    }


def timed_passages(embedder, texts, spans, repeats: int = 2):
    embedder.encode_passages(texts[:8], spans[:8])  # session / warm-up
    best, out = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        out = embedder.encode_passages(texts, spans)
        best = min(best, time.perf_counter() - start)
    return out, best


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--articles", type=int, default=60)
    parser.add_argument("--chunks", type=int, default=256)
    parser.add_argument("--only", nargs="*", default=None, help="variant names to run (default: all)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)

    from rag.embedding.embedder import Embedder, resolve_model_path
    from rag.embedding.onnx_embed import OnnxEmbedder
    from rag.text.tokens import load_batch_token_counter

    model_path = resolve_model_path(Settings().model)
    texts, spans = chunk_texts(args.corpus, args.articles, args.chunks)
    tokens = sum(min(n + 2, 256) for n in load_batch_token_counter(model_path)(texts))
    torch_embedder = Embedder(Settings().model, "cpu", 64, "float32")
    reference, seconds = timed_passages(torch_embedder, texts, spans)
    report = {
        "cpu": cpu_info(),
        "chunks": len(texts),
        "tokens": tokens,
        "torch fp32": {"tokens_per_s": round(tokens / seconds)},
        "variants": {},
    }
    print(f"torch fp32: {tokens / seconds:.0f} tokens/s", flush=True)
    base = onnx_export.onnx_path(model_path, "fp32")
    with tempfile.TemporaryDirectory(prefix="onnx-variants-") as tmp:
        for name, options in VARIANTS.items():
            if args.only and name not in args.only:
                continue
            path = base
            if options is not None:
                path = Path(tmp) / f"{len(report['variants'])}.onnx"
                try:
                    onnx_export.quantize_int8(base, path, **options)
                except Exception as error:  # noqa: BLE001 - a variant the quantizer cannot make is a result too
                    report["variants"][name] = {"error": f"{type(error).__name__}: {str(error)[:200]}"}
                    print(name, report["variants"][name], flush=True)
                    continue
            embedder = OnnxEmbedder(model_path, Settings().model, 64, onnx_file=path)
            got, seconds = timed_passages(embedder, texts, spans)
            row = {
                **compare(reference, got),
                "tokens_per_s": round(tokens / seconds),
                "vs_torch": round(
                    report["torch fp32"]["tokens_per_s"] and (tokens / seconds) / report["torch fp32"]["tokens_per_s"],
                    3,
                ),
                "size_mb": round(path.stat().st_size / 1e6, 1),
            }
            report["variants"][name] = row
            print(name, json.dumps(row), flush=True)
    if args.out:
        args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return report


if __name__ == "__main__":
    main()
