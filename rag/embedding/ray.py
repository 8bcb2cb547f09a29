"""Embedding a build with Ray Data: ``rag index build --ray [ADDRESS]``.

Embedding is nearly all of a build's time and is embarrassingly parallel, so
``ray_encoder`` returns a drop-in for ``Embedder.encode_passages`` that ships the
chunk texts to a pool of model actors (``map_batches``), one per CPU of a local
Ray or of the cluster at ``ADDRESS``, and reassembles chunk vectors and int8
sentence vectors in row order. Chunking, BM25 and the write to the store stay in
the driver. Every actor runs the same model code as a single process, so vectors
agree to float rounding; sentence vectors are shipped as the int8 codes and
scales the actor made, not re-quantised.

On one 2-core machine this is no faster (see docs/scaling.md): Ray pays ~10 s
to start and load a model per actor. It pays off when a cluster adds cores.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence

import numpy as np

from rag.embedding.embedder import Passages
from rag.embedding.sentvec import SentenceVectors
from rag.errors import ConfigError
from rag.settings import Settings

log = logging.getLogger(__name__)

BATCH = 64  # chunks per actor call: the embedder's own batch size
LOCAL_OBJECT_STORE = 256 * 2**20  # chunk texts and vectors of a big build fit; Ray's default takes 30% of RAM


class PassageActor:
    """One model per Ray worker, loaded once; ``__call__`` embeds a batch of chunk texts."""

    def __init__(self, model: str, device: str, batch_size: int, precision: str, backend: str = "torch"):
        from rag.embedding.factory import get_embedder

        self.embedder = get_embedder(model, device, batch_size, precision, backend)

    def __call__(self, batch: dict) -> dict:
        texts = [str(t) for t in batch["text"]]
        spans = [[tuple(s) for s in json.loads(str(raw))] for raw in batch["spans"]]
        out = self.embedder.encode_passages(texts, spans)
        s = out.sentences
        pieces = [
            (
                s.code_range(int(s.offsets[i]), int(s.offsets[i + 1])).reshape(-1),
                np.asarray(s.scales[s.offsets[i] : s.offsets[i + 1]]),
            )
            for i in range(len(texts))
        ]
        return {
            "row": batch["row"],
            "vector": out.vectors,
            # Ragged per-row arrays travel as object columns (the trailing None stops numpy stacking them).
            "codes": np.array([p[0] for p in pieces] + [None], dtype=object)[:-1],
            "scales": np.array([p[1] for p in pieces] + [None], dtype=object)[:-1],
        }


def ray_encoder(settings: Settings, address: str | None = None):
    """An ``encode_passages`` stand-in that embeds on Ray (local when ``address`` is None)."""

    def encode(texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]], *, progress: bool = False):
        return embed_with_ray(texts, spans, settings, address)

    return encode


def embed_with_ray(texts: Sequence[str], spans, settings: Settings, address: str | None = None) -> Passages:
    from rag._extras import needs

    with needs("ray"):
        import ray

    started = _start(ray, address)
    try:
        import ray.data

        logging.getLogger("ray.data").setLevel(logging.ERROR)  # per-run INFO lines; our own log says enough
        context = ray.data.DataContext.get_current()
        context.execution_options.preserve_order = True  # cheap insurance; rows are re-sorted anyway
        context.enable_progress_bars = False
        workers = max(1, int(ray.cluster_resources().get("CPU", 1)))
        items = [{"row": i, "text": t, "spans": json.dumps(s)} for i, (t, s) in enumerate(zip(texts, spans))]
        results = (
            ray.data.from_items(items)
            .map_batches(
                PassageActor,
                fn_constructor_kwargs={
                    "model": settings.model,
                    "device": settings.device,
                    "batch_size": settings.batch_size,
                    "precision": settings.precision,
                    "backend": settings.backend,
                },
                batch_size=BATCH,
                compute=ray.data.ActorPoolStrategy(size=min(workers, max(1, len(items) // BATCH))),
                num_cpus=1,
                batch_format="numpy",
            )
            .take_all()
            if items
            else []
        )
    finally:
        if started:
            ray.shutdown()
    return _assemble(sorted(results, key=lambda r: int(r["row"])), settings)


def _assemble(rows: list[dict], settings: Settings) -> Passages:
    from rag.embedding.factory import embedder_for

    if not rows:
        dimension = embedder_for(settings).dimension
        return Passages(np.zeros((0, dimension), np.float32), SentenceVectors.empty(dimension))
    vectors = np.stack([np.asarray(r["vector"], dtype=np.float32) for r in rows])
    dimension = vectors.shape[1]
    codes = [np.asarray(r["codes"], dtype=np.int8).reshape(-1, dimension) for r in rows]
    scales = [np.asarray(r["scales"], dtype=np.float32) for r in rows]
    offsets = np.concatenate([[0], np.cumsum([len(s) for s in scales])]).astype(np.int64)
    return Passages(vectors, SentenceVectors((np.vstack(codes),), np.concatenate(scales), offsets))


def _start(ray, address: str | None) -> bool:
    """Connect to ``address`` or start a local Ray; True when this call started it (and must stop it)."""
    if ray.is_initialized():
        return False
    # Set before Ray starts: no usage report leaves the machine, and no token file is written in ~/.ray.
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    options = (
        {"address": address}
        if address
        else {"num_cpus": os.cpu_count() or 1, "include_dashboard": False, "object_store_memory": LOCAL_OBJECT_STORE}
    )
    for attempt in (1, 2):  # a loaded machine sometimes misses Ray's start-up deadline once
        try:
            ray.init(logging_level=logging.WARNING, log_to_driver=False, **options)
            return True
        except Exception as error:  # noqa: BLE001 - Ray raises a bare Exception when its node start times out
            if attempt == 2:
                where = f"the Ray cluster at {address}" if address else "a local Ray"
                raise ConfigError(f"could not start or reach {where}: {str(error).strip().splitlines()[0]}") from None
            log.warning("Ray did not start (%s); trying once more", error)
            ray.shutdown()
    return False
