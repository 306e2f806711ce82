"""The SQLite side of the memory store (tools/memory_store.py): its schema, how a row is
read back as a LangGraph item, what text a put embeds, filter and namespace matching, and
the queries for the rows under a namespace prefix.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from langgraph.store.base import Item, ListNamespacesOp, MatchCondition, SearchItem
from langgraph.store.base.embed import get_text_at_path

__all__ = [
    "COLUMNS",
    "SCHEMA",
    "SEP",
    "Row",
    "decode_ns",
    "encode_ns",
    "get_item",
    "has_indexed",
    "list_namespaces",
    "matches_filter",
    "now",
    "rows_under",
    "text_to_embed",
]

SEP = "."  # namespace labels may not contain "." (validated), so it is a safe separator

SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    namespace TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    embed_text TEXT,
    UNIQUE (namespace, key)
);
CREATE INDEX IF NOT EXISTS items_updated_at ON items (updated_at);
"""

COLUMNS = "id, namespace, key, value, created_at, updated_at, embed_text IS NOT NULL"


def encode_ns(namespace: Sequence[str]) -> str:
    return SEP.join(namespace)


def decode_ns(text: str) -> tuple[str, ...]:
    return tuple(text.split(SEP)) if text else ()


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _string_leaves(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        if value.strip():
            yield value
    elif isinstance(value, Mapping):
        for child in value.values():
            yield from _string_leaves(child)
    elif isinstance(value, (list, tuple)):
        for child in value:
            yield from _string_leaves(child)


def text_to_embed(value: Mapping[str, Any], index: list[str] | None) -> str | None:
    """The text a put embeds: the given field paths, else every string in the value."""
    if index is None:
        texts = list(_string_leaves(value))
        if texts:
            return "\n".join(texts)
        return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else None
    texts = [text for path in index for text in get_text_at_path(value, path) if text.strip()]
    return "\n".join(texts) if texts else None


# -------------------------------------------------------------------- filters


def _apply_operator(value: Any, operator: str, operand: Any) -> bool:
    if operator == "$eq":
        return bool(value == operand)
    if operator == "$ne":
        return bool(value != operand)
    if operator in ("$gt", "$gte", "$lt", "$lte"):
        try:
            left, right = float(value), float(operand)
        except (TypeError, ValueError):
            return False
        if operator == "$gt":
            return left > right
        if operator == "$gte":
            return left >= right
        if operator == "$lt":
            return left < right
        return left <= right
    raise ValueError(f"unsupported filter operator {operator!r}")


def _matches(value: Any, wanted: Any) -> bool:
    """Equality (nested dicts compare field by field; `$eq`, `$ne`, `$gt`... operators)."""
    if isinstance(wanted, Mapping):
        if any(str(k).startswith("$") for k in wanted):
            return all(_apply_operator(value, k, v) for k, v in wanted.items())
        if not isinstance(value, Mapping):
            return False
        return all(_matches(value.get(k), v) for k, v in wanted.items())
    return bool(value == wanted)


def matches_filter(value: Mapping[str, Any], filter_: Mapping[str, Any] | None) -> bool:
    if not filter_:
        return True
    return all(_matches(value.get(k), v) for k, v in filter_.items())


def _namespace_matches(condition: MatchCondition, namespace: tuple[str, ...]) -> bool:
    path = tuple(condition.path)
    if len(namespace) < len(path):
        return False
    if condition.match_type == "prefix":
        pairs = zip(namespace, path, strict=False)
    elif condition.match_type == "suffix":
        pairs = zip(reversed(namespace), reversed(path), strict=False)
    else:
        raise ValueError(f"unsupported match type {condition.match_type!r}")
    return all(want == "*" or have == want for have, want in pairs)


# -------------------------------------------------------------------- rows


class Row:
    __slots__ = ("created_at", "id", "indexed", "key", "namespace", "updated_at", "value")

    def __init__(self, row: Sequence[Any]) -> None:
        self.id: int = int(row[0])
        self.namespace: tuple[str, ...] = decode_ns(row[1])
        self.key: str = row[2]
        self.value: dict[str, Any] = json.loads(row[3])
        self.created_at = datetime.fromisoformat(row[4])
        self.updated_at = datetime.fromisoformat(row[5])
        self.indexed = bool(row[6])

    def item(self) -> Item:
        return Item(
            value=self.value,
            key=self.key,
            namespace=self.namespace,
            created_at=self.created_at,
            updated_at=self.updated_at,
        )

    def search_item(self, score: float | None) -> SearchItem:
        return SearchItem(
            namespace=self.namespace,
            key=self.key,
            value=self.value,
            created_at=self.created_at,
            updated_at=self.updated_at,
            score=score,
        )


def get_item(conn: sqlite3.Connection, namespace: Sequence[str], key: str) -> Item | None:
    row = conn.execute(
        f"SELECT {COLUMNS} FROM items WHERE namespace = ? AND key = ?",
        (encode_ns(namespace), key),
    ).fetchone()
    return Row(row).item() if row else None


def _prefix_clause(prefix: tuple[str, ...]) -> tuple[str, list[Any]]:
    """Rows under `prefix`, as a range on the (namespace, key) index: every namespace
    below `a.b` sorts between `a.b.` and `a.b/` ("/" follows "." in ASCII)."""
    if not prefix:
        return "1", []
    encoded = encode_ns(prefix)
    return "(namespace = ? OR (namespace >= ? AND namespace < ?))", [
        encoded,
        encoded + SEP,
        encoded + chr(ord(SEP) + 1),
    ]


def has_indexed(conn: sqlite3.Connection, prefix: tuple[str, ...]) -> bool:
    clause, params = _prefix_clause(prefix)
    sql = f"SELECT 1 FROM items WHERE embed_text IS NOT NULL AND {clause} LIMIT 1"
    return conn.execute(sql, params).fetchone() is not None


def rows_under(
    conn: sqlite3.Connection, prefix: tuple[str, ...], limit: int | None = None, offset: int = 0
) -> list[Row]:
    """Rows whose namespace starts with `prefix`, most recently updated first."""
    clause, params = _prefix_clause(prefix)
    sql = f"SELECT {COLUMNS} FROM items WHERE {clause} ORDER BY updated_at DESC, id DESC"
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params += [limit, offset]
    return [Row(row) for row in conn.execute(sql, params)]


def list_namespaces(conn: sqlite3.Connection, op: ListNamespacesOp) -> list[tuple[str, ...]]:
    namespaces = [decode_ns(row[0]) for row in conn.execute("SELECT DISTINCT namespace FROM items")]
    if op.match_conditions:
        namespaces = [
            ns
            for ns in namespaces
            if all(_namespace_matches(cond, ns) for cond in op.match_conditions)
        ]
    if op.max_depth is not None:
        namespaces = [ns[: op.max_depth] for ns in namespaces]
    return sorted(set(namespaces))[op.offset : op.offset + op.limit]
