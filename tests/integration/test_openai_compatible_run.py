"""A whole `image-agent run --llm openai:...` against the embedded model served over
OpenAI-compatible HTTP (POST /v1/chat/completions) on a loopback port by this test."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.fakes.loopback import serve

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def test_full_run_through_an_openai_compatible_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("IMAGE_AGENT_HOME", str(home))
    from tools.local_llm import MODEL_FILE, server

    llm = server()  # the in-process xllamacpp server, loaded in this (the test) process
    served: list[dict[str, Any]] = []

    def chat(body: dict[str, Any], headers: dict[str, str]) -> tuple[int, Any]:
        reply = llm.handle_chat_completions(body)
        if isinstance(reply, str):
            reply = json.loads(reply)
        served.append({"request": body, "reply": reply})
        return (500 if "error" in reply else 200), reply

    with serve({"/v1/chat/completions": chat}) as http:
        env = dict(os.environ, IMAGE_AGENT_HOME=str(home), PYTHONPATH=str(ROOT))
        env.pop("OPENAI_API_KEY", None)
        env["OPENAI_BASE_URL"] = f"{http.url}/v1"
        env["IMAGE_AGENT_OPENAI_MAX_TOKENS"] = "512"  # as the embedded model's own client
        env["IMAGE_AGENT_OPENAI_TIMEOUT"] = "300"
        env["IMAGE_AGENT_OPENAI_RETRIES"] = "0"
        started = time.time()
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "graph.cli",
                "run",
                "A greeting card of the flower the Netherlands is famous for",
                "--llm",
                f"openai:{MODEL_FILE}",
                "--search",
                "none",
                "--no-input",
                "--json",
                "--max-rounds",
                "1",
            ],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=900,
            stdin=subprocess.DEVNULL,
        )
        elapsed = time.time() - started
    tokens = [s["reply"].get("usage", {}).get("completion_tokens") for s in served]
    assert out.returncode == 0, f"{out.stderr[-2000:]}\nserved {len(served)}, tokens {tokens}"
    info = json.loads(out.stdout)
    print(f"\nrun over OpenAI-compatible HTTP: {elapsed:.1f}s, {len(served)} requests")
    assert len(served) >= 3  # plan, compose, judge at least
    assert info["model_calls"]["total"] == len(served)  # every model call went over HTTP
    schemas = [s["request"]["response_format"]["json_schema"]["name"] for s in served]
    assert schemas[0] == "PlanDraft" and "Composed" in schemas
    assert all(s["request"]["model"] == MODEL_FILE for s in served)
    assert all(s["reply"]["choices"][0]["message"]["content"] for s in served)
    assert Image.open(info["images"][0]).size == (1024, 1024)
    report = Path(info["report"]).read_text()
    assert f"llm `openai:{MODEL_FILE}`" in report
    assert info["final_prompt"]
