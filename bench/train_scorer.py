"""Train the answer scorer (``rag/answer/scorer.json``): one command, deterministic, fit halves only.

    # 1. features: run the answerer's ranking over the fit halves written by bench.unanswerable
    python -m bench.train_scorer features --questions unanswerable_out \\
        --index xquad-en=XQUAD_INDEX --index news-dev=NEWS_INDEX   # -> bench/data/scorer_fit.csv
    # 2. train: cross-validated logistic regression -> rag/answer/scorer.json
    python -m bench.train_scorer train

Step 1 needs the shared data and built indexes; its output (numbers only, no
article or question text) is committed, so step 2 (the one that makes the shipped
file, and the one ``tests/test_scorer.py`` re-runs) needs only this repository.
A row is a question that passed the topic gate; its label is 1 when today's
extractive answer contains a gold answer, 0 when it does not or when the
question is unanswerable. Folds group by article (xquad-en) or quiz date
(news-dev), so no article is in both the training and the held-out fold.
scikit-learn is a bench dependency only: the package ships the weights.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

from bench.training import logistic_fields, run_features, training_parser, write_model
from rag.answer.answerability import NAMES

ROOT = Path(__file__).resolve().parent.parent
FEATURES = ROOT / "bench" / "data" / "scorer_fit.csv"
SCORER = ROOT / "rag" / "answer" / "scorer.json"
META = ("dataset", "group", "id", "kind", "answerable", "correct", "cited", "topical")
VERSION = "11"  # 2: opposite-word and how-many-count features; 3: selector v2 (listed places); 4: names matched
# by acronym and root (rag.answer.terms), a passage read under its title, "how many" met only by an amount
# of the asked thing, selector v3; 5: opposite words found inside hyphenated ones ("second-largest");
# 6: numbers by value, long names through one slip, a US state is the US, selector v4; "how many / how much"
# unmet when the sentence has no amount of the asked thing by rag.answer.spans.amounts (one rule, not two);
# 7: selector v5 (a saying's date does not answer "when"); 8: a negative question meeting a sentence that
# negates nothing (rag.answer.opposites.negation_unmet), trained with bench.unanswerable's new negation kind;
# 9: see the note on PRECISION below; 10: the asked verb missing from / supported in the sentence and the passage
# (rag.answer.decision.scorer_features: its word or a close one by the model's input vectors), trained with
# bench.unanswerable's new predicate kind, on features from today's word reader and asked kinds; 11: the same
# questions, features re-extracted from today's code (v10's had drifted: the selector and readers changed
# since), opposite words with their plain forms ("small"/"large"), "non-" and a question naming both
# The stated operating point: when the scorer abstains, it should be right (the question unanswerable
# or today's answer wrong) at least this often, out of fold on the fit halves. Each scorer that separates
# the two kinds better moves the threshold for a fixed precision up, and with it the share of right
# answers given up: at 0.9 this one would sit at 0.41 and at 0.92 at 0.31, keeping 89% and 93% of the
# correct answers but only 78% of news-dev's at 0.31. At 0.94 (v5: 0.23) it keeps 94.6% (v4 at 0.22: 94.8%,
# v3 at 0.9: 92.4%) and abstains on 79.2% of the unanswerable that pass the topic gate (v4: 77.2%, v3: 68.3%).
# v8: the negation kind adds 141 unanswerable questions that are easy to withhold, which lifts the precision
# of any threshold: at 0.94 the threshold would be 0.32 and keep 93.0% of right answers. The stated precision
# is 0.95: threshold 0.25, 94.3% of right answers kept (v7: 94.8%), 87.2% of the gated-in unanswerable
# withheld, negations included.
# v9 (eras and shares meet "when" / "how much", ordinals and decades are no figures a passage must restate,
# "USA" is "US", a sentence negates with "unable", "lack", "except"): log loss 0.379 -> 0.368. The better
# separation moves the threshold for 0.95 up to 0.33, where the fit halves' right answers fall 3.1 points
# below the answerer without the scorer on xquad-en (end to end, selector included). At 0.96 it is 0.22:
# 97.9% of xquad-en's right answers kept out of fold (95.5% overall), 85.9% of the gated-in unanswerable
# withheld, and end to end a 2.2-point drop on the xquad-en fit half. The stated precision is 0.96.
PRECISION = 0.96
CS = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)


def extract(index_dirs: dict[str, Path], questions: Path, split: str, out: Path) -> None:
    """Features and labels of every question of ``split`` that passes the topic gate."""
    from rag.answer.compose import compose_answer
    from rag.answer.decision import decide, rank, scorer_features
    from rag.eval.matching import contains
    from rag.settings import Settings
    from rag.stores import open_index

    rows = []
    for dataset, folder in sorted(index_dirs.items()):
        settings = Settings(index_dir=folder, answer_scorer=False)
        index = open_index(settings)
        items = [json.loads(line) for line in (questions / f"{dataset}.{split}.jsonl").read_text().splitlines()]
        for item in items:
            r = rank(index, item["question"], settings)
            decision = decide(r, settings)
            if not decision.answers:
                continue
            answer = compose_answer(index, item["question"], r, decision.confidence)
            gold = tuple(item["answers"])
            correct = bool(item["answerable"]) and contains(answer.text, gold)
            cited = bool(item["answerable"]) and any(contains(c.quote, gold) for c in answer.citations)
            found = scorer_features(r, settings)
            group = item["relevant_doc_ids"][0].split("#")[0] if dataset == "xquad-en" else item["source_id"][:8]
            rows.append(
                [
                    dataset,
                    group,
                    item["id"],
                    item["kind"],
                    int(item["answerable"]),
                    int(correct),
                    int(cited),
                    f"{decision.confidence:.6f}",
                    *(f"{v:.6f}" for v in found.values),
                ]
            )
        print(f"{dataset}: {len(rows)} rows so far")
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow([*META, *NAMES])
        writer.writerows(rows)


def load(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[dict]]:
    with path.open(encoding="utf-8") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
    x = np.array([[float(r[n]) for n in NAMES] for r in rows])
    y = np.array([int(r["correct"]) for r in rows])
    groups = np.array([f"{r['dataset']}:{r['group']}" for r in rows])
    return x, y, groups, rows


def train(features_path: Path = FEATURES, precision: float = PRECISION, verbose: bool = True) -> dict:
    """The scorer file's content, from the committed features: same input, same output."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import log_loss
    from sklearn.model_selection import GroupKFold
    from sklearn.preprocessing import StandardScaler

    x, y, groups, rows = load(features_path)
    folds = list(GroupKFold(n_splits=5).split(x, y, groups))

    def out_of_fold(c: float) -> np.ndarray:
        p = np.zeros(len(y))
        for train_rows, test_rows in folds:
            scaler = StandardScaler().fit(x[train_rows])
            model = LogisticRegression(C=c, max_iter=5000).fit(scaler.transform(x[train_rows]), y[train_rows])
            p[test_rows] = model.predict_proba(scaler.transform(x[test_rows]))[:, 1]
        return p

    losses = {c: log_loss(y, out_of_fold(c)) for c in CS}
    best_c = min(CS, key=lambda c: (round(losses[c], 6), c))
    oof = out_of_fold(best_c)
    threshold = pick_threshold(oof, y, precision)
    scaler = StandardScaler().fit(x)
    model = LogisticRegression(C=best_c, max_iter=5000).fit(scaler.transform(x), y)
    if verbose:
        print("cross-validated log loss by C:", {c: round(v, 4) for c, v in losses.items()}, "-> C =", best_c)
        print(operating_table(oof, y, rows, threshold))
    return {
        "version": VERSION,
        "model": "logistic regression on standardised features (bench/train_scorer.py)",
        "trained_on": f"{features_path.name}: {len(y)} rows, {int(y.sum())} positive",
        "C": best_c,
        "cv_log_loss": round(losses[best_c], 6),
        **logistic_fields(NAMES, scaler, model),
        "precision": precision,
        "threshold": round(threshold, 4),
    }


def pick_threshold(p: np.ndarray, y: np.ndarray, precision: float) -> float:
    """The highest probability below which abstaining is right at least ``precision`` of the time."""
    best = 0.05
    for t in np.round(np.arange(0.05, 0.96, 0.01), 2):
        withheld = p < t
        if withheld.any() and 1.0 - y[withheld].mean() >= precision:
            best = float(t)
    return best


def operating_table(p: np.ndarray, y: np.ndarray, rows: list[dict], chosen: float) -> str:
    """Out-of-fold: at each threshold, precision, answerable-correct kept, unanswerable abstained."""
    answerable = np.array([r["answerable"] == "1" for r in rows])
    lines = [
        "| threshold | abstention precision | correct answers kept | unanswerable abstained (of gated-in) |",
        "|---|---|---|---|",
    ]
    for t in sorted({0.1, 0.15, 0.2, 0.3, 0.4, 0.5, chosen}):
        given = p >= t
        lines.append(
            f"| {t:.2f}{' *' if t == chosen else ''} | {1 - y[~given].mean() if (~given).any() else 1:.3f} "
            f"| {(given & (y == 1)).sum() / max((y == 1).sum(), 1):.3f} "
            f"| {(~given & ~answerable).sum() / max((~answerable).sum(), 1):.3f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser, train_step = training_parser("train the answer scorer", FEATURES, SCORER)
    train_step.add_argument("--precision", type=float, default=PRECISION)
    args = parser.parse_args(argv)
    if args.command == "features":
        run_features(args, extract)
    else:
        data = train(args.features, args.precision)
        write_model(args.out, data)
        print(f"wrote {args.out} (threshold {data['threshold']} for precision {data['precision']})")


if __name__ == "__main__":
    main()
