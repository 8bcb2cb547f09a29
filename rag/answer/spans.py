"""The short answer inside a sentence: the span that answers the question, by question type. Pure.

A who-question leads with a name (with its role: "CIA director William Burns"),
where with a place, when with a date, how many with a number, and what/which
with the noun phrase that carries the answer ("the legitimacy of Ukraine's
borders"). The extractive answer opens with it and the scorer checks for it.
"""

from __future__ import annotations

import re

from rag.answer.lexicon import AUXILIARIES, ROLES, STOPWORDS
from rag.answer.places import asked_kind, new_names_of_kind
from rag.answer.qtypes import asking
from rag.answer.text import (
    WORD,
    Span,
    count_spans,
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


def asks_amount(question: str) -> bool:
    """Does the question ask "how many X" or "how much X"?"""
    return bool(_HOW_MANY.match(asking(question)))


def amounts(sentence: str, question: str) -> list[Span]:
    """The amounts in ``sentence`` that can answer "how many X / how much X": numbers that count nothing else."""
    return [s for s in count_spans(sentence) if not _counts_other(sentence, s, question)]


_WHO_IS = re.compile(r"^\s*who\s+(?:is|was|are|were)\b", re.I)
_WHO_IS_NAME = re.compile(r"^\s*(?i:who\s+(?:is|was))\s+[A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*)*\s*\??\s*$")
_ROLE_TIMES = frozenset({"former", "acting", "outgoing", "incoming", "then", "late"})
_HOW_MANY = re.compile(r"^\s*how (many|much)\s+((?:[\w’'-]+\s+){0,2}[\w’'-]+)", re.I)
_COUNTED = re.compile(r"(?:-|\s+)(?:([A-Za-z]+)-)?([A-Za-z]+)\b(?:\s+([A-Za-z]+)\b)?")


def _counts_other(sentence: str, number: Span, question: str) -> bool:
    """ "two officials" or "a 5,000-word essay" does not answer "how many migrants/tanks".

    "How much aid" is answered by an amount in units ("$2 billion", "ten times their weight",
    "5 million dollars"), so there a plural only counts something else when it is not a unit."""
    asked = _HOW_MANY.match(asking(question))
    after = _COUNTED.match(sentence, number.end)
    if not asked or not after:
        return False
    wanted = {stem(w) for w in asked.group(2).split()}
    following = [w for w in after.groups() if w]
    if any(stem(w) in wanted for w in following):
        return False
    compound = sentence[number.end : number.end + 1] == "-"
    counted = [w for w in following if w.endswith("s") and not w.endswith("ss") and w.islower()]
    if asked.group(1).lower() == "much":
        counted = [w for w in counted if w not in _UNITS]
    return compound or bool(counted)


_UNITS = frozenset(
    """dollars cents euros pounds pence yen yuan rupees francs pesos rubles roubles won tons tonnes ounces
    grams kilograms kilos barrels gallons liters litres miles kilometers kilometres meters metres feet
    inches yards acres hectares times hours days weeks months years minutes seconds calories points
    degrees watts kilowatts megawatts gigawatts bytes megabytes gigabytes terabytes""".split()
)


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
    if focus := _WHICH_NOUN.match(q):
        # A name with the asked noun in it is of the asked kind ("Academy Award" for "What award ...?"),
        # though half its words are the question's; else any name mostly new to the question.
        kind = stem(focus.group(1))
        stems = {s: {stem(w) for w in s.text.split()} for s in name_spans(sentence)}
        fresh = [s for s, own in stems.items() if not own <= asked]
        names = [s for s in fresh if kind in stems[s]] or [s for s in fresh if not _mostly_asked(s.text, asked)]
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
    # The question's last content word is usually its verb ("question", "warn"): the answer follows it.
    verb = wanted[-1]
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
    if not 1 <= len(tokens) <= 8 or _mostly_asked(phrase, set(wanted)) or _verbal(tokens[0]):
        return None
    if any(t in AUXILIARIES or t in ("be", "been") for t in tokens[1:]):
        return None  # a clause cut short, not a noun phrase: "Russia may be" (“attempting to rehash” ...)
    begin = sentence.index(phrase, start)
    return Span(begin, begin + len(phrase), phrase)


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
