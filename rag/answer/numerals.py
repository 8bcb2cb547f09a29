"""How a text writes its numbers: figures ("5,000"), ordinals and decades ("15th", "80s"), Roman numerals.

The keys of ``rag.answer.terms`` compare numbers by value, and a Roman numeral's key is its value: a
question writes "grade 1" where the listing says "grade I", a passage "World War 2" where the question
asks about "World War II". Only numerals up to 39 (I to XXXIX) are read: past them the letters C, L,
D and M spell acronyms ("CD", "CV", "XL") more often than numbers. A one-letter numeral (I, V, X) is a
number only after a word that takes one ("grade I", "World War I", "Phase V"): alone it is the pronoun
"I", a letter or a name ("X", formerly Twitter). Pure: strings in, values out.
"""

from __future__ import annotations

import re

DIGITS = re.compile(r"\d[\d,.]*")  # a figure as written: "5,000", "3.5"
_ORDINAL_END = re.compile(r"(?:st|nd|rd|th|s|['’]s)\b")  # "15th", "80s", "70's": told in years ("1455", "1981")
_NUMERAL = re.compile(r"\b(?=[IVX])X{0,3}(?:IX|IV|V?I{0,3})\b")
# Words a one-letter numeral may follow, lower case: what is counted in grades, wars, phases, parts.
_TAKES_NUMBER = frozenset(
    """grade class phase type category war chapter part title stage level tier division volume act article
    section round schedule book series mark mk model version league""".split()
)
_WINDOW = 2 + max(map(len, _TAKES_NUMBER))  # the word, a comma and a space
_VALUES = {"I": 1, "V": 5, "X": 10}


def value(numeral: str) -> int:
    """'XIV' -> 14: each letter's value, less when a smaller one stands before a larger."""
    total = 0
    for letter, after in zip(numeral, [*numeral[1:], ""]):
        v = _VALUES[letter]
        total += -v if after and _VALUES[after] > v else v
    return total


def numeral_values(text: str) -> list[int]:
    """The values of the Roman numerals ``text`` uses as numbers (module docstring)."""
    out = []
    for m in _NUMERAL.finditer(text):
        numeral = m.group(0)
        if not numeral:
            continue  # every part of the pattern is optional: "XLIX" and "IIII" match empty at their start
        if len(numeral) == 1:
            # The word before, from a window no longer than any such word: not the whole prefix per match.
            before = text[max(0, m.start() - _WINDOW) : m.start()].split()[-1:]
            if not before or before[0].lower().strip(",") not in _TAKES_NUMBER:
                continue
        out.append(value(numeral))
    return out


def is_numeral(word: str) -> bool:
    """Is the word a Roman numeral of two letters or more ('II', 'XIV'): a number wherever it stands?"""
    return len(word) >= 2 and bool(_NUMERAL.fullmatch(word))


def number_keys(text: str) -> list[str]:
    """Every number of ``text`` by its digits: its figures ("5,000" -> "5000") and its Roman numerals ("II" -> "2")."""
    return [re.sub(r"[^\d]", "", m) for m in DIGITS.findall(text)] + [str(v) for v in numeral_values(text)]


def is_ordinal(word: str) -> bool:
    """An ordinal or a decade ("15th", "80s"): no figure a passage must restate."""
    digits = re.match(r"\d+", word)
    return bool(digits and _ORDINAL_END.fullmatch(word, digits.end()))


def figures(text: str) -> list[str]:
    """The figures of ``text`` as written ("5,000", "3.5"), less ordinals and decades (``is_ordinal``)."""
    return [m.group(0) for m in DIGITS.finditer(text) if not _ORDINAL_END.match(text, m.end())]
