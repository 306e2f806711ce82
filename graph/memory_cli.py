"""`image-agent memory show|forget|export|import`: what the agent remembers about a user,
forgetting it, and moving it between stores (the data dir's FAISS store, PostgreSQL).

Item ids are `profile/KEY` or `history/KEY`, as `show` prints them. Forgetting an item
deletes its row and its vector, so no later search can find it. Forgetting a user deletes
all their items and all their runs (checkpoints, registry rows and, unless
`--keep-outputs`, output folders), then scrubs the files so no byte of it stays on disk
(on PostgreSQL: vacuums the tables).

`export --user U` prints one JSON object a line (namespace, key, value, timestamps), oldest
first; `import --user U FILE` puts them into the current store under user U, each indexed
by its kind's fields (nodes/remember.py), so the target store recomputes the vectors with
the same embedded MiniLM. The order is kept; the timestamps are the import's.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from langgraph.store.base import PutOp
from rich.console import Console

from tools.errors import UserError
from tools.ids import validate_id

KINDS = ("profile", "history")
BATCH = 64
console = Console(stderr=True, highlight=False, soft_wrap=True)


def add_parser(sub: Any) -> None:
    memory = sub.add_parser("memory", help="show or forget what is remembered about a user")
    actions = memory.add_subparsers(dest="action", required=True)
    show = actions.add_parser("show", help="list a user's profile facts and past turns")
    show.add_argument("--user", required=True)
    show.add_argument("--json", action="store_true", help="print JSON on stdout")
    forget = actions.add_parser("forget", help="forget one item, or everything about a user")
    forget.add_argument("--user", required=True)
    forget.add_argument("--item", help="profile/KEY or history/KEY (default: everything)")
    forget.add_argument(
        "--keep-outputs",
        action="store_true",
        help="forgetting a user: keep their runs' output folders (images, reports)",
    )
    export = actions.add_parser("export", help="print a user's memory as JSON lines")
    export.add_argument("--user", required=True)
    load = actions.add_parser("import", help="add memory exported by `memory export`")
    load.add_argument("--user", required=True, help="the user the items are added to")
    load.add_argument("file", help="the .jsonl file (- for stdin)")


def _items(store: Any, user: str) -> list[dict[str, Any]]:
    out = []
    for kind in KINDS:
        for item in store.search(("users", user, kind), limit=1_000_000):
            out.append(
                {
                    "id": f"{kind}/{item.key}",
                    "kind": kind,
                    "value": item.value,
                    "created_at": item.created_at.isoformat(),
                    "updated_at": item.updated_at.isoformat(),
                }
            )
    return out


def export_lines(store: Any, user: str) -> list[str]:
    """The user's items as JSON lines, oldest first."""
    entries = sorted(_items(store, user), key=lambda e: (e["updated_at"], e["id"]))
    return [
        json.dumps(
            {
                "namespace": ["users", user, entry["kind"]],
                "key": entry["id"].partition("/")[2],
                "value": entry["value"],
                "created_at": entry["created_at"],
                "updated_at": entry["updated_at"],
            },
            ensure_ascii=False,
        )
        for entry in entries
    ]


def _parse(number: int, line: str) -> tuple[str, str, dict[str, Any]]:
    try:
        record = json.loads(line)
        _, _, kind = record["namespace"]
        key, value = record["key"], record["value"]
    except (ValueError, KeyError, TypeError) as exc:
        raise UserError(f"line {number}: not a `memory export` line ({exc})") from exc
    if kind not in KINDS or not isinstance(key, str) or not key or not isinstance(value, dict):
        raise UserError(f"line {number}: not a profile or history item")
    return kind, key, value


def import_lines(store: Any, user: str, lines: list[str]) -> int:
    """Put the exported items into `store` under `user`; how many."""
    from nodes.remember import INDEXED

    items = [_parse(n, line) for n, line in enumerate(lines, 1) if line.strip()]
    ops = [
        PutOp(("users", user, kind), key, value, index=list(INDEXED[kind]))
        for kind, key, value in items
    ]
    for start in range(0, len(ops), BATCH):  # one batch: the texts are embedded together
        store.batch(ops[start : start + BATCH])
    return len(ops)


def _read(name: str) -> list[str]:
    if name == "-":
        return sys.stdin.read().splitlines()
    try:
        return Path(name).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read {name}: {exc}") from exc


def _line(entry: dict[str, Any]) -> str:
    value = entry["value"]
    if entry["kind"] == "profile":
        return str(value.get("fact", value))
    return f"{value.get('request', '')} -> {value.get('final_prompt', '')}"[:160]


def cmd_memory(args: argparse.Namespace) -> int:
    user = validate_id(args.user, "user id")
    item_id = getattr(args, "item", None)
    if item_id is not None:
        kind, _, key = item_id.partition("/")
        if kind not in KINDS or not key:
            raise UserError(f"invalid item id {item_id!r}: use profile/KEY or history/KEY")
    from tools.memory_store import default_store

    store = default_store()
    if args.action == "export":
        for line in export_lines(store, user):
            sys.stdout.write(line + "\n")
        return 0
    if args.action == "import":
        count = import_lines(store, user, _read(args.file))
        console.print(f"imported {count} item(s) for user {user}")
        return 0
    if args.action == "show":
        entries = _items(store, user)
        if args.json:
            sys.stdout.write(json.dumps(entries, ensure_ascii=False) + "\n")
        elif not entries:
            console.print(f"nothing remembered about user {user}")
        for entry in entries:
            console.print(f"{entry['id']}  {_line(entry)}")
        return 0
    if item_id is not None:
        kind, _, key = item_id.partition("/")
        if store.get(("users", user, kind), key) is None:
            raise UserError(f"user {user} has no memory item {item_id!r}")
        store.delete(("users", user, kind), key)
        console.print(f"forgot {item_id} of user {user}")
        return 0
    from graph.runs import forget_runs

    entries = _items(store, user)
    for entry in entries:
        kind, _, key = entry["id"].partition("/")
        store.delete(("users", user, kind), key)
    store.scrub()  # type: ignore[attr-defined]  # FaissStore and PgMemoryStore have one
    runs = forget_runs(user, outputs=not args.keep_outputs)
    kept = " (output folders kept)" if args.keep_outputs else ""
    console.print(f"forgot {len(entries)} item(s) and {len(runs)} run(s) of user {user}{kept}")
    return 0
