"""The ONNX cache: where it lives, what invalidates it, and that a failed export leaves nothing behind."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rag.embedding import onnx_export
from rag.errors import ConfigError


def test_cache_root_follows_the_environment(tmp_path):
    assert onnx_export.cache_root({"RAG_ONNX_CACHE": str(tmp_path)}) == tmp_path
    assert onnx_export.cache_root({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "rag-news" / "onnx"
    assert onnx_export.cache_root({}) == Path.home() / ".cache" / "rag-news" / "onnx"


def test_the_key_changes_with_the_checkpoint(tmp_path):
    (tmp_path / "model.safetensors").write_bytes(b"weights")
    (tmp_path / "config.json").write_text("{}")
    first = onnx_export.model_key(tmp_path)
    assert onnx_export.model_key(tmp_path) == first
    (tmp_path / "model.safetensors").write_bytes(b"other weights")
    assert onnx_export.model_key(tmp_path) != first


def test_a_failed_export_publishes_nothing(tmp_path):
    target = tmp_path / "key" / "fp32"

    def crash(tmp: Path) -> None:
        (tmp / onnx_export.MODEL_FILE).write_bytes(b"half a model")
        raise RuntimeError("killed mid-export")

    with pytest.raises(RuntimeError):
        onnx_export._publish(target, crash)
    assert not target.exists() and os.listdir(tmp_path / "key") == []


def test_a_second_exporter_keeps_the_first_ones_files(tmp_path):
    target = tmp_path / "key" / "fp32"
    onnx_export._publish(target, lambda tmp: (tmp / onnx_export.MODEL_FILE).write_bytes(b"first"))
    onnx_export._publish(target, lambda tmp: (tmp / onnx_export.MODEL_FILE).write_bytes(b"second"))
    assert (target / onnx_export.MODEL_FILE).read_bytes() == b"first"
    assert os.listdir(tmp_path / "key") == ["fp32"]


def test_unknown_variants_are_refused(tmp_path):
    with pytest.raises(ConfigError, match="variant"):
        onnx_export.onnx_path(tmp_path, "int4", tmp_path)
