"""A different embedding model is one setting away: a model saved locally by sentence-transformers
itself (the packaged MiniLM weights with CLS pooling and a seeded 384->256 Dense layer) builds an
index, loads it, and an index built with one model is refused under another with one line."""

from __future__ import annotations

import json

import pytest

from rag.cli import main
from rag.stores.holder import forget_all

DOCS = [
    {
        "doc_id": "bridge",
        "title": "Harbour Bridge Reopens",
        "text": "The Harbour Bridge reopened on Tuesday after a two-year renovation. Mayor Ines Duarte cut the ribbon.",
    },
    {
        "doc_id": "bank",
        "title": "Central Bank Raises Rates",
        "text": "The central bank raised its main interest rate to 4.5 percent on Thursday.",
    },
]


def _save_model(folder, out_features: int) -> str:
    import torch
    from sentence_transformers import SentenceTransformer, models

    from rag.embedding.embedder import resolve_model_path
    from rag.settings import DEFAULT_MODEL

    torch.manual_seed(0)
    base = models.Transformer(resolve_model_path(DEFAULT_MODEL), max_seq_length=256)
    pooling = models.Pooling(base.get_embedding_dimension(), pooling_mode="cls")
    dense = models.Dense(pooling.get_embedding_dimension(), out_features, activation_function=torch.nn.Tanh())
    SentenceTransformer(modules=[base, pooling, dense, models.Normalize()], device="cpu").save(str(folder))
    return str(folder)


def _error_line(stderr: str) -> str:
    """The one ``error:`` line (model-loading progress bars may precede it on stderr)."""
    errors = [line for line in stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and stderr.rstrip().endswith(errors[0]), stderr
    return errors[0]


@pytest.fixture(scope="module")
def other_model(tmp_path_factory):
    return _save_model(tmp_path_factory.mktemp("model256"), 256)


def test_a_local_model_builds_loads_and_the_default_model_refuses_its_index(tmp_path, other_model, monkeypatch, capsys):
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(json.dumps(d) for d in DOCS))
    index_dir = tmp_path / "index"
    monkeypatch.setenv("RAG_MODEL", other_model)
    assert main(["index", "build", str(corpus), "--index-dir", str(index_dir)]) == 0
    manifest = json.loads(next(index_dir.glob("gen-*/manifest.json")).read_text())
    assert manifest["dimension"] == 256 and manifest["model"] == other_model
    capsys.readouterr()
    assert main(["search", "Who cut the ribbon?", "--index-dir", str(index_dir), "--json", "-k", "1"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["chunk"]["article_id"] == "bridge"

    monkeypatch.delenv("RAG_MODEL")
    forget_all()  # as a new process would: no index cached under another model
    assert main(["search", "Who cut the ribbon?", "--index-dir", str(index_dir)]) == 2
    err = _error_line(capsys.readouterr().err)
    assert "RAG_MODEL=" in err and "all-MiniLM-L6-v2" in err


def test_a_model_changed_under_the_same_path_is_refused_by_dimension(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "model"
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(json.dumps(d) for d in DOCS))
    monkeypatch.setenv("RAG_MODEL", _save_model(folder, 256))
    assert main(["index", "build", str(corpus), "--index-dir", str(tmp_path / "index")]) == 0
    _save_model(folder, 128)  # same path, another dimension
    from rag.embedding.factory import forget_models

    forget_models()  # a new process: the model is read again from its folder
    forget_all()
    capsys.readouterr()
    assert main(["search", "Who cut the ribbon?", "--index-dir", str(tmp_path / "index")]) == 2
    err = _error_line(capsys.readouterr().err)
    assert "dimension 256" in err and "128" in err
