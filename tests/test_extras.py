"""A feature whose extra is not installed fails with one line naming the extra (issue 16).

Absence is simulated the way Python itself spells it: ``sys.modules[name] = None``
makes ``import name`` raise ``ModuleNotFoundError``; the modules under test are
dropped from ``sys.modules`` so they are imported afresh.
"""

from __future__ import annotations

import importlib
import sys

import pytest

from rag._extras import EXTRAS, MissingExtraError
from rag.cli import main
from tests.conftest import ROOT


def _absent(monkeypatch, *modules: str, fresh: tuple[str, ...] = ()) -> None:
    for name in modules:  # the package and every submodule an earlier test imported
        for loaded in {name, *(m for m in sys.modules if m.startswith(name + "."))}:
            monkeypatch.setitem(sys.modules, loaded, None)
    for name in fresh:  # imported afresh: gone from sys.modules and from its package's attributes
        monkeypatch.delitem(sys.modules, name, raising=False)
        parent, _, leaf = name.rpartition(".")
        if parent in sys.modules and sys.modules[parent] is not None:
            monkeypatch.delattr(sys.modules[parent], leaf, raising=False)


def _one_line(error: BaseException, extra: str) -> None:
    message = str(error)
    assert "\n" not in message and message.endswith(f'pip install "rag-news[{extra}]"'), message
    assert isinstance(error, ImportError) and isinstance(error, MissingExtraError)


@pytest.mark.parametrize(
    ("missing", "module", "extra"),
    [
        ("pymilvus", "rag.stores.milvus.store", "milvus"),
        ("langchain_core", "rag.answer.llm", "llm"),
        ("langchain_core", "rag.integrations.langchain", "langchain"),
    ],
)
def test_importing_a_feature_without_its_extra_names_the_extra(monkeypatch, missing, module, extra):
    _absent(monkeypatch, missing, fresh=(module, "rag.stores.milvus.schema", "rag.answer.chat_models"))
    with pytest.raises(MissingExtraError) as raised:
        importlib.import_module(module)
    _one_line(raised.value, extra)
    assert missing in str(raised.value)


def test_ray_build_without_ray_names_the_extra(monkeypatch, settings):
    from rag.embedding.ray import embed_with_ray

    _absent(monkeypatch, "ray")
    with pytest.raises(MissingExtraError) as raised:
        embed_with_ray(["text"], [[(0, 4)]], settings)
    _one_line(raised.value, "ray")


def test_cli_store_without_milvus_is_one_line_exit_2(monkeypatch, tmp_path, capsys):
    _absent(
        monkeypatch, "pymilvus", fresh=("rag.stores.milvus.kind", "rag.stores.milvus.store", "rag.stores.milvus.schema")
    )
    assert main(["--store", str(tmp_path / "lite.db"), "index", "stats"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and 'pip install "rag-news[milvus]"' in err


def test_every_named_extra_is_declared():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert set(EXTRAS) <= set(declared)
