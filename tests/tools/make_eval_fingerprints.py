"""Regenerate tests/data/eval_fingerprints.txt from the evaluation material.

    python -m tests.tools.make_eval_fingerprints          # write the file
    python -m tests.tools.make_eval_fingerprints --check  # exit 1 if it is out of date

Needs ../shared/eval/wise_dev.jsonl (or $IMAGE_AGENT_WISE): the WISE section would be lost
without it, so the script refuses to write then. Only hashes are written or printed, never
the text of the material.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make `tests.tools` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.tools.eval_text import (
    FINGERPRINTS,
    WISE_PATH,
    fingerprints_of,
    live_fingerprints,
    read_fingerprints,
    render_fingerprints,
    wise_texts,
)


def build(wise: Path = WISE_PATH) -> dict[str, set[str]]:
    return {"wise": fingerprints_of(wise_texts(wise)), **live_fingerprints()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only say whether it is current")
    parser.add_argument("--wise", type=Path, default=WISE_PATH)
    parser.add_argument("--out", type=Path, default=FINGERPRINTS)
    args = parser.parse_args(argv)
    if not args.wise.is_file():
        print(f"{args.wise} not found: cannot fingerprint WISE", file=sys.stderr)
        return 2
    sections = build(args.wise)
    counts = ", ".join(f"{name} {len(hashes)}" for name, hashes in sections.items())
    if args.check:
        current = args.out.is_file() and read_fingerprints(args.out) == sections
        print(f"{args.out}: {'current' if current else 'OUT OF DATE'} ({counts})")
        return 0 if current else 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render_fingerprints(sections), encoding="utf-8")
    print(f"wrote {args.out} ({counts})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
