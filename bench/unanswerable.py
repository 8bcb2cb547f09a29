"""In-topic unanswerable questions, built from answerable ones, split by article into fit/report halves.

    python -m bench.unanswerable [--data ../shared/data] [--out unanswerable_out] [--seed 14]

"Topic absent" is the easy case of abstention; the hard one is a question about
an article that is in the index but does not hold the asked detail. For every
xquad-en and news-dev question this writes the original (answerable) and, where
the question names one, a copy whose key entity, number or date is replaced by
another of the same kind taken from the corpus and absent from the question's own
article(s), which stay in the index ("How many points did the Panthers surrender"
-> "... did the Broncos surrender" only if the article never names the Broncos),
plus antonym swaps ("largest" -> "smallest") when the article never uses the
antonym, and negations ("Who was the tackle leader?" -> "Who was not the tackle
leader?") when no sentence of the article that shares two of the question's
content words is negative. Output, one file per dataset and half (``xquad-en.fit.jsonl``,
``news-dev.report.jsonl``, ...), reads with ``rag eval answers``: rows carry
``answerable``, ``kind`` (original / entity / number / date / antonym / negation),
``source_id`` and, for news-dev, the quiz ``date``. Halves are by article for xquad-en (the title before '#') and
by quiz date for news-dev (questions of one week share their articles), chosen by
a hash, so they never change when questions are added. Generated files derive
from the shared data and are not committed; the hand-written adjacent questions
about the seed article are (``tests/seed_adjacent.jsonl``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
from collections import defaultdict
from pathlib import Path

from rag.answer.lexicon import MONTHS, STOPWORDS
from rag.answer.opposites import NEGATION
from rag.answer.text import content_stems, name_spans, number_spans, person_spans

ROOT = Path(__file__).resolve().parent.parent
# ../shared/data beside the checkout (CI); a worktree one level deeper finds it one more level up.
DEFAULT_DATA = next(
    (p / "shared" / "data" for p in (ROOT.parent, ROOT.parent.parent) if (p / "shared" / "data").is_dir()),
    ROOT.parent / "shared" / "data",
)
ANTONYMS = dict(
    pair
    for a, b in [
        ("largest", "smallest"),
        ("first", "last"),
        ("before", "after"),
        ("most", "least"),
        ("highest", "lowest"),
        ("increase", "decrease"),
        ("increased", "decreased"),
        ("won", "lost"),
        ("win", "lose"),
        ("earliest", "latest"),
        ("oldest", "newest"),
        ("biggest", "smallest"),
        ("longest", "shortest"),
        ("north", "south"),
        ("east", "west"),
        ("rise", "fall"),
        ("rose", "fell"),
        ("open", "close"),
        ("opened", "closed"),
        ("supported", "opposed"),
        ("approved", "rejected"),
        ("banned", "allowed"),
        ("gained", "lost"),
        ("top", "bottom"),
        ("maximum", "minimum"),
        ("start", "end"),
        ("began", "ended"),
        ("hired", "fired"),
    ]
    for pair in ((a, b), (b, a))
)
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
_MONTH = re.compile(r"\b(" + "|".join(m.capitalize() for m in MONTHS if len(m) > 3) + r")\b")


def half(key: str) -> str:
    """'fit' or 'report', from a hash of the grouping key: stable whatever else is in the set."""
    return "fit" if int(hashlib.sha256(key.encode()).hexdigest(), 16) % 2 == 0 else "report"


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


class Pools:
    """Replacement candidates of each kind, gathered from the whole corpus."""

    def __init__(self, texts: list[str]):
        people, names = set(), set()
        numbers, years = set(), set()
        for text in texts:
            people.update(s.text for s in person_spans(text) if _plain_name(s.text))
            names.update(s.text for s in name_spans(text) if _plain_name(s.text))
            numbers.update(s.text for s in number_spans(text) if re.fullmatch(r"\d{1,3}(,\d{3})*|\d+", s.text))
            years.update(_YEAR.findall(text))
        self.people = sorted(people)
        self.names = sorted(names - people)
        self.numbers = sorted(n for n in numbers if not _YEAR.fullmatch(n))
        self.years = sorted(years)


def _plain_name(text: str) -> bool:
    tokens = text.split()
    return (
        bool(re.fullmatch(r"[^\W\d][\w’'-]*(?: [^\W\d][\w’'-]*){0,2}", text))
        and len(text) > 3
        and tokens[0].lower() not in STOPWORDS
    )


def swap(question: str, article: str, pools: Pools, rng: random.Random) -> tuple[str, str] | None:
    """(changed question, kind) with one name/number/date replaced by one the article never mentions."""
    low = article.lower()
    options = []
    people = {s.text for s in person_spans(question)}
    for span in name_spans(question):
        if _plain_name(span.text):
            pool = pools.people if span.text in people else pools.names
            options.append((span.start, span.end, span.text, pool, "entity"))
    for m in _YEAR.finditer(question):
        options.append((m.start(), m.end(), m.group(0), pools.years, "date"))
    for span in number_spans(question):
        if re.fullmatch(r"\d{1,3}(,\d{3})*|\d+", span.text) and not _YEAR.fullmatch(span.text):
            options.append((span.start, span.start + len(span.text), span.text, pools.numbers, "number"))
    if not options:
        return None
    start, end, old, pool, kind = options[rng.randrange(len(options))]
    width = len(old.split())
    for _ in range(50):
        new = pool[rng.randrange(len(pool))] if pool else None
        if new is None:
            return None
        if new != old and new.lower() not in low and len(new.split()) == width and new.lower() not in question.lower():
            return question[:start] + new + question[end:], kind
    return None


def antonym(question: str, article: str) -> str | None:
    words = re.findall(r"[A-Za-z]+", question)
    low = set(re.findall(r"[a-z]+", article.lower()))
    for word in words:
        other = ANTONYMS.get(word.lower())
        if other and other not in low:
            return re.sub(rf"\b{word}\b", other, question, count=1)
    return None


# "Who was the tackle leader?" -> "Who was not ...?"; "What did the Broncos beat?" -> "... did the Broncos not beat?"
_COPULA = re.compile(r"^((?:who|what|which)\s+(?:is|are|was|were))\s+(?=(?:the|a|an)\s)", re.I)
_DID_NAME = re.compile(r"\b(?:did|does|do)\s+(?:the\s+)?[A-Z][a-z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*\s+(?=[a-z]{3,}\b)")


def negate(question: str, article: str) -> str | None:
    """The question with "not" put before what it asks about, when no sentence of the article that shares
    two of its content words is negative: the article then says nothing of what did *not* happen."""
    if NEGATION.search(question):
        return None
    m = _COPULA.match(question) or _DID_NAME.search(question)
    if not m:
        return None
    wanted = set(content_stems(question))
    for sentence in re.split(r"(?<=[.!?])\s+", article):
        if NEGATION.search(sentence) and len(wanted & set(content_stems(sentence))) >= 2:
            return None
    return question[: m.end()].rstrip() + " not " + question[m.end() :].lstrip()


def build(dataset: str, questions: list[dict], corpus: dict[str, str], seed: int) -> list[dict]:
    pools = Pools(list(corpus.values()))
    out = []
    for q in questions:
        gold = q.get("gold_doc_ids") or q.get("relevant_doc_ids") or []
        if not gold:
            continue
        key = gold[0].split("#")[0] if dataset == "xquad-en" else q.get("date", "")
        article = " ".join(corpus.get(d, "") for d in gold)
        base = {"relevant_doc_ids": gold, "source_id": q["id"], "split": half(f"{dataset}:{key}")}
        if q.get("date"):
            base["date"] = q["date"]  # the quiz day: `rag eval answers` also answers as asked that day
        answers = q.get("answers") or [q["answer"]]
        out.append(
            {
                "id": q["id"],
                "question": q["question"],
                "answers": answers,
                "answerable": True,
                "kind": "original",
                **base,
            }
        )
        rng = random.Random(f"{seed}:{q['id']}")
        changed = swap(q["question"], article, pools, rng)
        if changed:
            out.append(
                {
                    "id": f"{q['id']}-{changed[1]}",
                    "question": changed[0],
                    "answers": [],
                    "answerable": False,
                    "kind": changed[1],
                    **base,
                }
            )
        for kind, changed_question in (
            ("antonym", antonym(q["question"], article)),
            ("negation", negate(q["question"], article)),
        ):
            if changed_question:
                out.append(
                    {
                        "id": f"{q['id']}-{kind}",
                        "question": changed_question,
                        "answers": [],
                        "answerable": False,
                        "kind": kind,
                        **base,
                    }
                )
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=Path("unanswerable_out"))
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args(argv)
    sets = {
        "xquad-en": (args.data / "xquad-en" / "questions.jsonl", args.data / "xquad-en" / "corpus.jsonl"),
        "news-dev": (args.data / "news-dev" / "questions.jsonl", args.data / "news-dev" / "corpus-small.jsonl"),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    for name, (qpath, cpath) in sets.items():
        corpus = {row["doc_id"]: row["text"] for row in read_jsonl(cpath)}
        rows = build(name, read_jsonl(qpath), corpus, args.seed)
        by_half = defaultdict(list)
        for row in rows:
            by_half[row["split"]].append(row)
        for part, items in sorted(by_half.items()):
            path = args.out / f"{name}.{part}.jsonl"
            path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in items), encoding="utf-8")
            kinds = defaultdict(int)
            for r in items:
                kinds[r["kind"]] += 1
            print(f"{path}: {len(items)} questions {dict(kinds)}")


if __name__ == "__main__":
    main()
