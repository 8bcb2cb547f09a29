"""Which numbers in a sentence answer a question that asks for an amount. Pure.

"How many migrants ...?" is not answered by "two officials", nor "How much aid ...?" by a
year; "What is the new fee to climb Everest?" wants money ("$15,000"), not "340 people",
and "What percentage ...?" a share ("36%"). The amounts a sentence holds are
``rag.answer.text.count_spans``; this module keeps those that measure what was asked.
"""

from __future__ import annotations

import re

from rag.answer.lexicon import STOPWORDS
from rag.answer.qtypes import asking, measured
from rag.answer.text import Span, count_spans, stem


def asks_amount(question: str) -> bool:
    """Does the question ask "how many X", "how much X", or for a measure in a unit ("What is the fee ...?")?"""
    return bool(_HOW_MANY.match(asking(question))) or (measured(question) or "") in _UNIT_OF


def amounts(sentence: str, question: str) -> list[Span]:
    """The amounts in ``sentence`` that can answer the question: numbers that count nothing else, in the
    unit a measure asks for (money for a fee or a price, a share for a percentage)."""
    found = [s for s in count_spans(sentence) if not _counts_other(sentence, s, question)]
    unit = _UNIT_OF.get(measured(question) or "")
    return [s for s in found if unit(sentence, s)] if unit else found


def _money(sentence: str, amount: Span) -> bool:
    """ "$15,000", "US$ 2 million", "5 million dollars"."""
    return bool(
        _CURRENCY.search(sentence[max(0, amount.start - 2) : amount.start + 1])
        or _MONEY_AFTER.match(sentence, amount.end)
    )


def _share(sentence: str, amount: Span) -> bool:
    """ "36%", "20.8 percent", "12 per cent", or a fraction: "over half", "two-thirds"."""
    return (
        amount.text.endswith(("%", "percent", "per cent"))
        or bool(_SHARE_AFTER.match(sentence, amount.end))
        or bool(_FRACTION_WORD.search(amount.text))
    )


_HOW_MANY = re.compile(r"^\s*how (many|much)\s+((?:[\w’'-]+\s+){0,2}[\w’'-]+)", re.I)
# What a number counts: the words after it, past "of his" ("Three of his best-known works").
_COUNTED = re.compile(
    r"(?:-|\s+)(?:of\s+(?:the|his|her|their|its|our|these|those)\s+)?(?:([A-Za-z]+)-)?([A-Za-z]+)\b(?:\s+([A-Za-z]+)\b)?"
)
_CURRENCY = re.compile(r"[$£€¥₹]")
_CURRENCIES = "dollars cents euros pounds pence yen yuan rupees francs pesos rubles roubles".split()
_MONEY_AFTER = re.compile(
    r"\s*(?:(?:million|billion|trillion)\s+)?(?:dollar|cent|euro|" + "|".join(_CURRENCIES) + r")\b"
)
_FRACTION_WORD = re.compile(r"\b(?:half|thirds?|quarters?)\b", re.I)
_SHARE_AFTER = re.compile(r"\s*(?:%|per\s?cent\b|percent\b)")
_UNIT_OF = {
    **dict.fromkeys(("fee", "fees", "price", "prices", "cost", "costs", "salary", "wage", "fine", "budget"), _money),
    **dict.fromkeys(("percentage", "percent"), _share),
}


def _counts_other(sentence: str, number: Span, question: str) -> bool:
    """ "two officials" or "a 5,000-word essay" does not answer "how many migrants/tanks".

    "How much aid" is answered by an amount in units ("$2 billion", "ten times their weight",
    "5 million dollars"), so there a plural only counts something else when it is not a unit."""
    asked = _HOW_MANY.match(asking(question))
    after = _COUNTED.match(sentence, number.end)
    if not asked or not after:
        return False
    wanted = {stem(w) for w in asked.group(2).split() if w.lower() not in STOPWORDS}  # "copies of To": not "of"
    following = [w for w in after.groups() if w]
    if any(stem(w) in wanted for w in following):
        return False
    compound = sentence[number.end : number.end + 1] == "-"
    counted = [w for w in following if w.endswith("s") and not w.endswith("ss") and w.islower()]
    if asked.group(1).lower() == "much":
        counted = [w for w in counted if w not in _UNITS]
    return compound or bool(counted)


_UNITS = frozenset(
    _CURRENCIES
    + """won tons tonnes ounces grams kilograms kilos barrels gallons liters litres miles kilometers kilometres
    meters metres feet inches yards acres hectares times hours days weeks months years minutes seconds calories
    points degrees watts kilowatts megawatts gigawatts bytes megabytes gigabytes terabytes""".split()
)
