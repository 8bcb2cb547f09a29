"""Does the model's reading of the weakest question word survive being stored at build time? A fit-half probe.

    python -m bench.reader_probe --questions unanswerable_out \\
        --index xquad-en=XQUAD_INDEX --index news-dev=NEWS_INDEX

Session 33's ``weakest word`` (for each content word of the question, its best cosine to any token of the
chosen sentence; the lowest of those) separates right answers from answered unanswerable questions better
than anything else measured without training, but it needs a model pass over the sentence at query time.
The index build already runs the model over every chunk (late chunking), so the sentence's token vectors
could be kept instead. This probe compares, on the questions the shipped answerer answers:

* ``own``: the sentence in a run of its own (session 33's query-time pass);
* ``chunk``: the sentence's tokens from its chunk's run, as the build sees them;
* ``chunk-pq32``: the same, product-quantised to 32 bytes a token (what 100k chunks could store).

Each feature joins the shipped confidence in a logistic regression, out of fold (5 folds by article or quiz
date), and the probe prints how many answered unanswerable questions fall below the point where 3% of the
right answers are given up. Fit halves only; nothing here ships. ``--reader DIR`` adds a cross-encoder's score
(``bench.synthetic_reader``). Uses the torch model (float32), so its figures differ a little from the int8
ONNX runs quoted in ``bench/README.md`` (session 35).
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import numpy as np

LOST = 0.03  # share of right answers given up at the reported operating point
# The function words this probe was run with, a subset of rag.answer.lexicon.STOPWORDS: that list also drops
# "s", "said", "one", "name", ..., which would change the figures quoted in bench/README.md.
_FUNCTION = frozenset(
    "the a an of in on at to for by with from and or is are was were be been did do does what which who whom whose "
    "when where why how many much that this these those it its as into than".split()
)


def weakest(question: np.ndarray, sentence: np.ndarray) -> float:
    """The lowest, over question tokens, of each one's best cosine to a sentence token."""
    q = question / np.linalg.norm(question, axis=1, keepdims=True).clip(1e-9)
    s = sentence / np.linalg.norm(sentence, axis=1, keepdims=True).clip(1e-9)
    return float((q @ s.T).max(axis=1).min())


def content_tokens(tokens: list[str]) -> list[int]:
    """Word pieces that carry meaning: not special tokens, punctuation or function words."""
    return [
        i
        for i, t in enumerate(tokens)
        if t not in ("[CLS]", "[SEP]") and re.match(r"^[a-z0-9#]", t) and t.lstrip("#") not in _FUNCTION
    ]


class Reader:
    """The packaged model's token vectors for a text, with their character offsets."""

    def __init__(self) -> None:
        from sentence_transformers import SentenceTransformer

        from rag.embedding.embedder import resolve_model_path
        from rag.settings import Settings

        self.model = SentenceTransformer(resolve_model_path(Settings().model), device="cpu")

    def tokens(self, text: str) -> tuple[list[str], np.ndarray, np.ndarray]:
        out = self.model.encode([text], output_value="token_embeddings", convert_to_numpy=False)[0]
        enc = self.model.tokenizer(text, return_offsets_mapping=True, truncation=True, max_length=256)
        vectors = out.float().numpy()[: len(enc["input_ids"])]
        names = self.model.tokenizer.convert_ids_to_tokens(enc["input_ids"])
        return names, vectors, np.asarray(enc["offset_mapping"])


def collect(name: str, folder: Path, questions: Path, reader: Reader) -> list[dict]:
    """One row per answered fit-half question: right answer (1) or unanswerable (0), with its token vectors."""
    from rag.answer import answer_question
    from rag.answer.decision import rank
    from rag.api import load_index
    from rag.embedding.embedder import document_text
    from rag.eval.matching import contains
    from rag.settings import Settings

    settings = Settings(index_dir=folder)
    index = load_index(settings)
    rows = []
    for line in (questions / f"{name}.fit.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        answer = answer_question(index, item["question"], (), settings)
        right = bool(item["answerable"]) and contains(answer.text, tuple(item["answers"]))
        if answer.abstained or (item["answerable"] and not right):
            continue
        ranked = rank(index, item["question"], settings).ranked  # the best-ranked sentence
        if not ranked:
            continue
        best = ranked[0].candidate
        passage = document_text(index.articles[best.hit.chunk.article_id].title, best.hit.chunk.text)
        at = passage.find(best.text)
        q_names, q_vectors, _ = reader.tokens(item["question"])
        _, p_vectors, offsets = reader.tokens(passage)
        inside = [i for i, (a, b) in enumerate(offsets) if b > a and a >= at >= 0 and b <= at + len(best.text)]
        if not inside:
            continue  # the sentence lies past the model's window
        _, s_vectors, _ = reader.tokens(best.text)
        picked = content_tokens(q_names) or [1]
        group = item["relevant_doc_ids"][0].split("#")[0] if name == "xquad-en" else item["source_id"][:8]
        rows.append(
            {
                "dataset": name,
                "group": f"{name}:{group}",
                "label": int(right),
                "confidence": answer.confidence,
                "question": q_vectors[picked],
                "own": s_vectors[1:-1],
                "chunk": p_vectors[inside],
                "pair": (item["question"], best.text),
            }
        )
    return rows


def caught(rows: list[dict], feature: np.ndarray) -> dict[str, tuple[int, int]]:
    """Per dataset: answered unanswerable questions below the 3%-of-right-answers point, and how many there are."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    conf = np.array([r["confidence"] for r in rows]).clip(1e-6, 1 - 1e-6)
    x = np.c_[np.log(conf / (1 - conf)), feature]
    y = np.array([r["label"] for r in rows])
    groups = np.array([r["group"] for r in rows])
    p = np.zeros(len(y))
    for train, test in GroupKFold(n_splits=5).split(x, y, groups):
        p[test] = LogisticRegression(max_iter=5000).fit(x[train], y[train]).predict_proba(x[test])[:, 1]
    out = {}
    for name in sorted({r["dataset"] for r in rows}):
        part = np.array([r["dataset"] == name for r in rows])
        bar = np.quantile(p[part & (y == 1)], LOST)
        out[name] = (int((p[part & (y == 0)] < bar).sum()), int((part & (y == 0)).sum()))
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=Path, required=True, help="folder written by python -m bench.unanswerable")
    parser.add_argument("--index", action="append", required=True, help="dataset=index-dir, e.g. xquad-en=xq_index")
    parser.add_argument("--reader", type=Path, help="also score with this cross-encoder (bench.synthetic_reader)")
    args = parser.parse_args(argv)
    import faiss

    reader = Reader()
    rows = [row for item in args.index for row in collect(*_pair(item), args.questions, reader)]
    sample = np.vstack([r["chunk"] for r in rows]).astype(np.float32)
    sample /= np.linalg.norm(sample, axis=1, keepdims=True).clip(1e-9)
    pq = faiss.ProductQuantizer(sample.shape[1], 32, 8)
    pq.train(sample[np.random.default_rng(0).permutation(len(sample))[:20000]])

    def stored(v: np.ndarray) -> np.ndarray:
        v = np.ascontiguousarray(v / np.linalg.norm(v, axis=1, keepdims=True).clip(1e-9), dtype=np.float32)
        return pq.decode(pq.compute_codes(v))

    features = {
        "none (the confidence alone)": np.zeros(len(rows)),
        "own: the sentence's own run": np.array([weakest(r["question"], r["own"]) for r in rows]),
        "chunk: its chunk's run, float": np.array([weakest(r["question"], r["chunk"]) for r in rows]),
        "chunk-pq32: the same, 32 bytes a token": np.array([weakest(r["question"], stored(r["chunk"])) for r in rows]),
    }
    if args.reader:
        features[f"reader: the cross-encoder in {args.reader.name}"] = cross_scores(
            args.reader, [r["pair"] for r in rows]
        )
    print(f"{len(rows)} answered fit-half questions; unanswerable caught at {LOST:.0%} of right answers given up")
    for name, feature in features.items():
        print(f"{name:42s}", {k: f"{a} of {b}" for k, (a, b) in caught(rows, feature).items()})


def cross_scores(folder: Path, pairs: list[tuple[str, str]]) -> np.ndarray:
    """A cross-encoder's logit for each (question, sentence)."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    model = AutoModelForSequenceClassification.from_pretrained(str(folder)).eval()
    out: list[float] = []
    with torch.inference_mode():
        for at in range(0, len(pairs), 32):
            chunk = pairs[at : at + 32]
            questions, sentences = [q for q, _ in chunk], [s for _, s in chunk]
            enc = tokenizer(questions, sentences, truncation=True, max_length=96, padding=True, return_tensors="pt")
            out += model(**enc).logits.squeeze(-1).tolist()
    return np.array(out)


def _pair(item: str) -> tuple[str, Path]:
    name, folder = item.split("=", 1)
    return name, Path(folder)


if __name__ == "__main__":
    main()
