"""Does the sentence put something else where the question names a thing? Pure.

"Who was elected khan of the Merkits in 1186?" is not answered by "In 1186,
Temüjin was elected khan of the Mongols.", though the passage names the Merkits
elsewhere and every other word matches: the sentence fills the question's slot
("khan of the ___") with another name. SQuAD 2.0's unanswerable questions are
often made this way (a name, number or ordinal swapped for another the
paragraph holds), and a check by passage misses them. So: for each name,
number or ordinal of the question that the sentence lacks, take its nearest
content word in the question; where the sentence has that word, look at the
same side of it, past as many function words. A different name, number or
ordinal there, one the question does not have, is a conflict ("German chemist"
against "Scottish chemist", "the second variant" against "the first variant").
Not a conflict: another word of the same name ("President Joe Biden" where the
question asks of "President Jimmy Carter" and the sentence has "Carter"), a word
that is part of a name only in the sentence ("News Group Newspapers" for "which
UK newspaper"), or a spelling one letter off ("The Mask of Anarchy").
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet

from rag.answer.lexicon import NUMBER_VALUES, STOPWORDS
from rag.answer.numerals import is_ordinal
from rag.answer.terms import holds, question_terms, term_key, text_keys
from rag.answer.text import name_spans, stem

# Words, and the marks that end a phrase: a comma between two words means no slot joins them; one between
# digits groups them ("20,000 troops" is one number, not "20" and "000").
_TOKEN = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|[\w’'.-]*\w|[,;:()“”\"—–]")
_ORDINALS = frozenset("first second third fourth fifth sixth seventh eighth ninth tenth last".split())
# A name may open with a lower-case particle: "the work of al-Maridini", "Ibn al-Wafid".
_PARTICLE_NAME = re.compile(r"(?:al|el|ad|ar|as|at|az|an|ash|ibn|bin|ben|de|di|da|van|von)-[A-Z]")
# How many function words may stand between a name and the word it is read by ("khan of the Merkits").
_GAP = 2


def slot_conflict(question: str, sentence: str) -> tuple[str, str] | None:
    """The first of the question's names, numbers and ordinals that the sentence lacks and fills with another,
    with that other ("Merkits", "Mongols"); None when there is none."""
    keys = text_keys(sentence)
    q_tokens, s_tokens = _tokens(question), _tokens(sentence)
    s_stems = [stem(t) for t in s_tokens]
    asked = {stem(t) for t in q_tokens} | {term_key(t) for t in q_tokens}
    wanted = _lacking(question, q_tokens, keys)
    for at, token in enumerate(q_tokens):
        if token not in wanted or not _word(token):
            continue
        kind = _kind(token)
        for step in (-1, 1):  # the content word before the name, then the one after it
            near, between = _nearest(q_tokens, at, step)
            if near is None:
                continue
            for s_at in (i for i, s in enumerate(s_stems) if s == stem(q_tokens[near])):
                if s_tokens[s_at][:1].isupper() and not q_tokens[near][:1].isupper() and s_at:
                    continue  # "newspaper" against "News Group Newspapers": part of a name there, no slot
                filler = _filler(s_tokens, s_at, -step, between)
                if (
                    filler
                    and _kind(filler) == kind
                    and stem(filler) not in asked
                    and term_key(filler) not in asked
                    and not (kind == "name" and _one_letter_apart(token, filler))  # "The Mark of Anarchy" misspells
                    # "The Mask ...", but 1973 is not a slip of 1974
                ):
                    return token, filler
    return None


def _lacking(question: str, q_tokens: list[str], keys: AbstractSet[str]) -> set[str]:
    """The question's names, numbers and ordinals the sentence (by its ``keys``) does not have.

    A capitalised word counts as a name even where the question's opening hides it ("Which German ...?"),
    but not as its first word ("Low doses ...?"), and not when the sentence has another word of its name
    ("Jimmy Carter" is there as "Carter")."""
    first = q_tokens[0] if q_tokens else ""
    partly = {
        w for name in _names(question) if any(holds(keys, t) for t in question_terms(" ".join(name))) for w in name
    }
    wanted = {
        t.text
        for t in question_terms(question)
        if (t.specific or (t.text[:1].isupper() and t.text != first)) and not holds(keys, t) and t.text not in partly
    }
    return wanted | {t for t in q_tokens if _kind(t) in ("ordinal", "number") and term_key(t) not in keys}


def _names(question: str) -> list[list[str]]:
    """The question's names, word by word, a possessive ending one ("Jake Sullivan's Ukrainian" is two)."""
    out: list[list[str]] = []
    for span in name_spans(question):
        out.append([])
        for word in span.text.split():
            out[-1].append(word)
            if word.endswith(("'s", "’s")):
                out.append([])
    return [name for name in out if name]


def _one_letter_apart(a: str, b: str) -> bool:
    a, b = a.lower(), b.lower()
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b)) == 1


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _word(token: str) -> bool:
    return token[:1].isalnum()


def _nearest(tokens: list[str], at: int, step: int) -> tuple[int | None, tuple[str, ...]]:
    """The nearest content word from ``at`` in direction ``step``, and the function words between, in order."""
    between: list[str] = []
    i = at + step
    while 0 <= i < len(tokens) and len(between) <= _GAP and _word(tokens[i]):
        if tokens[i].lower() not in STOPWORDS:
            return i, tuple(between)
        between.append(tokens[i].lower())
        i += step
    return None, ()


def _filler(tokens: list[str], at: int, step: int, between: tuple[str, ...]) -> str | None:
    """The word the sentence has where the question's name stands: from ``at``, past the same function
    words the question has between them ("khan of the ___"), else None (the sentence reads it another way)."""
    i = _past_aside(tokens, at + step, step)
    for word in reversed(between):  # ``between`` runs from the name towards the word it is read by
        if not (0 <= i < len(tokens)) or tokens[i].lower() != word:
            return None
        i = _past_aside(tokens, i + step, step)
    if 0 <= i < len(tokens) and _word(tokens[i]) and tokens[i].lower() not in STOPWORDS:
        return tokens[i]
    return None


def _past_aside(tokens: list[str], at: int, step: int) -> int:
    """``at``, or past the bracketed aside that opens there: "its 209-acre (85 ha) main campus" reads as
    "its 209-acre main campus"."""
    opening, closing = ("(", ")") if step > 0 else (")", "(")
    if not (0 <= at < len(tokens)) or tokens[at] != opening:
        return at
    i = at + step
    while 0 <= i < len(tokens) and tokens[i] != closing:
        i += step
    return i + step


def _kind(token: str) -> str:
    """A name, a number or an ordinal ("" for anything else): only a filler of the same kind conflicts."""
    if is_ordinal(token) or token.lower() in _ORDINALS:
        return "ordinal"
    if any(ch.isdigit() for ch in token) or token.lower() in NUMBER_VALUES:
        return "number"
    return "name" if token[:1].isupper() or _PARTICLE_NAME.match(token) else ""
