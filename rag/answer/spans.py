"""The short answer inside a sentence: the span that answers the question, by question type. Pure.

A who-question leads with a name (with its role: "CIA director William Burns"),
where with a place, when with a date, how many with a number, and what/which
with the noun phrase that carries the answer ("the legitimacy of Ukraine's
borders"). The extractive answer opens with it and the scorer checks for it.
"""

from __future__ import annotations

import re

from rag.answer.amounts import amounts
from rag.answer.lexicon import AUXILIARIES, ROLES, STOPWORDS
from rag.answer.places import asked_kind, new_names_of_kind
from rag.answer.qtypes import asked_verb, asking
from rag.answer.text import (
    WORD,
    Span,
    date_spans,
    event_dates,
    name_spans,
    person_spans,
    place_spans,
    stem,
    words,
)


def answer_span(sentence: str, question: str, qtype: str) -> Span | None:
    """The short answer inside ``sentence``: a name for who, a place for where, a number for how many, a date for when."""
    asked = {stem(w) for w in words(question)}
    finders = {
        "person": person_spans,
        "place": place_spans,
        "number": lambda text: amounts(text, question),  # not "two officials" for "how many migrants"
        "date": lambda text: event_dates(text, question),
    }
    if qtype not in finders:
        return other_span(sentence, question, asked)
    if qtype == "person" and _WHO_IS_NAME.match(asking(question)):
        # "Who is Volodymyr Zelensky?" asks what the named one is, never for someone else: the name
        # with the title the sentence gives it, or no short answer at all.
        named = [s for s in person_spans(sentence) if _mostly_asked(s.text, asked)]
        titled = [with_role(sentence, s) for s in named]
        return next((t for t, s in zip(titled, named) if t.start < s.start), None)
    kind = asked_kind(question) if qtype == "place" else None
    # "Which country ...?" is answered by a country's name wherever it stands, not only after "in"/"to".
    listed = new_names_of_kind(sentence, kind, question) if kind else []
    candidates = listed or [s for s in finders[qtype](sentence) if not _mostly_asked(s.text, asked)]
    if not candidates:
        return None
    # Anchors: where the question's own content words occur in the sentence (whole words, by stem).
    anchors = [
        m.start() for m in WORD.finditer(sentence) if m.group(0).lower() not in STOPWORDS and stem(m.group(0)) in asked
    ]

    asks_title = qtype == "person" and bool(_WHO_IS.match(asking(question)))

    def holds_title(span: Span) -> bool:
        """A word of the question stands in the title the sentence gives the name ("Kremlin spokesperson Dmitry Peskov")."""
        title_start = with_role(sentence, span).start
        return any(title_start <= a < span.start for a in anchors)

    def fitness(span: Span) -> tuple[float, float, float]:
        if not anchors:
            return 0.0, 0.0, -span.start
        nearest = min(anchors, key=lambda a: abs(a - span.start))
        # "Who is the Kremlin spokesperson?": the one the sentence gives that title, not the subject
        # named before it ("Vladimir Putin, Kremlin spokesperson ...").
        title = 1.0 if asks_title and holds_title(span) else 0.0
        # "Who warned Russia?": the answer is the subject, named before the verb it asks about.
        subject = 1.0 if qtype == "person" and span.start < nearest else 0.0
        return title, subject, -abs(nearest - span.start)

    best = max(candidates, key=fitness)
    return with_role(sentence, best) if qtype == "person" else best


_WHO_IS = re.compile(r"^\s*who\s+(?:is|was|are|were)\b", re.I)
_WHO_IS_NAME = re.compile(r"^\s*(?i:who\s+(?:is|was))\s+[A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*)*\s*\??\s*$")
_ROLE_TIMES = frozenset({"former", "acting", "outgoing", "incoming", "then", "late"})


# A period ends the phrase where it ends a sentence: not inside "2.4" or after the "S" of "U.S.".
# A comma ends it too, but not inside a figure ("1,600 mm").
_STOP_PHRASE = re.compile(
    r"(?<!\d),|,(?!\d)|[;:!?“”\"()—–]|\.(?!\w)(?<!\b[A-Z]\.)|\s(?:and|but|which|who|while|because|after|before|as|said|says)\s"
)
# What a noun phrase does not open with: the rest of the verb ("was Pons Aelius") or a preposition ("of
# stainless steel" for "What is 565 °C the creep limit of?").
_NOT_OPENING = frozenset(
    "is are was were be been being has have had do does did in on at of by for to from with into".split()
)
_OPENING_WORD = re.compile(r"\s*([\w’'-]+)")
# "Which country ...?", "What award ...?": the noun asked for ("What did ...?" asks for none).
_WHICH_NOUN = re.compile(r"^(?:which|what)\s+(?!did|does|do|is|was|are|were|has|have|had|will|would|can|could)(\w+)")


def other_span(sentence: str, question: str, asked: set[str]) -> Span | None:
    """The short answer to a what/which question: a name for "which country/newspaper ...", else the
    noun phrase after the verb the question asks about ("What did Putin's essay question?" ->
    "the legitimacy of Ukraine's borders"). None when neither is clear."""
    q = asking(question).lower().strip()
    sort_of = _KIND_OF.search(q)
    if focus := _WHICH_NOUN.match(_KIND_OF.sub("", q)):
        kind = stem(focus.group(1))
        # "What must a teacher have?" and "What typically involves ...?" ask for no noun.
        noun = focus.group(1) not in AUXILIARIES and not _verbal(focus.group(1))
        stems = {s: {stem(w) for w in s.text.split()} for s in name_spans(sentence)}
        fresh = [s for s, own in stems.items() if not own <= asked]
        described = _described(sentence, kind, asked) if noun and kind not in STOPWORDS else None
        # A name with the asked noun in it is of the asked kind ("Academy Award" for "What award ...?"),
        # though half its words are the question's. "What type of X" asks for the words that describe the
        # X ("water-cooled undergarment"), or a name of its kind. Else any name mostly new to the question,
        # else the description.
        kinds = [s for s in fresh if kind in stems[s]]
        if described and not kinds and sort_of:
            return described
        names = kinds or ([] if sort_of else [s for s in fresh if not _mostly_asked(s.text, asked)])
        if not names and described:
            return described
        anchors = [
            m.start()
            for m in WORD.finditer(sentence)
            if m.group(0).lower() not in STOPWORDS and stem(m.group(0)) in asked
        ]
        if not names or not anchors:
            return None
        return min(names, key=lambda s: min(abs(a - s.start) for a in anchors))
    wanted = [stem(w) for w in words(question) if w.lower() not in STOPWORDS]
    if not wanted or not q.startswith("what"):
        return None
    # The answer follows the verb the question asks about: the parsed one ("What did Putin question in his
    # essay?"), else the last content word, often the verb a parse misses ("What did Putin's essay question?").
    verbs = dict.fromkeys(v for v in (stem(asked_verb(question) or ""), wanted[-1]) if v.isalpha())
    return next((p for v in verbs if (p := _after_verb(sentence, v, set(wanted)))), None)


def _after_verb(sentence: str, verb: str, wanted: set[str]) -> Span | None:
    """The noun phrase after the last ``verb`` in ``sentence``; None for a date, a clause or no phrase."""
    hits = [m for m in WORD.finditer(sentence) if stem(m.group(0)) == verb]
    if not hits:
        return None
    start = hits[-1].end()
    while (opening := _OPENING_WORD.match(sentence, start)) and opening.group(1).lower() in _NOT_OPENING:
        start = opening.end()
    rest = sentence[start:]
    cut = _STOP_PHRASE.search(rest)
    phrase = rest[: cut.start() if cut else len(rest)].strip()
    tokens = phrase.split()
    if not 1 <= len(tokens) <= 8 or _mostly_asked(phrase, wanted) or _verbal(tokens[0]) or stem(tokens[0]) in wanted:
        return None  # no phrase, the question's own words ("use 1,600 mm" after a misparsed "lines"), or no noun yet
    if any(t in AUXILIARIES or t in ("be", "been") for t in tokens[1:]):
        return None  # a clause cut short, not a noun phrase: "Russia may be" (“attempting to rehash” ...)
    begin = sentence.index(phrase, start)
    if any(d.start <= begin < d.end for d in date_spans(sentence)):
        return None  # "in July" says when, not what
    return Span(begin, begin + len(phrase), phrase)


def _described(sentence: str, kind: str, asked: set[str]) -> Span | None:
    """ "What type of undergarment?" -> "water-cooled undergarment": the asked noun and the words before it
    that describe it (up to three: "ominous 5,000-word essay", "“stable and predictable” relationship"),
    or None when none of those words is new to the question."""
    tokens = list(_TOKEN.finditer(sentence))
    for at, m in enumerate(tokens):
        if stem(m.group(0).rstrip(",.")) != kind:
            continue
        start, kept = m.start(), 0
        for before in reversed(tokens[max(0, at - 5) : at]):
            word, gap = before.group(0), sentence[before.end() : start]
            joins = word in ("and", "or") and kept  # "stable and predictable"
            if gap.strip(_QUOTES) or kept == 3 or not (joins or _describing(word)):
                break
            start, kept = before.start(), kept + (not joins)
        start = next(t.start() for t in tokens if t.start() >= start and t.group(0) not in ("and", "or"))
        if start and sentence[start - 1] in '“"' and any(q in sentence[start : m.start()] for q in '”"'):
            start -= 1  # the quote that opens the describing words
        modifiers = [stem(w) for w in words(sentence[start : m.start()])]
        if any(w not in asked for w in modifiers):
            return Span(start, m.end(), sentence[start : m.end()])
    return None


def _describing(word: str) -> bool:
    return bool(_DESCRIBING.fullmatch(word)) and word not in _NOT_DESCRIBING


# "What kind of meeting" asks for a meeting; "what" + the noun is read past "kind/type/sort of".
_KIND_OF = re.compile(r"(?<=^what )(?:kind|type|sort)s? of ")
# A describing word: lower case, not an adverb ("-ly"), a verb's "-ing" ("supplying") or "-s" ("includes
# traditional schools"), and no function word or count ("several sports").
_DESCRIBING = re.compile(r"(?:\d[\d,.]*-)?[a-z][a-z-]*(?:[a-rt-z]|ss|us|is)(?<!ly)(?<!ing)")
_QUOTES = "“”\"' "
_TOKEN = re.compile(r"[\w’'.,-]*\w")
_NOT_DESCRIBING = STOPWORDS | frozenset("several many various numerous certain other such most more few".split())


def _verbal(word: str) -> bool:
    """An adverb or past participle ("legally", "often", "ennobled"): the clause goes on, no noun phrase yet."""
    return word.islower() and (
        word.endswith("ly") or word in _ADVERBS or (len(word) > 5 and word.endswith("ed") and not word.endswith("eed"))
    )


_ADVERBS = frozenset(
    "often also usually still now then never always sometimes later just only even already not".split()
)


def _mostly_asked(span_text: str, asked: set[str]) -> bool:
    tokens = [stem(t) for t in span_text.split()]
    return sum(t in asked for t in tokens) * 2 >= len(tokens)


def with_role(sentence: str, span: Span) -> Span:
    """Widen a name to take in its title: 'William Burns' -> 'CIA director William Burns'."""
    start = span.start
    seen_role = False
    for m in reversed(list(re.finditer(r"[\w.’'-]+", sentence[: span.start]))[-4:]):
        token = m.group(0)
        if sentence[m.end() : start].strip():
            break  # punctuation between: 'Putin, Kremlin spokesperson Peskov' is two people
        if token.lower() in ROLES:
            seen_role = True
        elif seen_role and token.lower() in _ROLE_TIMES:
            start = m.start()  # "former Russian President Dmitry Medvedev": no longer the president
            break
        elif not (seen_role and token[:1].isupper() and token.lower() not in STOPWORDS):
            break  # titles read 'CIA director', 'Defense Minister': capitalised words before a role
        start = m.start()
    return Span(start, span.end, sentence[start : span.end])
