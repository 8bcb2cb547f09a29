"""``python -m tests.hostile [--no-app] [--kind K]``: run every hostile case and print what held.

The cases that need the app start one on a free loopback port (with a login)
and stop it at the end. Exit status 1 if any case did not hold.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from collections import Counter
from pathlib import Path

from tests.hostile.runner import Context, load_cases, run_case, start_app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-app", action="store_true", help="skip the cases that need the running app")
    parser.add_argument("--kind", action="append", help="only cases of this kind (repeatable)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    cases = [c for c in load_cases() if not args.kind or c.kind in args.kind]
    if args.no_app:
        cases = [c for c in cases if c.kind != "http"]
    with tempfile.TemporaryDirectory(prefix="hostile-") as tmp:
        ctx = Context(Path(tmp))
        if any(c.kind == "http" for c in cases):
            print("starting the app on loopback…", file=sys.stderr)
            ctx.app = start_app(Path(tmp) / "app")
        try:
            verdicts = [(case, run_case(case, ctx)) for case in cases]
        finally:
            if ctx.app is not None:
                ctx.app.stop()
    print(f"{'case':<26} {'defect':<6} {'kind':<9} {'verdict':<7} {'secs':>5}  detail")
    for case, verdict in verdicts:
        mark = "held" if verdict.held else "FAILED"
        detail = " ".join(verdict.detail.split())[:70]
        print(f"{case.id:<26} {case.defect:<6} {case.kind:<9} {mark:<7} {verdict.seconds:5.2f}  {detail}")
    tried = Counter(case.defect for case, _ in verdicts)
    held = Counter(case.defect for case, v in verdicts if v.held)
    print()
    print("by defect: " + ", ".join(f"{d}: {held[d]}/{tried[d]}" for d in sorted(tried)))
    total = sum(v.held for _, v in verdicts)
    print(f"{len(verdicts)} cases tried, {total} held, {len(verdicts) - total} failed")
    return 0 if total == len(verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
