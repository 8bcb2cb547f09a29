"""Which page (PDF) or paragraph (DOCX) of an article a character offset falls on.

``Article.locations`` holds the offset where each page or paragraph starts in
the article text (see ``rag.readers.documents``); a citation's ``start`` is looked up
there, so a PDF citation can say "p. 3". Pure: values in, values out.
"""

from __future__ import annotations

from bisect import bisect_right

from rag.types import Article

_LABEL = {"page": "p.", "paragraph": "¶"}


def page_of(article: Article | None, offset: int) -> int | None:
    """The 1-based page/paragraph holding ``offset``, or None when the article has no locations."""
    if article is None or not article.locations:
        return None
    return max(1, bisect_right(article.locations, offset))


def page_label(article: Article | None, offset: int) -> str | None:
    """'p. 3' or '¶ 4' for ``offset``, or None."""
    number = page_of(article, offset)
    if number is None or article is None:
        return None
    return f"{_LABEL.get(article.location_unit, 'p.')} {number}"


def location_dict(article: Article | None, offset: int) -> dict:
    """``{"page": n}`` or ``{"paragraph": n}`` for a citation's JSON, empty without locations."""
    number = page_of(article, offset)
    return {} if number is None or article is None else {article.location_unit or "page": number}
