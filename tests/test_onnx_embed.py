"""The ONNX Runtime embedder against the torch one, with the real packaged model.

The ONNX files are exported once into the user cache (as in use); the export's
atomic publishing is checked separately on a tmp folder.
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from rag.errors import ConfigError
from rag.settings import Settings
from tests.conftest import ROOT, SEED

pytestmark = pytest.mark.slow


def _seed_passages(embedder, settings):
    from rag.embedding.ingest import chunk_articles, embed_chunks
    from rag.readers.files import read_path

    articles = read_path(SEED)
    chunks = chunk_articles(articles, settings)
    return chunks, embed_chunks(chunks, {a.id: a.title for a in articles}, embedder.encode_passages)


@pytest.mark.parametrize("precision", ["float32", "int8"])
def test_onnx_vectors_match_torch_per_chunk_on_the_seed(precision):
    from rag.embedding.factory import get_embedder

    settings = Settings()
    torch_side = get_embedder(settings.model, "cpu", 64, "float32", "torch")
    onnx_side = get_embedder(settings.model, "cpu", 64, precision, "onnx")
    assert onnx_side.backend == "onnx" and torch_side.backend == "torch"
    chunks, want = _seed_passages(torch_side, settings)
    _, got = _seed_passages(onnx_side, settings)
    assert len(chunks) >= 3 and got.vectors.shape == want.vectors.shape
    cosines = np.sum(want.vectors * got.vectors, axis=1)
    assert cosines.min() >= 0.99, cosines
    # Late-chunked sentence vectors come from the same run's token vectors: same rows, close vectors.
    assert np.array_equal(got.sentences.offsets, want.sentences.offsets)
    for row in range(want.sentences.rows):
        a, b = want.sentences.row(row), got.sentences.row(row)
        assert np.array_equal(np.linalg.norm(a, axis=1) > 0, np.linalg.norm(b, axis=1) > 0)
        assert np.all(np.sum(a * b, axis=1)[np.linalg.norm(a, axis=1) > 0] >= 0.98)
    # Queries too, and the norms are 1.
    q_torch, q_onnx = torch_side.encode_query("Who warned Russia?"), onnx_side.encode_query("Who warned Russia?")
    assert abs(float(np.linalg.norm(q_onnx)) - 1) < 1e-5 and float(q_torch @ q_onnx) >= 0.99


@pytest.mark.parametrize("precision", ["float32", "int8"])
def test_a_texts_vector_never_depends_on_what_it_is_encoded_with(precision):
    """One text per call: int8's per-call activation scales once moved token vectors by up to 0.87
    when texts were batched, so an index depended on how its articles were grouped."""
    from rag.embedding import onnx_embed
    from rag.embedding.factory import get_embedder

    embedder = get_embedder(Settings().model, "cpu", 16, precision, "onnx")
    texts = [f"Article {i}: " + "the summit in Geneva was postponed again. " * (1 + i % 7) for i in range(80)]
    assert len(texts) > onnx_embed.BULK_TEXTS  # the parallel path
    alone = np.stack([embedder.encode([t])[0] for t in texts[:5]])
    together = embedder.encode(texts)
    assert np.array_equal(together[:5], alone)
    assert np.array_equal(embedder.encode(texts[::-1])[::-1], together)
    # A text alone runs on a session with a thread per core (up to SMALL_THREADS), bulk on one-thread sessions.
    assert embedder._session(1).get_session_options().intra_op_num_threads == 1
    assert set(embedder._sessions) == {1, onnx_embed.SMALL_THREADS}


@pytest.mark.parametrize(("built_with", "loaded_with"), [("onnx", "torch"), ("torch", "onnx")])
def test_an_index_built_by_one_backend_is_searched_by_the_other(tmp_path, built_with, loaded_with):
    from rag.api import build_index
    from rag.retrieval.search import search_index
    from rag.stores.folder.index import Index

    build = Settings(index_dir=tmp_path / "ix", backend=built_with, precision="float32")
    built = build_index([SEED], build)
    assert built.manifest.extra["embedding"]["backend"] == built_with
    loaded = Index.load(build.replace(backend=loaded_with))
    assert loaded.embedder.backend == loaded_with
    question = "Who warned Russia?"
    ours = [h.chunk.id for h in search_index(loaded, question, 3, mode="dense")]
    theirs = [h.chunk.id for h in search_index(built, question, 3, mode="dense")]
    assert ours == theirs  # the same neighbours whichever backend encodes the question
    assert "Burns" in search_index(loaded, question, 1)[0].chunk.text


def test_the_cli_query_path_imports_no_torch(tmp_path):
    """A fresh `rag ask` / `rag search` on the ONNX backend imports neither torch, gradio nor langchain."""
    from rag.api import build_index

    settings = Settings(index_dir=tmp_path / "ix", backend="onnx")
    build_index([SEED], settings)
    code = (
        "import sys, io, contextlib\n"
        "from rag.cli import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        f"    assert main(['ask', 'Who warned Russia?', '--index-dir', {str(settings.index_dir)!r}]) == 0\n"
        f"    assert main(['search', 'Who warned Russia?', '--index-dir', {str(settings.index_dir)!r}]) == 0\n"
        "assert 'Burns' in out.getvalue(), out.getvalue()\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('torch', 'gradio', 'langchain', 'langchain_core', 'sentence_transformers', 'transformers'))\n"
        "print(heavy)\n"
    )
    # The same environment (so the same ONNX cache the build above filled), this checkout's code.
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RAG_BACKEND": "onnx"}
    result = subprocess.run(
        [sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_settings_refuse_unknown_backends_and_mismatched_precisions():
    from rag.embedding.factory import get_embedder

    with pytest.raises(ConfigError, match="backend"):
        Settings(backend="tensorrt")
    with pytest.raises(ConfigError, match="torch"):
        get_embedder(Settings().model, "cpu", 64, "bfloat16", "onnx")
    with pytest.raises(ConfigError, match="ONNX"):
        get_embedder(Settings().model, "cpu", 64, "int8", "torch")
    with pytest.raises(ConfigError, match="CPU"):
        get_embedder(Settings().model, "cuda", 64, "float32", "onnx")
    assert Settings.from_env({"RAG_BACKEND": "torch"}).backend == "torch"


def test_auto_runs_onnx_where_it_can_and_torch_elsewhere(tmp_path):
    from rag.embedding.factory import resolve_backend

    assert Settings().backend == "auto"
    model = Settings().model
    assert resolve_backend("auto", "cpu", model, "auto") == "onnx"  # the packaged MiniLM, on the CPU
    assert resolve_backend("auto", "cpu", model, "int8") == "onnx"
    assert resolve_backend("auto", "cpu", model, "bfloat16") == "torch"  # a precision ONNX does not run
    assert resolve_backend("auto", "cuda", model, "auto") == "torch"
    assert resolve_backend("torch", "cpu", model, "auto") == "torch"
    cls_pooled = tmp_path / "cls-model"
    (cls_pooled / "1_Pooling").mkdir(parents=True)
    (cls_pooled / "1_Pooling" / "config.json").write_text('{"pooling_mode_cls_token": true}')
    (cls_pooled / "config.json").write_text("{}")
    (cls_pooled / "tokenizer.json").write_text("{}")
    assert resolve_backend("auto", "cpu", str(cls_pooled), "auto") == "torch"


def test_the_torch_embedder_leaves_the_processes_torch_threads_as_it_found_them():
    """torch's thread count is the process's: loading the model once set it to 1 for good, so every
    other torch model in the host process (a user's own, the benchmark's LangChain recipe) ran on one core."""
    script = (
        "import torch; torch.set_num_threads(2); n = torch.get_num_threads()\n"
        "from rag.embedding.factory import get_embedder; from rag.settings import Settings\n"
        "e = get_embedder(Settings().model, 'cpu', 16, 'float32', 'torch')\n"
        "assert torch.get_num_threads() == n, ('load', n, torch.get_num_threads())\n"
        "e.encode_query('Who warned Russia?'); e.encode(['a text'] * 80)\n"
        "assert torch.get_num_threads() == n, ('encode', n, torch.get_num_threads())\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]


def test_an_index_keeps_the_precision_it_was_built_with(tmp_path):
    """`auto` is resolved once, at build: questions and adds use the variant the passages were embedded
    with, so an index built at float32 before int8 became the default is not searched with int8 vectors."""
    from rag.api import build_index
    from rag.stores.folder.index import Index

    auto = Settings(index_dir=tmp_path / "new")
    assert build_index([SEED], auto).manifest.extra["embedding"] == {"backend": "onnx", "precision": "int8"}
    assert Index.load(auto).embedder.precision == "int8"

    old = Settings(index_dir=tmp_path / "old", precision="float32")
    build_index([SEED], old)
    loaded = Index.load(old.replace(precision="auto"))
    assert loaded.settings.precision == "float32" and loaded.embedder.precision == "fp32"
    assert Index.load(old.replace(precision="int8")).embedder.precision == "int8"  # a configured one wins


def test_the_precision_rule_reads_the_manifest():
    from rag.stores.manifest import Manifest, built_precision

    def manifest(extra: dict) -> Manifest:
        return Manifest("all-MiniLM-L6-v2", 384, 200, 0, {}, 0, "t", "t", extra=extra)

    assert built_precision(manifest({"embedding": {"backend": "onnx", "precision": "int8"}}), "auto") == "int8"
    assert built_precision(manifest({"embedding": {"backend": "onnx", "precision": "fp32"}}), "auto") == "float32"
    assert built_precision(manifest({"embedding": {"backend": "torch", "precision": "bfloat16"}}), "auto") == "float32"
    assert built_precision(manifest({}), "auto") == "float32"  # recorded before int8 was the default
    assert built_precision(manifest({"embedding": "int8"}), "auto") == "float32"  # not a record: the old default
    assert built_precision(manifest({"embedding": {"precision": "int8"}}), "float32") == "float32"
