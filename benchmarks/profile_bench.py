"""Precision and recall of profile extraction: what `remember` stores from statements.

    image-agent profile-bench [--llm local] [--half tune|held|all] [--out DIR]
    python -m benchmarks.profile_bench ...          (the same, without the entry point)

`benchmarks/profile_statements.jsonl` holds statements with the facts they state: single,
several, a later turn that contradicts an earlier one (the expected profile is the one
after the last turn), and none at all (scenes, plain requests). Each item's turns go, in
order, through the extractor and the profile update of nodes/remember.py into a fresh store;
the profile left at the end is compared with the expected facts. A stored fact is correct
when its slot is the expected slot and every content word of the expected value is in its
value. Precision: correct stored facts / stored facts; recall: correct / expected.

The statements are split in two halves: `tune` (improve the extractor on it; its misses are
printed and written) and `held` (only its figures are reported, never its misses).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, model_validator

from tools.errors import UserError
from tools.profile_facts import Slot, content_words

STATEMENTS = Path(__file__).with_name("profile_statements.jsonl")
Half = Literal["tune", "held"]


class ExpectedFact(BaseModel):
    slot: Slot
    value: str = Field(min_length=1)


class Statement(BaseModel):
    id: str = Field(pattern=r"^[a-z0-9-]{1,20}$")
    half: Half
    kind: Literal["single", "multi", "contradiction", "none"]
    turns: list[str] = Field(min_length=1, max_length=3)
    expected: list[ExpectedFact]

    @model_validator(mode="after")
    def consistent(self) -> Statement:
        if (self.kind == "none") != (not self.expected):
            raise ValueError("kind 'none' if and only if no fact is expected")
        if (self.kind == "contradiction") != (len(self.turns) > 1):
            raise ValueError("a contradiction has two turns, every other kind one")
        said = content_words(" ".join(self.turns))
        for fact in self.expected:
            if not content_words(fact.value) <= said:
                raise ValueError(f"expected value {fact.value!r} is not in the turns")
        return self


def load_statements(path: Path = STATEMENTS) -> list[Statement]:
    """The statements of `path` (a bad line fails with its number)."""
    items: list[Statement] = []
    seen: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = Statement.model_validate_json(line)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise UserError(f"{path}:{number}: {where}: {first['msg']}".rstrip(": ")) from None
        if item.id in seen:
            raise UserError(f"{path}:{number}: duplicate id {item.id!r}")
        seen.add(item.id)
        items.append(item)
    return items


def correct(expected: ExpectedFact, slot: str, value: str) -> bool:
    return slot == expected.slot and content_words(expected.value) <= content_words(value)


def score(item: Statement, stored: list[tuple[str, str]]) -> dict[str, Any]:
    """Match the stored facts one to one with the expected ones."""
    left = list(item.expected)
    right: list[tuple[str, str]] = []
    wrong: list[tuple[str, str]] = []
    for slot, value in stored:
        hit = next((e for e in left if correct(e, slot, value)), None)
        if hit is None:
            wrong.append((slot, value))
        else:
            left.remove(hit)
            right.append((slot, value))
    return {
        "stored": len(stored),
        "expected": len(item.expected),
        "correct": len(right),
        "wrong": [f"{s}: {v}" for s, v in wrong],
        "missed": [f"{e.slot}: {e.value}" for e in left],
    }


# One item's run: its turns -> the (slot, value) facts stored at the end, and notes.
Runner = Callable[[Statement], tuple[list[tuple[str, str]], list[str]]]


def extractor_runner(llm: str) -> Runner:
    """Run the turns through nodes/remember.py's extractor and profile update."""
    from nodes.remember import extract, update_profile
    from tools.memory_store import FaissStore
    from tools.structured import StructuredOutputError

    def run(item: Statement) -> tuple[list[tuple[str, str]], list[str]]:
        notes: list[str] = []
        with tempfile.TemporaryDirectory() as folder:
            store = FaissStore(Path(folder))
            for n, turn in enumerate(item.turns):
                try:
                    kept, rejected = extract(llm, turn)
                except StructuredOutputError as exc:
                    kept, rejected = [], []
                    notes.append(f"turn {n + 1}: extractor failed: {exc}")
                notes += [f"rejected {r['slot']} {r['value']!r}: {r['why']}" for r in rejected]
                update_profile(store, "bench", kept, turn, f"{item.id}-{n + 1}")
            facts = store.search(("users", "bench", "profile"), limit=100)
            stored = [(str(f.value["slot"]), str(f.value["value"])) for f in facts]
            store.close()
        return stored, notes

    return run


def ratio(num: int, den: int) -> float:
    return round(num / den, 3) if den else 1.0


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    stored = sum(r["stored"] for r in rows)
    expected = sum(r["expected"] for r in rows)
    right = sum(r["correct"] for r in rows)
    return {
        "items": len(rows),
        "stored": stored,
        "expected": expected,
        "correct": right,
        "precision": ratio(right, stored),
        "recall": ratio(right, expected),
        "seconds": round(sum(r["seconds"] for r in rows), 1),
    }


def run_bench(items: list[Statement], runner: Runner, log: Callable[[str], None]) -> dict[str, Any]:
    """Every item through `runner`; figures per half. Misses are kept for `tune` only."""
    rows: dict[str, list[dict[str, Any]]] = {"tune": [], "held": []}
    for item in items:
        started = time.monotonic()
        stored, notes = runner(item)
        row = {"id": item.id, **score(item, stored), "seconds": time.monotonic() - started}
        if item.half == "tune":
            row["notes"] = notes
            if row["wrong"] or row["missed"]:
                log(f"{item.id}: wrong {row['wrong']} missed {row['missed']} {notes}")
        else:
            row = {k: v for k, v in row.items() if k not in ("wrong", "missed")}
        rows[item.half].append(row)
    halves = {half: summarise(r) for half, r in rows.items() if r}
    every = [row for half_rows in rows.values() for row in half_rows]
    return {"halves": halves, "all": summarise(every), "tune_items": rows["tune"]}


def add_parser(sub: Any) -> None:
    bench = sub.add_parser(
        "profile-bench", help="precision and recall of what memory keeps from statements"
    )
    bench.add_argument("--llm", default="local", help="extractor model (default: local)")
    bench.add_argument("--file", default=str(STATEMENTS), help="statements .jsonl")
    bench.add_argument("--half", choices=["tune", "held", "all"], default="all")
    bench.add_argument("--out", default="outputs/profile_bench", help="output folder")


def cmd_profile_bench(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise UserError(f"no statements file {path}")
    items = [i for i in load_statements(path) if args.half in ("all", i.half)]

    def log(text: str) -> None:
        sys.stderr.write(text + "\n")

    log(f"profile-bench: {len(items)} item(s) with --llm {args.llm}")
    result = {
        "llm": args.llm,
        "file": str(path),
        **run_bench(items, extractor_runner(args.llm), log),
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "result.json").write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    for half, figures in [*result["halves"].items(), ("all", result["all"])]:
        log(
            f"{half}: precision {figures['precision']:.3f} ({figures['correct']}/"
            f"{figures['stored']}), recall {figures['recall']:.3f} ({figures['correct']}/"
            f"{figures['expected']}), {figures['seconds']}s"
        )
    log(f"result: {out / 'result.json'}")
    return 0


def register(sub: Any) -> Callable[[argparse.Namespace], int]:
    """The `image_agent.commands` entry point: add `profile-bench` to the CLI."""
    add_parser(sub)
    return cmd_profile_bench


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile_bench")
    add_parser(parser.add_subparsers(dest="command", required=True))
    try:
        return cmd_profile_bench(parser.parse_args(["profile-bench", *(argv or sys.argv[1:])]))
    except UserError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
