"""The personal-context tests of the graph, run again with memory on PostgreSQL: the same
test functions (imported, not copied), whose `FaissStore(folder)` opens here a
`PostgresStore` in a database of its own (one per folder, so reopening a folder reopens its
database). Conversations of two and three turns, profile-driven requests, contradicting
statements and two users with similar memories."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

import tests.unit.test_memory_flow as memory_flow
import tests.unit.test_profile_memory as profile_memory
from benchmarks.pg_local import LocalPostgres
from tests.unit.test_memory_flow import (
    test_a_later_statement_replaces_a_contradicting_one,
    test_compose_uses_standing_preferences_not_every_fact,
    test_conversation_follow_ups_resolve_to_earlier_turns,
    test_two_users_with_similar_memories_stay_apart,
)
from tests.unit.test_profile_memory import (
    test_a_contradicting_statement_replaces_its_slot,
    test_a_stated_profession_is_stored_in_its_slot_and_reaches_a_picture_of_me_at_work,
)
from tools.memory_pg import PgMemoryStore, open_pg_store

__all__ = [
    "test_a_contradicting_statement_replaces_its_slot",
    "test_a_later_statement_replaces_a_contradicting_one",
    "test_a_stated_profession_is_stored_in_its_slot_and_reaches_a_picture_of_me_at_work",
    "test_compose_uses_standing_preferences_not_every_fact",
    "test_conversation_follow_ups_resolve_to_earlier_turns",
    "test_two_users_with_similar_memories_stay_apart",
]


@pytest.fixture(autouse=True)
def stores_on_postgres(pg_server: LocalPostgres, monkeypatch: pytest.MonkeyPatch) -> Any:
    databases: dict[Path, str] = {}
    opened: list[PgMemoryStore] = []

    def open_store(folder: Path) -> PgMemoryStore:
        folder = Path(folder).resolve()
        if folder not in databases:
            # a fresh name each time: `id(folder)` of an earlier test's path can come back
            databases[folder] = pg_server.create_database(f"flow_{uuid.uuid4().hex}")
        opened.append(open_pg_store(databases[folder]))
        return opened[-1]

    for module in (memory_flow, profile_memory):
        monkeypatch.setattr(module, "FaissStore", open_store)
    yield
    for store in opened:
        store.close()
