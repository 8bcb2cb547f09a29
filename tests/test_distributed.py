"""``rag index build --ray``: Ray Data embeds the same index as one process, into the configured store."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import SEED
from tests.synthetic import write_corpus

pytest.importorskip("ray", reason="ray is not installed (pip install -e '.[ray]')")
pytest.importorskip("pymilvus", reason="pymilvus is not installed (pip install -e '.[milvus]')")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def local_ray():
    """One local Ray for this module's tests (ray_encoder reuses a running Ray and leaves it running)."""
    import ray

    from rag.embedding.ray import _start

    started = _start(ray, None)
    yield
    if started:
        ray.shutdown()


def test_ray_build_into_milvus_equals_a_single_process_build(tmp_path, local_ray):
    from rag.api import read_articles
    from rag.embedding.ray import ray_encoder
    from rag.settings import Settings
    from rag.stores import close, create_index, open_index
    from rag.stores.folder.index import Index

    articles = read_articles([SEED, write_corpus(tmp_path / "corpus", range(4))])
    # float32 on both sides: bf16 kernels may round differently from one process to another.
    single = Index.build(articles, Settings(index_dir=tmp_path / "single", precision="float32"))
    settings = Settings(index_dir=tmp_path / "ray", store=str(tmp_path / "ray.db"), precision="float32")
    try:
        create_index(articles, settings, encode=ray_encoder(settings))
        built = open_index(settings)
        assert [c.id for c in built.chunks] == [c.id for c in single.chunks]
        rows = list(range(len(single.chunks)))
        assert np.allclose(built.vectors(rows), single.vectors(rows), atol=1e-5)
        for chunk in single.chunks:
            assert np.allclose(built.sentence_vectors(chunk), single.sentence_vectors(chunk), atol=2e-3)
    finally:
        close(settings)


def test_ray_encoder_keeps_row_order_across_batches(tmp_path, local_ray):
    from rag.embedding.factory import get_embedder
    from rag.embedding.ray import BATCH, ray_encoder
    from rag.settings import Settings

    settings = Settings(index_dir=tmp_path / "ix", precision="float32")
    # Short texts, more than two actor batches, each with a different number of sentences.
    texts = [" ".join(f"Sentence {j} of text {i}." for j in range(1 + i % 3)) for i in range(2 * BATCH + 9)]
    spans = [
        [(k * len(t) // (1 + i % 3), (k + 1) * len(t) // (1 + i % 3)) for k in range(1 + i % 3)]
        for i, t in enumerate(texts)
    ]
    single = get_embedder(settings.model, settings.device, settings.batch_size, "float32").encode_passages(texts, spans)
    distributed = ray_encoder(settings)(texts, spans)
    assert np.allclose(distributed.vectors, single.vectors, atol=1e-5)
    assert np.array_equal(distributed.sentences.offsets, single.sentences.offsets)
    assert np.abs(distributed.sentences.codes().astype(int) - single.sentences.codes()).max() <= 1
