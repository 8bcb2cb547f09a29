"""Country and US-state names: what a "Which country ...?" or "Which state ...?" question needs to be answered.

One news-quiz question in six asks for a country or a US state (58 of news-dev's 372), and the
sentence that answers it names one ("El Salvador and the United States have ...")
without the locative cue the generic place finder (``rag.answer.text.place_spans``)
waits for ("in Geneva"). So the asked kind is read from the question, and the
names of that kind are found in a sentence by list: sovereign states and the
territories news writes about as countries (names from CLDR, the Unicode locale
data, with the short forms papers use: "Turkey", "Britain", "U.S."), and the 50
states. Pure: strings in, spans out.
"""

from __future__ import annotations

import functools
import re

from rag.answer.qtypes import asked_noun
from rag.answer.text import Span

COUNTRIES = frozenset(
    name.strip()
    for name in """Afghanistan|Albania|Algeria|Andorra|Angola|Antigua and Barbuda|Argentina|Armenia|Australia|Austria|
    Azerbaijan|Bahamas|Bahrain|Bangladesh|Barbados|Belarus|Belgium|Belize|Benin|Bhutan|Bolivia|
    Bosnia and Herzegovina|Bosnia|Botswana|Brazil|Brunei|Bulgaria|Burkina Faso|Burundi|Cambodia|Cameroon|
    Canada|Cape Verde|Cabo Verde|Central African Republic|Chad|Chile|China|Colombia|Comoros|Congo|
    Democratic Republic of the Congo|Democratic Republic of Congo|Republic of the Congo|Costa Rica|Croatia|
    Cuba|Cyprus|Czechia|Czech Republic|Denmark|Djibouti|Dominica|Dominican Republic|Ecuador|Egypt|
    El Salvador|Equatorial Guinea|Eritrea|Estonia|Eswatini|Swaziland|Ethiopia|Fiji|Finland|France|Gabon|
    Gambia|Georgia|Germany|Ghana|Greece|Greenland|Grenada|Guatemala|Guinea|Guinea-Bissau|Guyana|Haiti|
    Honduras|Hong Kong|Hungary|Iceland|India|Indonesia|Iran|Iraq|Ireland|Israel|Italy|Ivory Coast|
    Côte d’Ivoire|Jamaica|Japan|Jordan|Kazakhstan|Kenya|Kiribati|Kosovo|Kuwait|Kyrgyzstan|Laos|Latvia|
    Lebanon|Lesotho|Liberia|Libya|Liechtenstein|Lithuania|Luxembourg|Madagascar|Malawi|Malaysia|Maldives|
    Mali|Malta|Marshall Islands|Mauritania|Mauritius|Mexico|Micronesia|Moldova|Monaco|Mongolia|Montenegro|
    Morocco|Mozambique|Myanmar|Burma|Namibia|Nauru|Nepal|Netherlands|Holland|New Zealand|Nicaragua|Niger|
    Nigeria|North Korea|North Macedonia|Macedonia|Norway|Oman|Pakistan|Palau|Palestine|Panama|
    Papua New Guinea|Paraguay|Peru|Philippines|Poland|Portugal|Puerto Rico|Qatar|Romania|Russia|Rwanda|
    Samoa|San Marino|Saudi Arabia|Senegal|Serbia|Seychelles|Sierra Leone|Singapore|Slovakia|Slovenia|
    Solomon Islands|Somalia|South Africa|South Korea|South Sudan|Spain|Sri Lanka|Saint Lucia|St. Lucia|
    Saint Kitts and Nevis|Saint Vincent and the Grenadines|Sudan|Suriname|Sweden|Switzerland|Syria|
    São Tomé and Príncipe|Taiwan|Tajikistan|Tanzania|Thailand|Timor-Leste|East Timor|Togo|Tonga|
    Trinidad and Tobago|Tunisia|Turkey|Türkiye|Turkmenistan|Tuvalu|Uganda|Ukraine|United Arab Emirates|UAE|
    United Kingdom|UK|U.K.|Britain|Great Britain|England|Scotland|Wales|Northern Ireland|United States|US|
    U.S.|USA|America|Uruguay|Uzbekistan|Vanuatu|Vatican|Vatican City|Venezuela|Vietnam|Yemen|Zambia|
    Zimbabwe""".split("|")
)
US_STATES = frozenset(
    name.strip()
    for name in """Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia|Hawaii|
    Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|Michigan|Minnesota|
    Mississippi|Missouri|Montana|Nebraska|Nevada|New Hampshire|New Jersey|New Mexico|New York|
    North Carolina|North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|Rhode Island|South Carolina|South Dakota|
    Tennessee|Texas|Utah|Vermont|Virginia|Washington|West Virginia|Wisconsin|Wyoming""".split("|")
)
KINDS = {"country": COUNTRIES, "state": US_STATES}


def asked_kind(question: str) -> str | None:
    """``"country"`` or ``"state"`` when the question asks for one ("What European nation ...",
    "Which US state ..."), else None."""
    noun = asked_noun(question)
    return "state" if noun in ("state", "states") else "country" if noun in _COUNTRY_NOUNS else None


_COUNTRY_NOUNS = frozenset({"country", "countries", "nation", "nations"})


# Short forms that name the same country: "US" in the question is not a new name in "the United States".
ALIASES = {
    "US": "United States", "U.S.": "United States", "USA": "United States", "America": "United States",
    "UK": "United Kingdom", "U.K.": "United Kingdom", "Britain": "United Kingdom", "Great Britain": "United Kingdom",
    "UAE": "United Arab Emirates", "Türkiye": "Turkey", "Czechia": "Czech Republic", "Burma": "Myanmar",
    "Holland": "Netherlands", "Côte d’Ivoire": "Ivory Coast", "Cabo Verde": "Cape Verde", "Swaziland": "Eswatini",
    "East Timor": "Timor-Leste", "St. Lucia": "Saint Lucia", "Vatican City": "Vatican",
}  # fmt: skip


@functools.lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    # One pattern over both kinds, longest names first: "New Mexico" is a state, not "Mexico" after "New".
    names = sorted(COUNTRIES | US_STATES, key=len, reverse=True)
    return re.compile(r"(?<![\w.])(?:" + "|".join(re.escape(n) for n in names) + r")(?![\w’'-])")


def names_of_kind(text: str, kind: str) -> list[Span]:
    """Spans of ``text`` that name a country (or a US state), in order."""
    wanted = KINDS[kind]
    return [Span(m.start(), m.end(), m.group(0)) for m in _pattern().finditer(text) if m.group(0) in wanted]


def new_names_of_kind(text: str, kind: str, question: str) -> list[Span]:
    """The names of the asked kind the question does not already use ("Which country joined NATO
    after Finland?" is not answered by "Finland"; "US" in the question is "the United States")."""
    used = {ALIASES.get(s.text, s.text) for s in names_of_kind(question, kind)}
    return [s for s in names_of_kind(text, kind) if ALIASES.get(s.text, s.text) not in used]
