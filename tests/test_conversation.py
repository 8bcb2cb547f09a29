"""The saved conversation (pure): what goes into browser storage, what comes back, the Markdown export."""

from __future__ import annotations

from rag.app import conversation
from rag.types import Answer, Article, Citation, Turn

ARTICLE = Article(
    "a1", "Kremlin Talks", "CIA director William Burns traveled to Moscow.", "h", url="https://news.example/a1"
)
CITATION = Citation(
    1,
    "a1",
    "Kremlin Talks",
    "CIA director William Burns traveled to Moscow.",
    0,
    46,
    "a1:0",
    url="https://news.example/a1",
)
ANSWER = Answer("Who warned Russia?", "CIA director William Burns traveled to Moscow [1].", citations=(CITATION,))


def test_a_turn_exports_question_answer_and_sources():
    md = conversation.turn_markdown("Who warned\nRussia?", ANSWER, {"a1": ARTICLE})
    assert md == (
        "## Who warned Russia?\n\nCIA director William Burns traveled to Moscow [1].\n\n**Sources**\n"
        "1. [Kremlin Talks](<https://news.example/a1>): “CIA director William Burns traveled to Moscow.”\n"
    )
    whole = conversation.export_markdown([md, md])
    assert whole.startswith("# Conversation\n\n## Who warned Russia?") and whole.count("**Sources**") == 2
    assert "no questions" in conversation.export_markdown([])


def test_saved_and_restored_round_trip():
    messages = [{"role": "user", "content": "Who warned Russia?"}, {"role": "assistant", "content": "Burns [1]."}]
    data = conversation.saved(messages, [Turn("Who warned Russia?", "Burns [1].")], ["## q\n"], "<div>src</div>")
    assert conversation.restored(data) == (
        messages,
        [Turn("Who warned Russia?", "Burns [1].")],
        ["## q\n"],
        "<div>src</div>",
    )


def test_malformed_storage_is_an_empty_chat():
    for junk in (None, [], "x", {"turns": [["only one"]]}, {"turns": 5}, {"messages": ["no role"]}):
        messages, turns, exports, sources = conversation.restored(junk)
        assert turns == [] and exports == [] and sources == "" and all("role" in m for m in messages)
