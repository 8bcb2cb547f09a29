"""Word lists the answerer's rules read: stopwords, calendar words, number words, roles and place cues.

Data only, kept apart from the rules in ``rag.answer.text`` so that each stays small to read.
"""

from __future__ import annotations

STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had
    has have having he her here hers herself him himself his how i if in into is it its itself just
    me more most my myself no nor not now of off on once only or other our ours ourselves out over
    own same she should so some such than that the their theirs them themselves then there these
    they this those through to too under until up very was we were what when where which while who
    whom why will with would you your yours yourself yourselves according also said says say tell
    told did does many much whose name named one s t""".split()
)

MONTHS = (
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
).split()
WEEKDAYS = "monday tuesday wednesday thursday friday saturday sunday".split()
_UNITS = (
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen"
).split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
#: Spelled-out numbers and their values: "four" is 4, "twenty" is 20.
NUMBER_VALUES = (
    {w: n for n, w in enumerate(_UNITS, start=1)}
    | {w: n * 10 for n, w in enumerate(_TENS, start=2)}
    | {"dozen": 12, "hundred": 100, "thousand": 1000}  # "almost a hundred years" is "100 years"
)
NUMBER_WORDS = [
    *NUMBER_VALUES,
    *"hundreds thousands million millions billion billions trillion dozens half percent".split(),
]
CALENDAR = frozenset(MONTHS + WEEKDAYS)

ROLES = frozenset(
    """director president secretary minister spokesperson spokesman spokeswoman adviser advisor
    chief official senator governor mayor ambassador general commander leader chairman chairwoman
    ceo founder professor analyst expert reporter correspondent editor prime deputy head judge
    coach manager captain king queen prince pope representative envoy premier chancellor""".split()
)
PLACE_CUES = frozenset("in to at from near into across toward towards visited".split())
# Verbs that lean on another ("did", "will", "must"): where a question inverts, and where a phrase turns clause.
DO_FORMS = frozenset({"do", "does", "did"})
BE_FORMS = frozenset({"is", "are", "was", "were"})
AUXILIARIES = DO_FORMS | BE_FORMS | frozenset("will would can could should shall may might must has have had".split())
