"""Can rule-made questions teach a reader what the dev sets are too small to? A fit-half probe (not shipped).

    python -m bench.synthetic_reader --corpus ../shared/data/news-scale.jsonl.gz --questions 9000 --out DIR
    python -m bench.reader_probe --questions unanswerable_out --index xquad-en=XQ --index news-dev=ND --reader DIR

Session 35 fine-tuned the packaged MiniLM as a cross-encoder on the fit halves' 7,599 pairs and it caught fewer
unanswerable questions than an untrained feature: too little data. SQuAD 2.0's 130,000 questions are not
reachable here, but 22,000 news articles are. So questions are made from their sentences by rule: a sentence
holding a person, a date or a count becomes the clause around it with that span replaced by its wh-word
("Burns warned Russia on Tuesday." -> "Who warned Russia on Tuesday?"). Each gives up to four pairs:

* (question, its sentence): 1;
* (question, another sentence of the article without the answer): 0;
* (question with one of its other names swapped for a name elsewhere in the article, its sentence): 0, SQuAD
  2.0's "inside" kind;
* (question with a number or date swapped for another of the article's, its sentence): 0.

The model is trained one epoch on these alone (no dev question), saved to ``--out``, and
``bench.reader_probe --reader`` scores the fit halves' answered questions with it.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

WINDOW = 9  # words of the sentence kept on each side of the answer span: questions are shorter than sentences


@dataclass(frozen=True)
class Pair:
    question: str
    sentence: str
    label: int  # 1: the sentence answers the question


def make_question(sentence: str, start: int, end: int, wh: str) -> str:
    """The clause around ``sentence[start:end]`` with the span replaced by ``wh``, as a question."""
    before, after = sentence[:start].split()[-WINDOW:], sentence[end:].split()[:WINDOW]
    tail = " ".join(after).rstrip(".,;:\"'”")
    lead = " ".join(before).lstrip('"“')
    if not lead:  # the span is the subject: "Burns warned ..." -> "Who warned ...?"
        return f"{wh.capitalize()} {tail}?"
    return f"{lead[0].upper()}{lead[1:]} {wh} {tail}?"


def pairs_from(sentences: list[str], rng: random.Random) -> Iterator[Pair]:
    """Up to three questions from one article's sentences, each with its pairs."""
    from rag.answer.text import count_spans, date_spans, name_spans, number_spans, person_spans

    names = sorted({s.text for x in sentences for s in name_spans(x) if len(s.text) > 3})
    figures = sorted({s.text for x in sentences for s in (*number_spans(x), *date_spans(x))})
    for sentence in rng.sample(sentences, min(3, len(sentences))):
        spans = [
            *((s, "who") for s in person_spans(sentence)),
            *((s, "when") for s in date_spans(sentence)),
            *((s, "how many") for s in count_spans(sentence)),
        ]
        if not spans:
            continue
        span, wh = rng.choice(spans)
        question = make_question(sentence, span.start, span.end, wh)
        if len(question.split()) < 5 or span.text in question:
            continue
        others = [x for x in sentences if span.text not in x and x != sentence]
        if not others:
            continue
        yield Pair(question, sentence, 1)
        yield Pair(question, rng.choice(others), 0)
        for found, pool in (
            ([s.text for s in name_spans(question) if len(s.text) > 3], names),
            ([s.text for s in (*number_spans(question), *date_spans(question)) if s.text.strip()], figures),
        ):
            if not found:
                continue
            old = rng.choice(found)
            other = [c for c in pool if c not in sentence and c not in old and old not in c]
            if other:
                yield Pair(question.replace(old, rng.choice(other), 1), sentence, 0)


def make_pairs(corpus: Path, questions: int, seed: int = 0) -> list[Pair]:
    """Pairs from about a third of the corpus's articles (sampled), until ``questions`` questions are made."""
    from rag.text.sentences import sentences

    rng, out, made = random.Random(seed), [], 0
    opener = gzip.open if corpus.suffix == ".gz" else open
    with opener(corpus, "rt", encoding="utf-8") as lines:
        for line in lines:
            if made >= questions:
                break
            if rng.random() > 0.35:
                continue
            kept = [s for s in sentences(json.loads(line)["text"]) if 60 <= len(s) <= 260 and not s.endswith("?")]
            if len(kept) >= 6:
                new = list(pairs_from(kept, rng))
                made += sum(p.label for p in new)
                out += new
    return out


def train(pairs: list[Pair], out: Path, batch: int = 16, seed: int = 0) -> None:
    """One epoch of the packaged MiniLM as a cross-encoder (binary cross-entropy, positives up-weighted)."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from rag.embedding.embedder import resolve_model_path
    from rag.settings import Settings

    torch.manual_seed(seed)
    path = str(resolve_model_path(Settings().model))
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModelForSequenceClassification.from_pretrained(path, num_labels=1)
    steps = (len(pairs) + batch - 1) // batch
    optimizer = torch.optim.AdamW(model.parameters(), lr=4e-5, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.LinearLR(optimizer, 1.0, 0.0, total_iters=steps)
    positives = sum(p.label for p in pairs)
    weight = torch.tensor((len(pairs) - positives) / max(positives, 1))
    order = list(range(len(pairs)))
    random.Random(seed).shuffle(order)
    model.train()
    start = time.perf_counter()
    for step, at in enumerate(range(0, len(order), batch)):
        chunk = [pairs[i] for i in order[at : at + batch]]
        questions, sentences = [p.question for p in chunk], [p.sentence for p in chunk]
        enc = tokenizer(questions, sentences, truncation=True, max_length=96, padding=True, return_tensors="pt")
        target = torch.tensor([float(p.label) for p in chunk])
        logits = model(**enc).logits.squeeze(-1)
        loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, target, pos_weight=weight)
        loss.backward()
        optimizer.step()
        schedule.step()
        optimizer.zero_grad()
        if step % 200 == 0:
            print(f"step {step} of {steps}: loss {loss.item():.3f}, {time.perf_counter() - start:.0f} s", flush=True)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, required=True, help="articles, one JSON object a line (.gz too)")
    parser.add_argument("--questions", type=int, default=9000, help="rule-made questions to train on")
    parser.add_argument("--out", type=Path, required=True, help="folder for the trained cross-encoder")
    args = parser.parse_args(argv)
    pairs = make_pairs(args.corpus, args.questions)
    print(f"{len(pairs)} pairs, {sum(p.label for p in pairs)} answerable", flush=True)
    train(pairs, args.out)


if __name__ == "__main__":
    main()
