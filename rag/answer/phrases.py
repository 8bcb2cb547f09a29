"""The short answer to a what/which question: a noun phrase, a description, a name of the asked kind, or
the quoted name a thing is called ("What did Medvedev call talks with Ukraine?" -> "meaningless"). Pure.

"What did Putin's July essay question?" is answered by the noun phrase after the
verb it asks about ("the legitimacy of Ukraine's borders"); "What type of
undergarment ...?" by the words that describe the asked noun ("water-cooled
undergarment"); "Which award ...?" by a name of that kind ("Academy Award").
``rag.answer.spans`` hands these questions here; it finds the typed spans
(names, places, numbers, dates) itself.
"""

from __future__ import annotations

import re

from rag.answer.lexicon import AUXILIARIES, STOPWORDS
from rag.answer.qtypes import asked_verb, asking
from rag.answer.text import WORD, Span, date_spans, name_spans, stem, words

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
    """The short answer to a what/which question: a name for "which country/newspaper ...", the words
    that describe the asked noun ("What type of undergarment ...?" -> "water-cooled undergarment"), else
    the noun phrase after the verb the question asks about ("What did Putin's essay question?" -> "the
    legitimacy of Ukraine's borders"). None when none of these is clear."""
    q = asking(question).lower().strip()
    if _NAMING.search(q) and (said := _quoted(sentence, asked)):
        return said  # "What did Medvedev call talks with Ukraine?" -> "meaningless", in the sentence's quotes
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
        names = kinds or ([] if sort_of else [s for s in fresh if not mostly_asked(s.text, asked)])
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
    # "What does Putin accuse the West of?": the answer follows the question's closing preposition.
    closing = found.group(1) if (found := _CLOSING.search(q)) else ""
    return next((p for v in verbs if (p := _after_verb(sentence, v, set(wanted), closing))), None)


def _quoted(sentence: str, asked: set[str]) -> Span | None:
    """The first short quoted phrase (one to four words) not mostly the question's own: a name given to it."""
    for m in _QUOTED.finditer(sentence):
        inner = m.group(1).strip(" ,.")
        if 1 <= len(inner.split()) <= 4 and not mostly_asked(inner, asked):
            begin = sentence.index(inner, m.start())
            return Span(begin, begin + len(inner), inner)
    return None


def _after_verb(sentence: str, verb: str, wanted: set[str], closing: str = "") -> Span | None:
    """The noun phrase after the last ``verb`` in ``sentence`` (and past the question's own words and its
    ``closing`` preposition, when it ends with one); None for a date, a clause or no phrase."""
    hits = [m for m in WORD.finditer(sentence) if stem(m.group(0)) == verb]
    if not hits:
        return None
    start, led = hits[-1].end(), False
    if closing and (past := re.match(rf"((?:\s+[\w’'-]+){{0,4}}?)\s+{closing}\b", sentence[start:])):
        if all(w.lower() in STOPWORDS or stem(w) in wanted for w in past.group(1).split()):
            start, led = start + past.end(), True  # "accused [the West] of": the question's object, its preposition
    while (opening := _OPENING_WORD.match(sentence, start)) and opening.group(1).lower() in _NOT_OPENING:
        start = opening.end()
    rest = sentence[start:]
    cut = _STOP_PHRASE.search(rest)
    phrase = rest[: cut.start() if cut else len(rest)].strip()
    tokens = phrase.split()
    # After the closing preposition a clause may answer ("of not respecting ..."), so no verbal test there.
    verbal = _verbal(tokens[0]) if tokens and not led else False
    if not 1 <= len(tokens) <= 8 or mostly_asked(phrase, wanted) or verbal or stem(tokens[0]) in wanted:
        return None  # no phrase, the question's own words ("use 1,600 mm" after a misparsed "lines"), or no noun yet
    if all(t.lower() in STOPWORDS for t in tokens):
        return None  # a pronoun ("called it"): nothing the reader did not know
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


# A question that ends with its preposition ("... the West of?") asks for what follows it.
_CLOSING = re.compile(r"\b(of|to|for|with|about|from|on|in|by|at|into|as)\s*\?\s*$")
# A what-question about what something is called: the name given is often quoted ("said it was “meaningless”").
_NAMING = re.compile(
    r"^what\b.*\b(?:call|calls|called|dub|dubbed|term|termed|label|labell?ed|brand|branded|describe)\b"
)
_QUOTED = re.compile(r"[“\"]([^“”\"]{1,60})[”\"]")
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


def mostly_asked(span_text: str, asked: set[str]) -> bool:
    """Are half or more of the span's words (by stem) the question's own? Then it restates, not answers."""
    tokens = [stem(t) for t in span_text.split()]
    return sum(t in asked for t in tokens) * 2 >= len(tokens)
