"""Opposites: a question asking for "the smallest" is not answered by a passage about "the largest",
nor "Who was not the winner?" by a sentence naming the winner.

Swapping a word for its opposite is one of the commonest ways a question goes
unanswered by an on-topic passage (SQuAD 2.0 builds a share of its unanswerable
questions that way), and no embedding tells the two apart: "smallest state" and
"largest state" sit close in any sentence space. So the answerability scorer
(``rag.answer.answerability``) asks, by word list, whether the passage uses the
opposite of a word of the question and never the word itself, and whether a
negative question ("not", "never", "n't") meets a sentence that negates nothing
(SQuAD 2.0 builds another share that way). A question asking for the least of
something is not answered by a sentence ranking at the top by another word ("the
least nominations" met by "a leading 10 nominations", ``opposite_rank``): the
answerer then takes the partial form (``rag.answer.mismatch``). Pure.
"""

from __future__ import annotations

import re

from rag.answer.text import stem

# Words whose opposite answers a different question: "the smallest state" is not "the largest state".
_OPPOSITE_PAIRS = """largest smallest biggest smallest larger smaller bigger smaller first last before after most least
    more less highest lowest higher lower increase decrease increased decreased won lost win lose earliest latest
    oldest newest oldest youngest older younger longest shortest longer shorter north south east west northern
    southern eastern western rise fall rose fell opened closed supported opposed approved rejected banned allowed
    gained lost top bottom maximum minimum start end began ended hired fired above below upper lower best worst
    better worse strongest weakest fastest slowest richest poorest hottest coldest major minor majority minority
    imported exported buy sell bought sold accepted refused arrived departed heaviest lightest deepest shallowest
    succeeded failed victory defeat legal illegal public private positive negative inside outside
    large small big small high low long short early late young old strong weak fast slow quickly slowly rich poor
    hot cold heavy light deep shallow good bad
    win lost won lose winner loser winner lost winner lose winning losing victory lost victory lose
    before following""".split()


def _opposites() -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for a, b in zip(_OPPOSITE_PAIRS[::2], _OPPOSITE_PAIRS[1::2]):
        out.setdefault(stem(a), set()).add(stem(b))
        out.setdefault(stem(b), set()).add(stem(a))
    return {k: frozenset(v) for k, v in out.items()}


OPPOSITES = _opposites()


def asks_opposite(question: str, text: str) -> float:
    """1 when the question asks with a word ``text`` never uses while it uses the opposite ("smallest"/"largest"),
    or uses it only negated by "non-" ("Which Marxist theorists ...?" against "non-Marxist writers").

    Words are split at hyphens: "the second-largest exporter" uses "largest". The word after "how" measures
    rather than contrasts: "How long was the delay?" is answered by "a short delay of five minutes"."""
    present = {stem(w) for w in _LETTERS.findall(_NON.sub(" ", text))}
    negated = {stem(w) for w in _NON.findall(text)}
    asked = {stem(w) for w in _LETTERS.findall(_HOW.sub(" ", question))}
    # A question naming both ("Is the focus high or low?") asks which one holds: the passage's is the answer.
    return (
        1.0
        if any(a not in present and ((OPPOSITES.get(a, frozenset()) & present) - asked or a in negated) for a in asked)
        else 0.0
    )


_LETTERS = re.compile(r"[A-Za-z]+")
_NON = re.compile(r"\bnon-([A-Za-z]+)", re.IGNORECASE)
_HOW = re.compile(r"\bhow\s+[A-Za-z]+", re.IGNORECASE)


NEGATION = re.compile(r"\b(?:not|cannot|never|no|none|neither|nor|without)\b|n['’]t\b", re.IGNORECASE)


# A sentence also negates by a verb or a preposition: "is unable to legislate", "which lack tentacles",
# "all the major cities with the exceptions of Novgorod and Pskov" answer negative questions.
_NEGATES = re.compile(
    rf"{NEGATION.pattern}|\b(?:unable|lack(?:s|ed|ing)?|except|exceptions?|excluding|fail(?:s|ed)?|refused?"
    r"|nobody|nothing|nowhere|absent)\b",
    re.IGNORECASE,
)


def negation_unmet(question: str, sentence: str) -> float:
    """1 when the question is negative ("Who was not the first ...?") and the sentence negates nothing."""
    return 1.0 if NEGATION.search(question) and not _NEGATES.search(sentence) else 0.0


# Words that rank at one end. A question asking for one end meets a sentence ranking only at the other: "Who
# had the least sacks?" against "Short led the team in sacks", "the smallest event" against "the most
# prestigious event". Word pairs (``OPPOSITES``) miss these: "least" and "led" are no pair. "Led" ranks in
# a sentence only: "Who led the attack?" asks for no rank.
_TOP = frozenset(stem(w) for w in "most largest biggest highest longest greatest maximum best".split())
_BOTTOM = frozenset(stem(w) for w in "least fewest smallest lowest shortest minimum worst".split())
_TOP_FOUND = _TOP | {stem("led"), stem("leading")}
# Not a rank: "at least 58 cases", "at most", "most of the votes"; "how long" measures (see ``asks_opposite``).
_NO_RANK = re.compile(rf"\bat\s+(?:least|most)\b|\bmost\s+of\b|{_HOW.pattern}", re.IGNORECASE)


def opposite_rank(question: str, sentence: str) -> tuple[str, str] | None:
    """(asked, found) when the question asks for one end of a ranking and the sentence ranks only at the other."""
    asked, found = _ranks(question, _TOP | _BOTTOM), _ranks(sentence, _TOP_FOUND | _BOTTOM)
    for want, other in ((_BOTTOM, _TOP_FOUND), (_TOP, _BOTTOM)):
        wanted = [w for s, w in asked.items() if s in want]
        there = [w for s, w in found.items() if s in other]
        if wanted and there and want.isdisjoint(found) and other.isdisjoint(asked):
            return wanted[0], there[0]
    return None


def _ranks(text: str, ranking: frozenset[str]) -> dict[str, str]:
    """Each ranking word's stem, with the word as written."""
    return {stem(w): w for w in _LETTERS.findall(_NO_RANK.sub(" ", text)) if stem(w) in ranking}
