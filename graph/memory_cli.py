"""`image-agent memory show|forget`: what the agent remembers about a user, and forgetting it.

Item ids are `profile/KEY` or `history/KEY`, as `show` prints them. Forgetting an item
deletes its row and its vector, so no later search can find it. Forgetting a user deletes
all their items and all their runs (checkpoints, registry rows and, unless
`--keep-outputs`, output folders), then scrubs the files so no byte of it stays on disk.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from rich.console import Console

from tools.errors import UserError
from tools.ids import validate_id

KINDS = ("profile", "history")
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


def _items(store: Any, user: str) -> list[dict[str, Any]]:
    out = []
    for kind in KINDS:
        for item in store.search(("users", user, kind), limit=10_000):
            out.append(
                {
                    "id": f"{kind}/{item.key}",
                    "kind": kind,
                    "value": item.value,
                    "updated_at": item.updated_at.isoformat(),
                }
            )
    return out


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
    store.scrub()
    runs = forget_runs(user, outputs=not args.keep_outputs)
    kept = " (output folders kept)" if args.keep_outputs else ""
    console.print(f"forgot {len(entries)} item(s) and {len(runs)} run(s) of user {user}{kept}")
    return 0
