"""When a sentence the scorer would accept still does not answer: rules over its words and the question's.

The scorer learns how well a sentence covers what the question asks for. Six ways
an on-topic sentence covers the words and still answers nothing are plain in the
wording, and rare enough that no feature learns them from the dev sets:

- it says the asked detail is not known: "No meeting date has been set" for "When
  will the meeting take place?";
- the person asked about is in it, but someone else is speaking: "What did Zelensky
  say in response to Medvedev's article?" met by "Medvedev said ... remarks about
  Zelensky";
- the question asks what is to come and the sentence tells what happened, with the
  asked verb in the past and nothing about the future: "Where will Burns travel next
  month?" met by "Burns traveled to Moscow earlier this month";
- the sentence has another name, number or ordinal where the question has one
  (``rag.answer.slots``): "Who is Jake Sullivan's Ukrainian counterpart?" met by "his
  Russian counterpart, Nikolai Patrushev";
- the question asks for one end of a ranking and the sentence ranks only at the other
  (``rag.answer.opposites.opposite_rank``): "Who had the least sacks?" met by "Short led
  the team in sacks";
- the question asks in what year, and the sentence has no year: "In what year was the
  University of Chicago Press founded?" met by "The university also operates the
  University of Chicago Press". ("When" is left to the scorer: "when the immune system
  is less active" answers "When does immunodeficiency occur?".)

Then the answer takes the partial form, with the rule's reason. Pure: strings in, a reason out.
"""

from __future__ import annotations

import re

from rag.answer.lexicon import STOPWORDS
from rag.answer.opposites import opposite_rank
from rag.answer.qtypes import asking, question_type
from rag.answer.slots import slot_conflict
from rag.answer.terms import plain
from rag.answer.text import content_stems, stem, words

NOT_KNOWN = "the closest sentence says this is not known"
OTHER_SPEAKER = "the closest sentence has someone other than the person asked about speaking"
PAST = "the closest sentence tells what already happened; the question asks what is to come"
OTHER_NAME = "the closest sentence has {filler} where the question has {asked}"
NO_YEAR = "the closest sentence gives no year"
OTHER_END = "the closest sentence has {found} where the question asks for the {asked}"

_ASKS_YEAR = re.compile(r"^\s*(?:in\s+)?(?:what|which)\s+year\b", re.IGNORECASE)
_YEAR = re.compile(r"(?<![\d,.])\d{3,4}s?\b(?![,.]\d)")  # not the "000" of "a 5,000-word essay"

# "No meeting date has been set", "did not say how many", "it was not immediately clear".
_NOT_KNOWN = re.compile(
    r"\b(?:no\s+(?:\w+\s+){0,2}(?:has|have)\s+(?:yet\s+)?been\s+(?:set|announced|scheduled|decided|disclosed|released|made)"
    r"|(?:has|have)\s+(?:not|yet\s+to)\s+(?:yet\s+)?(?:been|be)\s+(?:set|announced|scheduled|decided|disclosed|released|made\s+public)"
    r"|(?:did|does|do|would)\s+not\s+(?:say|specify|disclose|reveal|elaborate)"
    r"|declined\s+to\s+(?:say|specify|disclose|reveal|elaborate|comment)"
    r"|(?:is|was|remains|remained)\s+(?:unclear|unknown|not\s+(?:yet\s+|immediately\s+)?(?:clear|known))"
    r"|remains\s+to\s+be\s+seen)\b",
    re.IGNORECASE,
)
_CLAUSE_MARKS = (",", ";", ":", "—", "(", ")")
# What a clause says is not known, by its noun: "No meeting date has been set" leaves "Where did they meet?" open.
_UNKNOWN_KIND = {
    **dict.fromkeys(("date", "dates", "time", "timing", "day"), "date"),
    **dict.fromkeys(("place", "venue", "location"), "place"),
    **dict.fromkeys(("number", "toll", "figure", "amount", "cost"), "number"),
    **dict.fromkeys(("name", "names", "identity"), "person"),
}

_ASKS_SAYING = re.compile(
    r"^\s*what\s+(?:did|does|do|has|have|had)\s+(?P<who>.+?)\s+"
    r"(?:say|said|tell|told|announce|write|tweet|post|claim|warn|reveal|propose|suggest|argue)\b",
    re.IGNORECASE,
)
# The asked person speaks when named up to this many words before one of these ("Zelensky, in a video
# address, said"), or right after one of the verbs that take the speaker after them ("“…,” said Zelensky").
_SPEECH = frozenset(
    """said says say told tells announced wrote writes tweeted posted claimed warned revealed added stated
    proposed suggested argued insisted asked called urged accused replied responded""".split()
)
_SPEAKER_AFTER = frozenset("said says added wrote continued explained".split())
_BEFORE, _AFTER = 10, 3

_ASKS_FUTURE = re.compile(r"\b(?:will|’ll|'ll|next|upcoming|going to)\b", re.IGNORECASE)
_TELLS_FUTURE = re.compile(
    r"\b(?:will|would|’ll|'ll|next|upcoming|plans?|planned|planning|expected|expects?|scheduled|set to|to be"
    r"|later|coming|intends?|aims?|going to|soon|future|tomorrow)\b",
    re.IGNORECASE,
)


def mismatch(sentence: str, question: str) -> str:
    """Why ``sentence`` does not answer ``question`` though it may cover its words; "" when no rule says so."""
    if says_not_known(sentence, question):
        return NOT_KNOWN
    if other_speaker(sentence, question):
        return OTHER_SPEAKER
    if told_as_past(sentence, question):
        return PAST
    if conflict := slot_conflict(question, sentence):
        return OTHER_NAME.format(asked=conflict[0], filler=conflict[1])
    if ends := opposite_rank(question, sentence):
        return OTHER_END.format(asked=ends[0], found=ends[1])
    if _ASKS_YEAR.match(asking(question)) and not _YEAR.search(sentence):
        return NO_YEAR
    return ""


def says_not_known(sentence: str, question: str) -> bool:
    """Does a clause of the sentence say that something the question asks about is not known?

    "No meeting date has been set, he said, which follows an in-person summit in Geneva" says so for
    "When will the meeting take place?", not for "Where was the in-person summit?", nor for "Where did
    they meet in June?": a date is not known, and a place is asked."""
    asked, kind = set(content_stems(question)), question_type(question)
    for match in _NOT_KNOWN.finditer(sentence):
        start = max(sentence.rfind(mark, 0, match.start()) for mark in _CLAUSE_MARKS) + 1
        ends = [i for i in (sentence.find(mark, match.end()) for mark in _CLAUSE_MARKS) if i >= 0]
        clause = sentence[start : min(ends, default=len(sentence))]
        unknown = {_UNKNOWN_KIND[w.lower()] for w in words(clause) if w.lower() in _UNKNOWN_KIND}
        if unknown and kind != "other" and kind not in unknown:
            continue  # another detail is unknown than the one asked
        if asked & set(content_stems(clause)):
            return True
    return False


def other_speaker(sentence: str, question: str) -> bool:
    """ "What did X say ...?": X is named and somebody speaks, but X is never the one speaking."""
    asked = _ASKS_SAYING.match(asking(question))
    if not asked:
        return False
    names = {_key(w) for w in words(asked.group("who")) if w[:1].isupper()}
    said = words(sentence)
    named = [i for i, w in enumerate(said) if _key(w) in names]
    verbs = [i for i, w in enumerate(said) if w.lower() in _SPEECH]
    if not named or not verbs:
        return False  # a missing name is the scorer's to weigh; no one speaking is no other speaker
    after = [i for i, w in enumerate(said) if w.lower() in _SPEAKER_AFTER]
    speaks = any(0 < v - n <= _BEFORE for v in verbs for n in named) or any(
        0 < n - v <= _AFTER for v in after for n in named
    )
    return not speaks


def told_as_past(sentence: str, question: str) -> bool:
    """The question asks what will happen; the sentence has the asked verb in the past and no word of the future."""
    if not _ASKS_FUTURE.search(asking(question)) or _TELLS_FUTURE.search(sentence):
        return False
    asked = {stem(w): w.lower() for w in words(question) if w.lower() not in STOPWORDS}
    return any(
        w.lower().endswith("ed") and stem(w) in asked and not asked[stem(w)].endswith("ed") for w in words(sentence)
    )


def _key(word: str) -> str:
    return stem(plain(word))
