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
content words is negative, and predicate swaps: the verb of what the question asks happened
replaced by another of the same form that the article never uses, from a list of verbs
(``VERBS``: "Who warned Russia?" -> "Who praised Russia?"; ``rag.answer.qtypes.asked_verb``), and
"inside" swaps, SQuAD 2.0's hard case: a name, number or year of the sentence that answers replaced
by another the article holds elsewhere, so the passage still has every word of the question. Output,
one file per dataset and half (``xquad-en.fit.jsonl``,
``news-dev.report.jsonl``, ...), reads with ``rag eval answers``: rows carry
``answerable``, ``kind`` (original / entity / number / date / antonym / negation / predicate / inside),
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
from rag.answer.qtypes import asked_verb
from rag.answer.text import content_stems, name_spans, number_spans, person_spans, stem

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


def _options(question: str, pools: Pools) -> list[tuple[int, int, str, list[str], str]]:
    """What of the question may be swapped: (start, end, text, replacements of its kind, kind)."""
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
    return options


def swap(question: str, article: str, pools: Pools, rng: random.Random) -> tuple[str, str] | None:
    """(changed question, kind) with one name/number/date replaced by one the article never mentions."""
    low = article.lower()
    options = _options(question, pools)
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


def inside(question: str, article: str, answers: list[str], rng: random.Random) -> str | None:
    """SQuAD 2.0's hard case: a name, year or number of the question that stands in a sentence holding the
    answer, swapped for another of the same kind that the article *does* mention, but in none of those
    sentences ("Who was elected khan of the Mongols in 1186?" -> "... of the Merkits ..."). The passage still
    holds every word of the question; only the sentence that answers does not."""
    sentences = _SENTENCE_END.split(article)
    holding = [s for s in sentences if any(a and a.lower() in s.lower() for a in answers)]
    if not holding:
        return None
    held = " ".join(holding).lower()
    local = Pools([article])  # replacements the article itself holds
    options = [o for o in _options(question, local) if o[2].lower() in held]
    if not options:
        return None
    start, end, old, pool, _ = options[rng.randrange(len(options))]
    width = len(old.split())
    rest = set(content_stems(question[:start] + question[end:]))

    def answers_it(new: str) -> bool:
        """Another sentence that names it beside most of the question's other words may answer the new question."""
        return any(new.lower() in s.lower() and len(rest & set(content_stems(s))) * 2 > len(rest) for s in sentences)

    fits = [
        n
        for n in pool
        if n.lower() not in held and n.lower() not in question.lower() and len(n.split()) == width and not answers_it(n)
    ]
    return question[:start] + fits[rng.randrange(len(fits))] + question[end:] if fits else None


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


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


# Verbs a news or encyclopedia question asks about, in every form (base, -s, past, participle, -ing), so that
# a swap keeps the question's grammar: "Who warned Russia?" -> "Who praised Russia?".
VERBS = [
    tuple(forms.split())
    for forms in re.split(
        r"[|\n]",
        """announce announces announced announced announcing|approve approves approved approved approving
    ban bans banned banned banning|build builds built built building|buy buys bought bought buying
    sell sells sold sold selling|cancel cancels canceled canceled canceling|close closes closed closed closing
    criticize criticizes criticized criticized criticizing|praise praises praised praised praising
    defeat defeats defeated defeated defeating|elect elects elected elected electing|fire fires fired fired firing
    hire hires hired hired hiring|invest invests invested invested investing|launch launches launched launched launching
    lead leads led led leading|meet meets met met meeting|reject rejects rejected rejected rejecting
    sue sues sued sued suing|visit visits visited visited visiting|warn warns warned warned warning
    win wins won won winning|lose loses lost lost losing|sign signs signed signed signing
    arrest arrests arrested arrested arresting|attack attacks attacked attacked attacking|join joins joined joined joining
    leave leaves left left leaving|found founds founded founded founding|design designs designed designed designing
    discover discovers discovered discovered discovering|invent invents invented invented inventing
    publish publishes published published publishing|write writes wrote written writing
    release releases released released releasing|replace replaces replaced replaced replacing
    destroy destroys destroyed destroyed destroying|host hosts hosted hosted hosting|acquire acquires acquired acquired acquiring
    block blocks blocked blocked blocking|cut cuts cut cut cutting|raise raises raised raised raising
    support supports supported supported supporting|oppose opposes opposed opposed opposing
    invade invades invaded invaded invading|capture captures captured captured capturing|kill kills killed killed killing
    rescue rescues rescued rescued rescuing|fund funds funded funded funding|study studies studied studied studying
    teach teaches taught taught teaching|marry marries married married marrying|represent represents represented represented representing
    perform performs performed performed performing|record records recorded recorded recording
    produce produces produced produced producing|establish establishes established established establishing
    invite invites invited invited inviting|describe describes described described describing
    create creates created created creating|use uses used used using|require requires required required requiring
    receive receives received received receiving|award awards awarded awarded awarding""",
    )
]
assert all(len(forms) == 5 for forms in VERBS), [f for f in VERBS if len(f) != 5]


def predicate(question: str, article: str, rng: random.Random) -> str | None:
    """The question asking about something else happening: its verb (``rag.answer.qtypes.asked_verb``), when
    it is one of ``VERBS``, swapped for another in the same form that the article never uses."""
    verb = asked_verb(question)
    forms = next((f for f in VERBS if verb and verb.lower() in f), None)
    match = re.search(rf"\b{re.escape(verb)}\b", question) if verb and forms else None
    if not forms or not match:
        return None
    slot = forms.index(verb.lower())
    if slot == 2 and re.search(rf"\b(?:is|are|was|were|be|been|has|have|had)\s+{re.escape(verb)}\b", question, re.I):
        slot = 3  # "was criticized" -> "was written", not "was wrote"
    used = set(content_stems(article))
    options = [f[slot] for f in VERBS if f is not forms and not {stem(w) for w in f} & used]
    return (
        question[: match.start()] + options[rng.randrange(len(options))] + question[match.end() :] if options else None
    )


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
            # Its own generator: the other kinds' questions stay what they were before this kind existed.
            ("predicate", predicate(q["question"], article, random.Random(f"{seed}:{q['id']}:predicate"))),
            ("inside", inside(q["question"], article, answers, random.Random(f"{seed}:{q['id']}:inside"))),
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
