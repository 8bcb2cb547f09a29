"""What the two training scripts (``bench.train_scorer``, ``bench.train_selector``) share: their command line.

Both run in two steps: ``features`` runs the answerer over the fit halves written by
``python -m bench.unanswerable`` (needs the shared data and built indexes), ``train``
fits the model from the committed features and writes its JSON into the package.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path


def training_parser(
    description: str, features: Path, model: Path
) -> tuple[argparse.ArgumentParser, argparse.ArgumentParser]:
    """The parser with both steps, and the ``train`` step's own parser (a script adds its options there)."""
    parser = argparse.ArgumentParser(description=description)
    sub = parser.add_subparsers(dest="command", required=True)
    f = sub.add_parser("features")
    f.add_argument("--questions", type=Path, required=True, help="folder written by python -m bench.unanswerable")
    f.add_argument("--index", action="append", required=True, help="dataset=index-dir, e.g. xquad-en=xquad_index")
    f.add_argument("--split", default="fit")
    f.add_argument("--out", type=Path, default=features)
    t = sub.add_parser("train")
    t.add_argument("--features", type=Path, default=features)
    t.add_argument("--out", type=Path, default=model)
    return parser, t


def run_features(args: argparse.Namespace, extract: Callable[[dict[str, Path], Path, str, Path], None]) -> None:
    dirs = dict(item.split("=", 1) for item in args.index)
    extract({name: Path(folder) for name, folder in dirs.items()}, args.questions, args.split, args.out)


def logistic_fields(names, scaler, model) -> dict:
    """A fitted scikit-learn ``StandardScaler`` + ``LogisticRegression`` as ``rag.answer.scorer.Logistic`` reads it."""
    return {
        "features": list(names),
        "mean": [round(float(v), 6) for v in scaler.mean_],
        "scale": [round(float(v), 6) for v in scaler.scale_],
        "weights": [round(float(v), 6) for v in model.coef_[0]],
        "intercept": round(float(model.intercept_[0]), 6),
    }


def write_model(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
