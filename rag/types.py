"""The project's vocabulary: one frozen dataclass per concept.

Everything that crosses a module boundary is one of these, never a dict. Each
type knows how to turn itself into JSON-ready data (``to_dict``) because the
CLI, the index store and the app all need that, and it is the only place the
field names are spelled out.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

Verdict = Literal["supported", "weak", "unsupported"]


@dataclass(frozen=True)
class Article:
    """A cleaned article. ``text`` is what every offset in the project points into."""

    id: str
    title: str
    text: str
    content_hash: str
    url: str | None = None
    published: str | None = None  # ISO date (YYYY-MM-DD) when known
    authors: tuple[str, ...] = ()
    source: str = ""  # file path or URL it was read from
    # Where each page (PDF) or paragraph (DOCX) starts in ``text``, ascending; empty for other formats.
    locations: tuple[int, ...] = ()
    location_unit: str = ""  # "page" or "paragraph" when ``locations`` is set

    def to_dict(self) -> dict:
        data = asdict(self)
        data["authors"] = list(self.authors)
        data["locations"] = list(self.locations)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Article:
        return cls(
            **{**data, "authors": tuple(data.get("authors") or ()), "locations": tuple(data.get("locations") or ())}
        )


@dataclass(frozen=True)
class Chunk:
    """A run of whole sentences of one article: ``article.text[start:end] == text``."""

    id: str
    article_id: str
    index: int
    start: int
    end: int
    text: str
    # ``split_sentences(text)``, stored at build so an answer need not split its passages again; empty
    # for chunks of an index written before format 4 (``rag.text.sentences.chunk_sentences`` splits those).
    sentences: tuple[tuple[int, int], ...] = ()

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Chunk:
        return cls(**{**data, "sentences": tuple((int(a), int(b)) for a, b in data.get("sentences") or ())})


@dataclass(frozen=True)
class Hit:
    """One retrieved chunk with the article facts a reader needs and the scores behind its rank."""

    chunk: Chunk
    title: str
    score: float
    rank: int
    url: str | None = None
    published: str | None = None
    authors: tuple[str, ...] = ()
    source: str = ""
    dense_score: float | None = None
    bm25_score: float | None = None
    dense_rank: int | None = None
    bm25_rank: int | None = None

    def to_dict(self) -> dict:
        data = asdict(self)
        data["authors"] = list(self.authors)
        return data


@dataclass(frozen=True)
class Citation:
    """A numbered source: the exact article span that supports an answer sentence."""

    number: int
    article_id: str
    title: str
    quote: str
    start: int  # article.text[start:end] == quote
    end: int
    chunk_id: str
    url: str | None = None
    passage: str = ""  # the whole chunk the quote sits in, for context in the UI
    passage_start: int = 0
    location: str = ""  # "p. 3" (PDF) or "¶ 4" (DOCX) where the quote starts; see rag.text.pages

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class SentenceSupport:
    """The support check's verdict on one answer sentence."""

    text: str
    citations: tuple[int, ...]
    verdict: Verdict
    score: float

    def to_dict(self) -> dict:
        data = asdict(self)
        data["citations"] = list(self.citations)
        return data


@dataclass(frozen=True)
class Answer:
    """What ``rag.ask`` returns: cited text, its sources, and how far to trust it."""

    question: str
    text: str
    citations: tuple[Citation, ...] = ()
    sentences: tuple[SentenceSupport, ...] = ()
    abstained: bool = False
    standalone_question: str = ""
    short_answer: str = ""  # the name, place or number the answer leads with, when one was found
    # What ``text`` opens with before the quoted sentences: a full answer's sentence stating its short answer
    # ("Wednesday [1]."), or a partial answer's note ("The articles don't say … They mention: "). The faces
    # set it apart from the quotes; "" when the text opens with a quote (and for a model's own answer).
    opening: str = ""
    # How likely the answer answers the question (the learned scorer's probability; 0 when not scored).
    confidence: float = 0.0
    abstain_reason: str = ""  # why it abstained (or gave the partial form); "" when it answered
    # On topic but without the asked detail: text says what is missing and cites what the articles do say.
    # A partial answer is also ``abstained`` (it answers nothing), but keeps its citations.
    partial: bool = False
    fallback: str = ""  # why the LLM's own answer is not shown (it failed the support check), when it isn't
    related: tuple[Hit, ...] = field(default=())  # "possibly related" passages on abstention
    hits: tuple[Hit, ...] = field(default=())  # what retrieval returned, for the scores toggle

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "standalone_question": self.standalone_question,
            "text": self.text,
            "short_answer": self.short_answer,
            "opening": self.opening,
            "abstained": self.abstained,
            "partial": self.partial,
            "confidence": self.confidence,
            "abstain_reason": self.abstain_reason,
            "fallback": self.fallback,
            "citations": [c.to_dict() for c in self.citations],
            "sentences": [s.to_dict() for s in self.sentences],
            "related": [h.to_dict() for h in self.related],
            "hits": [h.to_dict() for h in self.hits],
        }


@dataclass(frozen=True)
class Turn:
    """One exchange of a conversation, as ``ask(history=...)`` takes it."""

    question: str
    answer: str
