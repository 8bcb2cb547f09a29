"""What kind of answer a question asks for: a person, a place, a date, a number, or something else.

The type decides which spans can answer ("who" needs a name, "how many" a
number) and is a feature of both learned models. Questions name the kind they
want in two ways: by their first words ("Who ...?", "How many ...?", "When
...?") or by the noun after "which" / "what", often behind a few modifiers:
"Which California city ...?", "Which Marvel star ...?", "... over which
Ukrainian region?". Reading only "which city" left news-quiz questions like
those untyped, and their short answer could be a weekday. The first words are
those of the sentence that asks (``asking``): a news quiz often sets the scene
first. ``has_type`` asks the other way round whether a text holds anything of a
type. Pure: strings in, labels out.
"""

from __future__ import annotations

import functools
import re

from rag.answer.lexicon import AUXILIARIES, BE_FORMS, MONTHS, NUMBER_WORDS, STOPWORDS, WEEKDAYS
from rag.answer.text import count_spans, date_spans, dates_a_saying, person_spans, place_spans, words
from rag.text.sentences import sentences

#: The question types ``question_type`` tells apart (the scorer has one feature per type).
QTYPES = ("person", "place", "date", "number", "other")

PERSON_NOUNS = frozenset(
    """person man woman official leader singer artist actor actress golfer player
    politician author writer musician rapper athlete journalist scientist candidate billionaire ceo coach
    pope king queen prince princess senator judge governor minister president chancellor emperor star
    celebrity comedian composer poet philosopher footballer director founder explorer inventor""".split()
)
PLACE_NOUNS = frozenset(
    """city cities country countries nation nations state states region regions place province town
    island islands territory continent county capital village""".split()
)
_MODIFIERS = 2  # "Which popular tourist island"; not "Which US holiday takes place"
_OPENS = re.compile(r"\b(?:which|what)\s+", re.IGNORECASE)
_BREAKS = (STOPWORDS - {"other"}) | {"may", "might", "must", "type", "types", "kind", "kinds", "sort", "part"}
# "State" followed by these is something else: "state-run media", "the State of the Union".
_NOT_THE_NOUN = re.compile(
    r"\s*-?\s*(?:run|owned|media|department|dinner|of the union|visit|funeral|legislature)\b", re.IGNORECASE
)
_POSSESSIVE = re.compile(r"[’']s$")  # "which state’s law" asks for a state
_EDGES = ",.;:!?\"“”'’()"


@functools.lru_cache(maxsize=4096)
def asking(question: str) -> str:
    """The part of the question that asks, which the type, noun and verb are read from.

    A news quiz often sets the scene first: "A lunar lander touched down on the moon days ago. What was
    its name?" (42 of news-dev's 372 questions); the asking sentence may open with a clause ("During the
    playoffs, who did not throw?") or a preposition ("Around how much will it cost?")."""
    asked = (sentences(question) or [question])[-1]
    if not _WH_OPENING.match(asked) and (inner := _WH_AFTER.search(asked)):
        return asked[inner.start(1) :]
    return asked


def asked_noun(question: str) -> str | None:
    """The noun a which/what question asks for, lower-cased: "Which US state was ..." -> "state".

    Up to two modifiers may stand before it (capitalised or not, but no function word, so
    "What did Queen Elizabeth open?" asks for no queen and "What type of city" for no city)."""
    question = asking(question)
    for opening in _OPENS.finditer(question):
        at = opening.end()
        for n, token in enumerate(re.finditer(r"\S+", question[at:])):
            word = _POSSESSIVE.sub("", token.group(0).strip(_EDGES).lower())
            if word in PERSON_NOUNS or word in PLACE_NOUNS:
                if _NOT_THE_NOUN.match(question, at + token.end()):
                    break
                return word
            if word in _BREAKS or n == _MODIFIERS or token.group(0)[-1] in ",;:!?":
                break
    return None


# "must" and "shall" are not read as the inverted verb: read so, 9 of the dev sets' 3,230 questions change
# their asked verb, about as many for the worse ("What must a project adhere to?" -> "project") as the better.
_INVERTING = AUXILIARIES - {"must", "shall"}
_QUESTION_WORDS = frozenset("who whom whose what which where when how why".split())
_WH = r"(?:" + "|".join(sorted(_QUESTION_WORDS)) + r")\b"
_WH_OPENING = re.compile(_WH, re.IGNORECASE)
# A wh-word after a leading clause's comma, or after the opening preposition: where the asking starts.
_WH_AFTER = re.compile(
    r"^(?:[^,?]*,\s+|(?:around|about|in|on|at|into|from|for|by|during|since|until|till|before|after|to|of|with|under|between)\s+)("
    + _WH
    + ")",
    re.I,
)
_NOT_VERBS = frozenset("next new first last many much long old far often big large".split())


def asked_verb(question: str) -> str | None:
    """The verb of what the question asks happened, as written: "Who will represent Ukraine ...?" ->
    "represent", "How did Poland respond ...?" -> "respond", "Where will the summit be held?" -> "held",
    "Which Russian general commands ...?" -> "commands"; None for "Who is X?".

    No tagger ships offline, so the verb is found by position: after the auxiliary and its subject (whose
    capitalised, possessive and function words are skipped), or right after the question word and its noun.
    It is wrong now and then ("Who has the record ...?" -> "record")."""
    ws = words(asking(question))
    low = [w.lower() for w in ws]
    opening = next((i for i, w in enumerate(low) if w in _QUESTION_WORDS), None)
    if opening is None:
        return None
    aux = next((t for t in range(opening + 1, min(opening + 5, len(ws))) if low[t] in _INVERTING), None)
    if aux is None:  # the question word (and its noun) is the subject: "Who warned", "Which general commands"
        t = opening + 1
        while t < len(ws) and (ws[t][0].isupper() or low[t] in _NOT_VERBS):
            t += 1
        t += 1 if low[opening] in ("which", "what") and t < len(ws) and low[t] not in STOPWORDS else 0
        return ws[t] if t < len(ws) and low[t] not in STOPWORDS and not ws[t][0].isupper() else None
    passive = next((t for t in range(aux + 1, len(ws) - 1) if low[t] == "be"), None)
    if passive is not None:
        return ws[passive + 1]
    for t in range(aux + 1, min(aux + 8, len(ws))):
        w = low[t]
        if ws[t][0].isupper() or w in STOPWORDS or w in _NOT_VERBS or w.endswith(("'s", "’s")) or w.isdigit():
            continue
        if low[aux] in BE_FORMS and not w.endswith(("ing", "ed", "en")):
            continue  # "Who is Jake Sullivan's counterpart?" asks for no verb
        return ws[t]
    return None


def measured(question: str) -> str | None:
    """The measure a question asks for, answered by a figure: "What is the new fee to climb Everest?" ->
    "fee", "What was Warsaw's population in 1901?" -> "population", "What percentage ...?"; else None."""
    found = _MEASURE.match(asking(question).lower().strip())
    return (found.group(1) or found.group(2)) if found else None


_MEASURE = re.compile(
    r"^what (?:(percentage|percent)\b|(?:is|was|are|were|will be) (?:the |an? |[\w.]+[’']s )?(?:[\w-]+ ){0,2}?"
    r"(fees?|prices?|costs?|population|salary|wage|fine|budget|temperature|percentage|share|rate|age)"
    r"(?: of| for| to| in| at| on|\?|$))"
)


def question_type(question: str) -> str:
    q = asking(question).lower().strip()
    if re.match(r"^(who|whom|whose)\b", q):
        return "person"
    if re.match(r"^(how (many|much|long|old|far|big|large|tall|high)|what (number|amount))\b", q) or measured(q):
        return "number"
    if re.match(r"^(when|what (year|date|day|month|time))\b", q) or re.search(r"\bin what year\b", q):
        return "date"
    if re.match(r"^where\b", q):
        return "place"
    noun = asked_noun(question)
    return "person" if noun in PERSON_NOUNS else "place" if noun in PLACE_NOUNS else "other"


def has_type(text: str, qtype: str, question: str = "") -> bool:
    """Does ``text`` hold something of the kind the question asks for?

    For "when" that is a date of something other than a saying (see ``event_dates``)."""
    if qtype == "date" and question:
        for span in reversed(date_spans(text)):
            if dates_a_saying(text, span, question):
                text = text[: span.start] + " " * len(span.text) + text[span.end :]
    low = text.lower()
    if qtype == "number":
        return bool(count_spans(text)) or any(w in NUMBER_WORDS for w in re.findall(r"[a-z]+", low))
    if qtype == "date":
        tokens = set(re.findall(r"[a-z]+", low))
        return bool(tokens & set(MONTHS + WEEKDAYS) or "yesterday" in tokens or date_spans(text))
    if qtype == "person":
        return bool(person_spans(text))
    if qtype == "place":
        return bool(place_spans(text))
    return True
