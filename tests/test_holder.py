"""The process-wide index holder: what it swaps in is served, frozen out of the collector, and freed when dropped."""

from __future__ import annotations

import gc
import weakref

from rag.answer.pipeline import answer_question
from rag.api import build_index
from rag.readers.clean import make_article
from rag.stores.holder import IndexHolder
from tests.conftest import SEED


def _collected(obj: object) -> bool:
    """Is ``obj`` in a generation the collector walks (not frozen)?"""
    return any(o is obj for o in gc.get_objects())


def test_a_held_index_is_frozen_and_a_swapped_out_one_is_still_freed(settings):
    build_index([SEED], settings)
    gc.unfreeze()  # the build's own holder froze it: start from nothing frozen
    holder = IndexHolder(settings)
    first = holder.load_or_build(progress=False)
    answer_question(first, "Who warned Russia?", [], settings)  # lazy parts loaded, caches filled
    assert not _collected(first) and not _collected(first.chunks)  # the held index left the collector's view
    gone = weakref.ref(first)
    del first
    article = make_article("Harbour reopens", "The harbour reopened on Monday after the storm.", source="test")
    gc.disable()  # freed by reference counting alone: a cycle in a frozen index would never be collected
    try:
        change = holder.add([article])
        assert holder.index is change.index and gone() is None
    finally:
        gc.enable()
    assert not _collected(change.index)  # the swapped-in index is frozen too
