"""When the selector's runner-up joins the answer: answered correct and citation precision per rule, simulated.

    python -m bench.runner_up --index-dir XQ --questions unanswerable_out/xquad-en.fit.jsonl
    python -m bench.runner_up --index-dir ND --questions unanswerable_out/news-dev.fit.jsonl

Each answerable question is retrieved, ranked and decided once with today's answerer;
only the composing step (``rag.answer.extractive.compose``) is rerun for each rule, so a
rule's figures are the ones ``rag eval answers`` would print with it (the shipped rule's
row reproduces them). A rule is ``ratio/after``: the runner-up joins at ``ratio`` of the
best's probability, or at ``after`` once the best gave a short answer span ("inf": never).
Fit halves only: the rule is chosen there (``rag.answer.decision.KEEP_SELECTED``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

DEFAULT_RULES = "0.7/0.9,0.7/0.8,0.7/0.7,0.6/0.8,0.8/0.7,0.8/0.8,0.7/inf"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index-dir", type=Path, required=True)
    parser.add_argument("--questions", type=Path, required=True, help="a half written by bench.unanswerable")
    parser.add_argument("--rules", default=DEFAULT_RULES, help="comma-separated ratio/after pairs")
    args = parser.parse_args(argv)

    from rag.answer import extractive as ex
    from rag.answer.decision import decide, rank
    from rag.api import load_index
    from rag.eval.matching import contains
    from rag.settings import Settings

    settings = Settings(index_dir=args.index_dir)
    index = load_index(settings)
    rows = [json.loads(line) for line in args.questions.read_text(encoding="utf-8").splitlines() if line.strip()]
    answerable = [row for row in rows if row.get("answerable", True)]
    answered = []  # (gold answers, ranking) of the questions the answerer answers
    for row in answerable:
        ranked = rank(index, row["question"], settings)
        if ranked.ranked and decide(ranked, settings).answers:
            answered.append((tuple(row.get("answers") or [row["answer"]]), ranked))
    for rule in args.rules.split(","):
        ratio, after = (float(part) for part in rule.split("/"))
        right = cited = held = 0
        for gold, ranked in answered:
            draft = ex.compose(ranked.standalone, ranked.ranked, keep=ex.Keep(ratio, after))
            right += contains(" ".join([draft.lead or "", *(s.candidate.text for s in draft.sentences)]), gold)
            cited += len(draft.sentences)
            held += sum(contains(s.candidate.text, gold) for s in draft.sentences)
        print(
            json.dumps(
                {
                    "rule": rule,
                    "answered_correct": round(right / max(len(answerable), 1), 4),
                    "citation_precision": round(held / max(cited, 1), 4),
                    "citations": cited,
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
