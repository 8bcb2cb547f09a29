"""Helpers for the store and reliability tests: a generated corpus and the real ``rag`` CLI.

Each generated article is about one made-up town and project, with numbers and
names no other article shares, so a question about it has one right article.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOWNS = [
    "Arlow",
    "Brenning",
    "Caskford",
    "Dunmere",
    "Elsworth",
    "Fallowby",
    "Garrick",
    "Hollin",
    "Ivesham",
    "Jorvale",
    "Kestley",
    "Lindqvist",
    "Marrow",
    "Norland",
    "Oakhurst",
    "Pellam",
    "Quarrendon",
    "Rookwood",
    "Saltmarsh",
    "Thornbury",
    "Ulverby",
    "Vantor",
    "Wexcombe",
    "Yarlow",
    "Zennor",
    "Ashgrove",
    "Birchley",
    "Coldwater",
    "Drayford",
    "Emberton",
    "Foxholm",
    "Glenrock",
]
PROJECTS = [
    "bridge",
    "library",
    "tram line",
    "hospital wing",
    "swimming pool",
    "museum",
    "harbour wall",
    "solar farm",
    "bus depot",
    "concert hall",
    "football stadium",
    "water treatment plant",
]
PEOPLE = [
    "Ines Duarte",
    "Tomas Berg",
    "Amara Okafor",
    "Lena Voss",
    "Rafael Ortiz",
    "Mei Tanaka",
    "Jonas Petrov",
    "Clara Lindgren",
    "Samir Haddad",
    "Nora Kelly",
    "Pieter Smit",
    "Ana Ruiz",
]


def title(i: int) -> str:
    return f"{TOWNS[i % len(TOWNS)]} Opens New {PROJECTS[i % len(PROJECTS)].title()}"


def article_text(i: int) -> str:
    town, project = TOWNS[i % len(TOWNS)], PROJECTS[i % len(PROJECTS)]
    person = PEOPLE[(i * 5) % len(PEOPLE)]
    cost, year, workers = 11 + i * 3, 2000 + i, 40 + i * 7
    body = [
        f"The town of {town} opened its new {project} on Monday after {2 + i % 4} years of work. "
        f"Mayor {person} cut the ribbon in front of a crowd of about {workers * 10} residents.",
        f"The {project} cost {cost} million euros, paid partly by a regional fund set up in {year}. "
        f"Critics in {town} said the budget had doubled since the plan was first approved.",
        f"About {workers} workers from {town} and nearby villages were employed on the site. "
        f"{person} said the {project} would serve the region for the next fifty years.",
        f"Local shops reported more visitors during the opening week, and the council of {town} "
        f"promised a public report on the final cost of the {project} by the end of the year.",
    ]
    return (
        f"---\ntitle: {title(i)}\npublished: 2024-{1 + i % 12:02d}-{1 + i % 28:02d}\n---\n" + "\n\n".join(body) + "\n"
    )


def write_corpus(folder: Path, indices) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in indices:
        (folder / f"article-{i:03d}.md").write_text(article_text(i), encoding="utf-8")
    return folder


def question(i: int) -> str:
    return f"How much did the {PROJECTS[i % len(PROJECTS)]} in {TOWNS[i % len(TOWNS)]} cost?"


def tree_digest(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder``, by relative path."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def cli_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(extra)
    return env


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run ``python -m rag.cli ARGS`` in a fresh process, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "rag.cli", *args],
        cwd=ROOT,
        env=env or cli_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def start_cli(*args: str, env: dict[str, str] | None = None, stderr_path: Path | None = None) -> subprocess.Popen:
    err = open(stderr_path, "w") if stderr_path else subprocess.DEVNULL
    try:
        return subprocess.Popen(
            [sys.executable, "-m", "rag.cli", *args],
            cwd=ROOT,
            env=env or cli_env(),
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    finally:
        if stderr_path:
            err.close()
