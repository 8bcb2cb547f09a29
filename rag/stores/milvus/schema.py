"""The Milvus side of ``rag.stores.milvus.store``: collections, rows, searches, and pymilvus errors as ``IndexStoreError``.

Every pymilvus call of rag is in this module. Clients are cached per URI for the
life of the process: Milvus Lite starts an in-process server per database, which
must be released (``release``) before another process may open the same ``.db``.
"""

from __future__ import annotations

import base64
import functools
import json
import logging
import threading
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

import numpy as np

from rag._extras import needs

with needs("milvus"):
    from pymilvus import DataType, Function, FunctionType, MilvusClient, MilvusException
from rag.embedding.embedder import Passages
from rag.errors import IndexStoreError
from rag.settings import StoreSpec
from rag.stores.manifest import Manifest
from rag.types import Article, Chunk

log = logging.getLogger(__name__)
logging.getLogger("pymilvus").setLevel(logging.CRITICAL)  # it logs a whole traceback per failed call
# Milvus Lite's in-process server lacks AllocTimestamp; pymilvus falls back, but gRPC logs a traceback each time.
logging.getLogger("grpc._server").setLevel(logging.CRITICAL)

MANIFEST_KEY = "rag.manifest"
ARTICLES_SUFFIX = "_articles"
NO_TERMS = "_"  # BM25's input may not be empty; "_" is no stem of any word
TEXT_MAX = 65535  # Milvus' VARCHAR limit, in characters
PLACE_MAX = 4000
BATCH = 256  # rows per insert call: well under gRPC's message limit with 8 kB of sentence vectors a row
# bm25s' defaults, so both stores rank alike.
BM25_PARAMS = {"bm25_k1": 1.5, "bm25_b": 0.75}

_clients: dict[str, MilvusClient] = {}
_lock = threading.Lock()


def guarded(fn):
    """Turn pymilvus' exceptions into one-line ``IndexStoreError``s naming the store."""

    @functools.wraps(fn)
    def wrapper(spec: StoreSpec, *args, **kwargs):
        try:
            return fn(spec, *args, **kwargs)
        except MilvusException as error:
            message = getattr(error, "message", "") or str(error)
            raise IndexStoreError(f"Milvus store {spec.label()}: {message.strip().splitlines()[0]}") from None

    return wrapper


@guarded
def client(spec: StoreSpec) -> MilvusClient:
    with _lock:
        if spec.uri not in _clients:
            if spec.lite:
                Path(spec.uri).parent.mkdir(parents=True, exist_ok=True)
            _clients[spec.uri] = MilvusClient(uri=spec.uri, timeout=30)
        return _clients[spec.uri]


def release(spec: StoreSpec) -> None:
    with _lock:
        found = _clients.pop(spec.uri, None)
    if found is not None:
        found.close()
    if spec.lite:
        with needs("milvus"):
            from milvus_lite.server_manager import server_manager_instance

        server_manager_instance.release_server(spec.uri)


@guarded
def has(spec: StoreSpec) -> bool:
    c = client(spec)
    return c.has_collection(spec.collection) and c.has_collection(spec.collection + ARTICLES_SUFFIX)


@guarded
def create(spec: StoreSpec, manifest: Manifest) -> None:
    """(Re)create both collections, empty, with ``manifest`` as a property."""
    c = client(spec)
    chunks, articles = spec.collection, spec.collection + ARTICLES_SUFFIX
    for name in (chunks, articles):
        if c.has_collection(name):
            c.drop_collection(name)
    s = MilvusClient.create_schema(auto_id=False)
    s.add_field("id", DataType.VARCHAR, is_primary=True, max_length=2048)
    s.add_field("article_id", DataType.VARCHAR, max_length=2048)
    s.add_field("place", DataType.VARCHAR, max_length=PLACE_MAX)  # lower(url + " " + source), for LIKE
    s.add_field("published", DataType.VARCHAR, max_length=64)  # ISO date, "" when unknown
    s.add_field("chunk", DataType.JSON)
    s.add_field("terms", DataType.VARCHAR, max_length=TEXT_MAX, enable_analyzer=True)
    s.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    s.add_field("dense", DataType.FLOAT_VECTOR, dim=manifest.dimension)
    s.add_field("sentences", DataType.VARCHAR, max_length=TEXT_MAX)  # base64 int8 codes + scales, "" if none
    s.add_function(
        Function(
            name="bm25", function_type=FunctionType.BM25, input_field_names=["terms"], output_field_names=["sparse"]
        )
    )
    index = c.prepare_index_params()
    index.add_index("dense", index_type="FLAT", metric_type="IP")  # exact, as FAISS below ann_threshold
    index.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25", params=BM25_PARAMS)
    c.create_collection(chunks, schema=s, index_params=index)
    a = MilvusClient.create_schema(auto_id=False)
    a.add_field("id", DataType.VARCHAR, is_primary=True, max_length=2048)
    a.add_field("seq", DataType.INT64)  # insertion order: chunk rows follow it
    a.add_field("doc", DataType.JSON)
    a.add_field("v", DataType.FLOAT_VECTOR, dim=2)  # Milvus wants a vector field in every collection
    index = c.prepare_index_params()
    index.add_index("v", index_type="FLAT", metric_type="IP")
    c.create_collection(articles, schema=a, index_params=index)
    write_manifest(spec, manifest)


@guarded
def write_manifest(spec: StoreSpec, manifest: Manifest) -> None:
    kept = {k: v for k, v in asdict(manifest).items() if k not in ("articles", "files", "chunk_count")}
    client(spec).alter_collection_properties(spec.collection, properties={MANIFEST_KEY: json.dumps(kept)})


@guarded
def read_all(spec: StoreSpec) -> tuple[Manifest, dict[str, Article], list[Chunk]]:
    """The manifest, the articles in insertion order and their chunks in row order."""
    c = client(spec)
    if not has(spec):
        raise IndexStoreError(f"no index in Milvus store {spec.label()}; build one with: rag index build --store ...")
    raw = c.describe_collection(spec.collection).get("properties", {}).get(MANIFEST_KEY)
    if not raw:
        raise IndexStoreError(f"Milvus collection {spec.label()} is not a rag index (no {MANIFEST_KEY} property)")
    for name in (spec.collection, spec.collection + ARTICLES_SUFFIX):
        c.load_collection(name)
    rows = _all(c, spec.collection + ARTICLES_SUFFIX, ["id", "seq", "doc"])
    seq = {r["id"]: r["seq"] for r in rows}
    articles = {a.id: a for a in sorted((Article.from_dict(r["doc"]) for r in rows), key=lambda a: seq[a.id])}
    chunks = sorted(
        (Chunk.from_dict(r["chunk"]) for r in _all(c, spec.collection, ["chunk"])),
        key=lambda ch: (seq.get(ch.article_id, -1), ch.index),
    )
    manifest = Manifest(
        **{**json.loads(raw), "articles": {a.id: a.content_hash for a in articles.values()}, "chunk_count": len(chunks)}
    )
    return manifest, articles, chunks


def _all(c: MilvusClient, name: str, fields: list[str]) -> list[dict]:
    rows, it = [], c.query_iterator(name, batch_size=1000, filter="", output_fields=fields)
    try:
        while batch := it.next():
            rows.extend(batch)
    finally:
        it.close()
    return rows


@guarded
def insert(
    spec: StoreSpec,
    articles: Sequence[tuple[Article, int]],
    chunks: Sequence[Chunk],
    passages: Passages,
    terms: Sequence[str],
) -> None:
    c = client(spec)
    c.insert(
        spec.collection + ARTICLES_SUFFIX,
        [{"id": a.id, "seq": n, "doc": a.to_dict(), "v": [1.0, 0.0]} for a, n in articles],
    )
    by_id = {a.id: a for a, _ in articles}
    rows = []
    for i, chunk in enumerate(chunks):
        article = by_id[chunk.article_id]
        rows.append(
            {
                "id": chunk.id,
                "article_id": chunk.article_id,
                "chunk": chunk.to_dict(),
                "place": f"{article.url or ''} {article.source}".lower()[:PLACE_MAX],
                "published": article.published or "",
                "terms": terms[i][:TEXT_MAX],
                "dense": passages.vectors[i].tolist(),
                "sentences": encode_sentences(passages, i),
            }
        )
    for start in range(0, len(rows), BATCH):
        c.insert(spec.collection, rows[start : start + BATCH])
    c.flush(spec.collection)
    c.flush(spec.collection + ARTICLES_SUFFIX)


@guarded
def delete_article(spec: StoreSpec, article_id: str) -> None:
    c = client(spec)
    c.delete(spec.collection, filter=f"article_id == {json.dumps(article_id, ensure_ascii=False)}")
    c.delete(spec.collection + ARTICLES_SUFFIX, ids=[article_id])
    c.flush(spec.collection)
    c.flush(spec.collection + ARTICLES_SUFFIX)


@guarded
def search(spec: StoreSpec, data: list, field: str, metric: str, depth: int, expr: str) -> list[tuple[str, float]]:
    found = client(spec).search(
        spec.collection,
        data,
        anns_field=field,
        limit=min(depth, 16384),
        filter=expr,
        search_params={"metric_type": metric},
        output_fields=[],
    )
    return [(hit["id"], float(hit["distance"])) for hit in found[0]]


@guarded
def get(spec: StoreSpec, ids: Sequence[str], field: str) -> dict[str, object]:
    return {r["id"]: r[field] for r in client(spec).get(spec.collection, ids=list(ids), output_fields=[field])}


def encode_sentences(passages: Passages, row: int) -> str:
    """Row ``row``'s int8 sentence vectors as base64 (scales then codes); "" if none or too long."""
    s = passages.sentences
    a, b = int(s.offsets[row]), int(s.offsets[row + 1])
    raw = np.ascontiguousarray(s.scales[a:b], np.float32).tobytes() + np.ascontiguousarray(s.code_range(a, b)).tobytes()
    text = base64.b64encode(raw).decode("ascii") if b > a else ""
    return text if len(text) <= TEXT_MAX else ""  # the answerer embeds such a chunk's sentences itself


def decode_sentences(text: str, dimension: int) -> np.ndarray:
    raw = base64.b64decode(text)
    k = len(raw) // (4 + dimension)
    scales = np.frombuffer(raw[: 4 * k], dtype=np.float32)
    codes = np.frombuffer(raw[4 * k :], dtype=np.int8).reshape(k, dimension)
    return codes.astype(np.float32) * scales[:, None]
