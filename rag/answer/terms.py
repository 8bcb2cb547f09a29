"""The words of a question an answer must account for, and whether a text holds them.

A question names things the way its writer does, a passage the way its reporter
does: "the US", "the U.S." and "America"; "the UMC" and "the United Methodist
Church"; "Indian" and "India". Matching stems alone counted such a name as
missing from the very passage that answers: 56 answerable fit-half xquad-en
questions had a specific term "missing" from their chosen passage (40 with the
keys below), news-dev 46 (33). The answer scorer (``rag.answer.answerability``)
then had to distrust its best evidence against a swapped-in name. So a text's keys
also hold what a name is called for short:

* a dotted acronym loses its dots ("U.S." -> "US") and a run of capitalised words
  gives its initials ("United Methodist Church" -> "UMC");
* short acronyms stay upper case, so the pronoun "us" never stands for "US";
* a capitalised word gives its *roots*, itself less a demonym ending ("American",
  "America" -> "americ"; "British", "Britain" -> "brit"), so a people and its
  country meet, while "Austria" and "Australia" share none;
* "America" and "Britain" stand for "US" and "UK" (``rag.answer.places.ALIASES``);
* numbers compare by value, spelled out or not ("4 primes", "four primes"), "%" is "percent"
  and "°C" is "Celsius";
* a name of six letters or more survives one slip of the pen ("Bedigo" is "Bendigo",
  "Ghandi" is "Gandhi", "Zelenskiy" is "Zelensky"), and two capitalised words also read
  as one ("Super Bowl" is "Superbowl");
* a text naming a US state (not Georgia, also a country) mentions the US;
* accents are not part of a key: "Cramér" is "Cramer", "Erdoğan" is "Erdogan".

Pure: strings in, keys out.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from itertools import chain

from rag.answer.lexicon import NUMBER_VALUES, STOPWORDS, WEEKDAYS
from rag.answer.numerals import is_numeral, is_ordinal, number_keys, value
from rag.answer.places import ALIASES, US_STATES
from rag.answer.text import WORD, fold, name_spans, stem

_POSSESSIVE = re.compile(r"['’]s$")
_DOTTED = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]\.?")
# Endings that turn a country or region into its people or adjective: America(n), Brit(ain|ish), Chin(a|ese).
_DEMONYM_ENDINGS = ("ians", "ans", "ian", "ean", "ese", "ish", "ain", "an", "ia", "i", "a", "e", "o", "y", "n")
_SHORTEST_ROOT = 4
# Acronyms this short are also common words ("US"/"us", "IT"/"it"): they only match in capitals.
_SHORT_ACRONYM = 3
_PARTICLES = frozenset("de da van von der al bin del la le of the and".split())
_SYMBOLS = {"%": "percent", "°C": "celsius", "°F": "fahrenheit"}
# Shorter names differ by one letter too often to forgive a slip: "Mark" and "Mask", "Iran" and "Iraq".
_SLIP_MIN = 6


@dataclass(frozen=True)
class Term:
    """A word of the question the answer must account for: its key, how it reads, and whether it is specific.

    ``acronym`` is what the passage may call it instead: the initials of the name it is part of
    ("States" in "United States" -> "US"), or the acronym of a country it names ("America" -> "US").
    """

    stem: str
    text: str
    specific: bool
    acronym: str = ""


@functools.lru_cache(maxsize=8192)
def question_terms(question: str) -> tuple[Term, ...]:
    """Content words of the question; names, numbers and dates (but not weekdays) are specific.

    Cached: the selector asks it of every name in every candidate sentence (is the name new?)."""
    spans = name_spans(question)
    named = {term_key(w) for s in spans for w in parts(s.text) if w.lower() not in STOPWORDS}
    acronym_of = {word: initials for s in spans if (initials := _initials(s.text)) for word in parts(s.text)}
    out, seen = [], set()
    for word in parts(question):
        if word.lower() in STOPWORDS or (len(plain(word)) < 2 and not word.isdigit()):
            continue  # "V&A's" leaves an "A's"
        key = term_key(word)
        if key in seen:
            continue
        seen.add(key)
        specific = (key in named or _is_acronym(word) or any(ch.isdigit() for ch in word)) and not (
            word.lower() in WEEKDAYS  # "sworn in Monday": the story may well say "Jan. 20"
            or is_ordinal(word)
        )
        alias = next((_ROOT_ACRONYMS[r] for r in roots(word) if r in _ROOT_ACRONYMS), "")
        out.append(Term(key, word, specific, acronym_of.get(word, "") or alias))
    return tuple(out)


@functools.lru_cache(maxsize=8192)
def text_keys(text: str) -> frozenset[str]:
    """Every key of ``text`` a term can be found by (module docstring). Cached: the selector and scorer key the same texts."""
    words = parts(text)
    keys = set(chain.from_iterable(map(_word_keys, words)))
    keys.update(number_keys(text))
    keys.update(stem(name) for symbol, name in _SYMBOLS.items() if symbol in text)
    keys.update(_KEY_ALIASES[k] for k in keys & _KEY_ALIASES.keys())  # "the USA" is "the US"
    if not _STATES.isdisjoint(words) or (
        not _STATE_FIRST_WORDS.isdisjoint(words) and not _STATES.isdisjoint(map(" ".join, zip(words, words[1:])))
    ):
        keys.add("US")  # "a US state" is answered by "Ohio", which papers seldom follow with "US"
    keys.update(chain.from_iterable(_name_keys(span.text) for span in name_spans(text)))
    return frozenset(keys)


@functools.lru_cache(maxsize=65536)
def _name_keys(name: str) -> tuple[str, ...]:
    """A name's extra keys: its initials, and each two capitalised words read as one ("Superbowl")."""
    run = name.split()
    joined = [stem(a + b) for a, b in zip(run, run[1:]) if a.isalpha() and b.isalpha()]
    return (initials, *joined) if (initials := _initials(name)) else tuple(joined)


@functools.lru_cache(maxsize=65536)
def _word_keys(word: str) -> tuple[str, ...]:
    """One word's keys (none for a function word): its own; a capitalised word's acronym form, roots, slips."""
    if word.lower() in STOPWORDS:
        return ()
    keys = [term_key(word)]
    if word[0].isupper():
        if _is_acronym(word):
            keys.append(stem(word.replace(".", "")))  # "NASA" is also "Nasa"
        found = roots(word)
        keys += ["~" + r for r in found]
        keys += [_ROOT_ACRONYMS[r] for r in found if r in _ROOT_ACRONYMS]
        keys += slips(word)
    return tuple(keys)


def holds(keys: AbstractSet[str], term: Term) -> bool:
    """Does a text with these ``text_keys`` mention the term, by its own form, its acronym or its root?"""
    if term.stem in keys or (term.acronym and term.acronym in keys):
        return True
    if not term.text[:1].isupper():
        return False
    return any("~" + r in keys for r in roots(term.text)) or not keys.isdisjoint(slips(term.text))


def literal(term: Term) -> bool:
    """Is the term found only as spelled (or by its name's initials, ``Term.acronym``): a word, not a
    figure, an acronym, a country alias, a demonym with a root, or a word with accents?

    Only then can a word search of an index show that no passage mentions it ("U.S." is also "the
    United States", "5,000" is "5000", "Russian" meets "Russia", "Erdoğan" may be spelled "Erdogan"
    there). A one-letter slip of a long name ("Gandhy") is still not found by a search for it."""
    word = plain(term.text)
    return not (
        fold(word) != word
        or any(ch.isdigit() for ch in word)
        or word.lower() in NUMBER_VALUES
        or _is_acronym(word)
        or term.stem in _KEY_ALIASES  # "Britain" is "UK"; the initials themselves are acronyms
        or len(roots(word)) > 1
    )


@functools.lru_cache(maxsize=65536)
def slips(word: str) -> tuple[str, ...]:
    """Keys two spellings of a long name share (a letter added, dropped, changed or swapped): the word and its
    one-letter deletions ("gandhi", "ghandi" share "gandi"); a tuple, which the garbage collector stops tracking."""
    low = fold(plain(word).lower())
    if not low.isalpha() or len(low) < _SLIP_MIN:
        return ()
    return tuple(dict.fromkeys(["?" + low, *("?" + low[:i] + low[i + 1 :] for i in range(len(low)))]))


@functools.lru_cache(maxsize=65536)
def roots(word: str) -> tuple[str, ...]:
    """A capitalised word less each demonym ending it has, keeping at least four letters."""
    low = fold(plain(word).lower())
    if not low.isalpha() or len(low) < _SHORTEST_ROOT:
        return ()
    cut = {low[: -len(e)] for e in _DEMONYM_ENDINGS if low.endswith(e) and len(low) - len(e) >= _SHORTEST_ROOT}
    return tuple(sorted(cut | {low}))


def plain(word: str) -> str:
    """The word without a possessive ending: "NATO's" -> "NATO"."""
    return _POSSESSIVE.sub("", word)


@functools.lru_cache(maxsize=65536)
def term_key(word: str) -> str:
    """Numbers compare by digits ('5,000' = '5000', 'four' = '4'), short acronyms by their capitals ('U.S.' = 'US'),
    words by stem without a possessive ('Belarus’s')."""
    if any(ch.isdigit() for ch in word):
        return re.sub(r"[^\d]", "", word)
    if is_numeral(word):  # "World War II" is "World War 2"
        return str(value(word))
    if word.lower() in NUMBER_VALUES:
        return str(NUMBER_VALUES[word.lower()])
    bare = plain(word)
    if _is_acronym(bare):
        letters = bare.replace(".", "")
        return letters.upper() if len(letters) <= _SHORT_ACRONYM else stem(letters)
    return stem(bare)


def _is_acronym(word: str) -> bool:
    bare = plain(word)
    return bool(_DOTTED.fullmatch(bare)) or (2 <= len(bare) <= 5 and bare.isalpha() and bare.isupper())


@functools.lru_cache(maxsize=65536)  # every name of every candidate, on every question
def _initials(name: str) -> str:
    """'United Methodist Church' -> 'UMC'; '' for a single word, which is its own key."""
    words = [w for w in name.replace("-", " ").split() if w.lower() not in _PARTICLES and w[:1].isupper()]
    if len(words) < 2 or any(_is_acronym(w) for w in words):
        return ""
    letters = fold("".join(w[0] for w in words)).upper()  # "Élysée Palace" is the "EP"
    return letters if len(letters) <= _SHORT_ACRONYM else stem(letters)


def parts(text: str) -> list[str]:
    """Words, with hyphenated compounds split: 'Biden-Putin' -> 'Biden', 'Putin' (a passage names them apart)."""
    if "-" not in text:  # most sentences: no compound to split, and WORD never matches an empty word
        return WORD.findall(text)
    return [part for w in WORD.findall(text) for part in (w.split("-") if "-" in w else (w,)) if part]


def _alias_acronyms() -> dict[str, str]:
    """Roots of the one-word country aliases whose full name has initials: 'americ(a)' -> 'US', 'brit' -> 'UK'."""
    out = {}
    for alias, full in ALIASES.items():
        initials = _initials(full)
        if initials and alias.isalpha() and not alias.isupper():
            out.update(dict.fromkeys((r for r in roots(alias) if r != alias.lower()), initials))
    return out


_ROOT_ACRONYMS = _alias_acronyms()
_STATES = US_STATES - {"Georgia"}  # also a country
_STATE_FIRST_WORDS = frozenset(s.split()[0] for s in _STATES if " " in s)  # "New": no bigrams without it
# Country aliases whose own key is not their full name's initials: "USA" -> "US", "Britain" -> "UK".
_KEY_ALIASES = {term_key(a): i for a, full in ALIASES.items() if (i := _initials(full)) and term_key(a) != i}
