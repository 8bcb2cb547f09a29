"""A question restated as the clause of a statement: "Who will lead the delegation?" -> "who will lead the delegation".

The partial answer says what the articles don't say ("The articles don't say who will
lead the delegation."), which reads better than "what the question asks" when the
question can be restated without guessing. Only two shapes can, word for word:

- the question word (or its phrase: "which European leader", "how many people") is
  the subject, so the words are already in a statement's order: "Who warned Russia?",
  "How many people were killed in ...?", "Which company has agreed to ...?";
- "who" or "what" with a form of "be" and a noun phrase: "Who is NATO's secretary
  general?".

Everything else inverts its subject ("What did Xi Jinping say ...?", "When will the
meeting take place?"): restating it needs the subject's extent and the verb's tense,
which word lists cannot know, so ``indirect`` returns None and the caller keeps its
general wording. Pure: a string in, a string (or None) out.
"""

from __future__ import annotations

import re

from rag.answer.lexicon import AUXILIARIES, BE_FORMS, DO_FORMS

_SUBJECT_WORDS = frozenset({"who", "what", "which", "whose", "how"})
_AMOUNTS = frozenset({"many", "much"})  # "how many people ...": any other "how" asks how, never a subject
_PRONOUNS = frozenset("i you he she it we they there".split())  # "how many are there"
_DETERMINERS = frozenset("the a an this that these those his her its their our my your".split())
# A verb form after the noun phrase: "Who is the leader chosen by ...?" inverts, "Who is the new leader?" need not.
_PARTICIPLE = re.compile(r"[a-z]+(?:ed|en|ing)$")
_IRREGULAR = frozenset(
    """held born built made known given taken found shown sold won written seen done told said led sent spent brought
    bought caught taught thought chosen driven fallen hidden spoken stolen sworn thrown worn begun run sung become come
    gone lost paid laid meant met kept left felt struck hung shot fought sought put set cut hit let shut quit cast cost
    split spread beaten broken frozen""".split()
)
_END = re.compile(r"\s*\?+([”\"’']*)\s*$")
# "Elon Musk's X was hit ... . What year did ...?": a quiz's preamble; "U.S." is not a sentence end.
_SENTENCE_END = re.compile(r"(?<![A-Z])[.!?]\s+\S")


def indirect(question: str) -> str | None:
    """``question`` as a clause ("who warned Russia"), or None when its words would need reordering."""
    text = _END.sub(r"\1", " ".join(question.split()))  # 'Who wrote “Dune?”' -> 'Who wrote “Dune”'
    tokens = text.split()
    if len(tokens) < 2 or _SENTENCE_END.search(text) or "of the following" in text.lower():
        return None
    first = tokens[0].lower()
    if first not in _SUBJECT_WORDS or (first == "how" and tokens[1].lower() not in _AMOUNTS):
        return None
    clause = text[0].lower() + text[1:]
    # The first auxiliary, however long the question word's phrase: "Whose translation of the Bible did ...".
    at = next((i for i in range(1, len(tokens)) if tokens[i].lower() in AUXILIARIES), None)
    if at is None:
        return clause  # "Which European leader called Putin": the phrase's own verb follows it
    aux, rest = tokens[at].lower(), [t for t in tokens[at + 1 :] if t.lower() not in ("not", "n't")]
    if aux in DO_FORMS or not rest:
        return None  # "What did Xi Jinping say": the subject sits between "did" and the verb
    nxt = rest[0]
    if not _opens_noun_phrase(nxt):
        return clause  # "Who will lead", "How many people were killed": the verb group is the subject's
    copula_only = aux in BE_FORMS and first in ("who", "what") and at == 1 and nxt.lower() not in _PRONOUNS
    if copula_only and not any(_is_verb_form(t) for t in rest[1:]):
        return clause  # "who is NATO's secretary general"
    return None


def _opens_noun_phrase(word: str) -> bool:
    return word[:1].isupper() or word[:1].isdigit() or word.lower() in _DETERMINERS | _PRONOUNS


def _is_verb_form(word: str) -> bool:
    bare = word.strip(",;:\"'“”‘’()")
    return bare.islower() and (bool(_PARTICIPLE.fullmatch(bare)) or bare in _IRREGULAR)
