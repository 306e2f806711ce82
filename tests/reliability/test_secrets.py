"""Secrets: with OPENAI_API_KEY and TAVILY_API_KEY set to canaries, and providers (loopback
servers speaking the real wire formats) that quote the key back in their errors the way
OpenAI does (masked: its first and last characters), no piece of either key is in any file
written (data dir, outputs, bench output, logs), nor on stdout or stderr. The runs cover a
good run (chat, search, image API, a vision judge that is refused), a run that fails on a
refused key (its error goes to the registry), a debug-logged run, and a tiny bench."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

from tests.conftest import default_rules, plan_with
from tests.fakes.loopback import Loopback, openai_routes, serve
from tests.reliability.procs import cli, env_for, files_under

OPENAI_KEY = "sk-" + secrets.token_hex(24)
TAVILY_KEY = "tvly-" + secrets.token_hex(24)
PIECE = 6  # any run of this many characters of a key counts as a leak
GAP = {"question": "What is the harbour festival's date this year?", "kind": "dynamic_fact"}
RULES: list[dict[str, Any]] = [
    {"schema": "PlanDraft", "response": plan_with([{**GAP, "best_guess": "June"}])},
    {"schema": "Found", "response": {"found": True, "answer": "9 June", "passage": 1}},
    {"schema": "ItemJudged", "response": {"quote": "", "passed": False}},
    *default_rules(),
]


def masked(key: str) -> str:
    return f"{key[:8]}{'*' * 30}{key[-4:]}"


def openai_server() -> Loopback:
    routes = openai_routes(RULES)
    chat = routes["/v1/chat/completions"]

    def refusing(body: dict[str, Any], headers: dict[str, str]) -> tuple[int, Any]:
        if body.get("model") in ("vision", "refused"):  # quotes the key it was sent
            sent = headers.get("authorization", "").removeprefix("Bearer ")
            message = f"Incorrect API key provided: {masked(sent)}. You can find your API key."
            return 401, {"error": {"message": message, "type": "invalid_request_error"}}
        return chat(body, headers)

    return Loopback({**routes, "/v1/chat/completions": refusing})


def tavily_server() -> Loopback:
    def search(body: dict[str, Any], headers: dict[str, str]) -> tuple[int, Any]:
        if headers.get("authorization") != f"Bearer {TAVILY_KEY}":
            return 401, {"detail": {"error": "Unauthorized: missing or invalid API key."}}
        result = {
            "title": "Harbour festival",
            "url": "https://example.org/harbour",
            "content": "The harbour festival takes place on 9 June this year.",
            "score": 0.9,
        }
        return 200, {"query": body.get("query"), "results": [result], "images": []}

    return Loopback({"/search": search})


def leaks(blob: bytes) -> list[str]:
    found = []
    for key in (OPENAI_KEY, TAVILY_KEY):
        pieces = {key[i : i + PIECE] for i in range(len(key) - PIECE + 1)}
        found += [p for p in pieces if p.encode() in blob]
        if key[-4:].encode() in blob and masked(key)[-8:].encode() in blob:
            found.append(f"masked {key[:3]}")
    return found


def test_no_piece_of_a_key_is_written_anywhere(tmp_path: Path) -> None:
    home, out, work = tmp_path / "home", tmp_path / "outputs", tmp_path / "work"
    work.mkdir()
    cases = tmp_path / "cases.jsonl"
    case = {"id": "c1", "capability": "search", "subtask": "events", "user": "u1", "turns": []}
    case.update({"prompt": "The harbour festival poster", "expected_routes": ["search"]})
    cases.write_text(json.dumps({**case, "checklist": ["A harbour"]}) + "\n")
    streams: list[str] = []
    with openai_server() as chat, serve(tavily_server().routes) as tavily:
        env = env_for(
            home,
            out,
            OPENAI_API_KEY=OPENAI_KEY,
            TAVILY_API_KEY=TAVILY_KEY,
            OPENAI_BASE_URL=f"{chat.url}/v1",
            TAVILY_BASE_URL=tavily.url,
            IMAGE_AGENT_OPENAI_RETRIES="0",
        )
        common = ["--llm", "openai:planner", "--search", "tavily", "--no-input"]
        good = cli(
            ["run", "A poster for the harbour festival", *common, "--vlm", "openai:vision",
             "--renderer", "openai:gpt-image-1", "--max-rounds", "1", "--json"],
            env, work,
        )  # fmt: skip
        assert good.returncode == 0, good.stderr[-2000:]
        info = json.loads(good.stdout)
        context = json.loads((Path(info["report"]).parent / "context.json").read_text())
        errors = " ".join(e["message"] for e in context["state"]["errors"])
        assert "401" in errors and "[redacted]" in errors  # the refusal is kept, the key not
        assert any(r["path"] == "/search" for r in tavily.requests)
        refused = cli(
            ["run", "A poster for the harbour festival", "--llm", "openai:refused",
             "--renderer", "sketch", "--no-input"],
            {**env, "IMAGE_AGENT_DEBUG": "1"}, work,
        )  # fmt: skip
        assert refused.returncode == 1 and "401" in refused.stderr
        listed = cli(["runs", "--json"], env, work)
        assert [r["status"] for r in json.loads(listed.stdout)] == ["failed", "done"]
        bench = cli(
            ["bench", str(cases), "--llm", "openai:planner", "--renderer", "openai:gpt-image-1",
             "--max-rounds", "1", "--out", str(tmp_path / "bench")],
            {**env, "IMAGE_AGENT_SEARCH": "tavily"}, work,
        )  # fmt: skip
        assert bench.returncode == 0, bench.stderr[-2000:]
        streams += [p.stdout + p.stderr for p in (good, refused, listed, bench)]
        sent = [r["headers"].get("authorization", "") for r in chat.requests + tavily.requests]
    assert f"Bearer {OPENAI_KEY}" in sent and f"Bearer {TAVILY_KEY}" in sent  # keys were used

    written = files_under(tmp_path)
    assert len(written) > 10 and any(p.name == "results.jsonl" for p in written)
    leaked = {str(p.relative_to(tmp_path)): leaks(p.read_bytes()) for p in written}
    leaked.update({f"stream {i}": leaks(s.encode()) for i, s in enumerate(streams)})
    assert {where: found for where, found in leaked.items() if found} == {}
    print(f"\nsecrets: {len(written)} files and {len(streams)} streams scanned, 0 leaks")
