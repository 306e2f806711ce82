"""What the tests that start a real `langgraph dev` share: a free loopback port, and the
project's langgraph.json with its paths made absolute (so the server's own `.langgraph_api/`
files land in a temp dir, not in the checkout)."""

from __future__ import annotations

import json
import socket
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def absolute_config(
    target: Path, graphs: dict[str, str] | None = None, auth: str | None = None
) -> Path:
    """The project's langgraph.json with relative paths made absolute, written to target/;
    `graphs` adds graphs beside the agent (name -> repo-relative `path:attr`), `auth` a
    custom auth handler (repo-relative `path:attr`)."""
    data = json.loads((REPO / "langgraph.json").read_text())

    def absolute(spec: str) -> str:
        path, _, attr = spec.partition(":")
        return f"{(REPO / path).resolve()}:{attr}" if attr else str((REPO / path).resolve())

    data["dependencies"] = [absolute(dep) for dep in data["dependencies"]]
    data["graphs"] = {name: absolute(spec) for name, spec in data["graphs"].items()}
    data["graphs"].update({name: absolute(spec) for name, spec in (graphs or {}).items()})
    data["store"]["index"]["embed"] = absolute(data["store"]["index"]["embed"])
    data["http"]["app"] = absolute(data["http"]["app"])
    if auth:
        data["auth"] = {"path": absolute(auth)}
    path = target / "langgraph.json"
    path.write_text(json.dumps(data))
    return path
