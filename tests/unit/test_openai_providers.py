"""OpenAI chat, vision judging and images, against a loopback server speaking OpenAI's wire
format (/v1/chat/completions with image content blocks, /v1/images/generations b64_json)."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from renderers.base import RenderError
from renderers.openai_images import OpenAIImagesRenderer, map_size
from renderers.registry import validate_renderer_spec
from tests.conftest import default_rules
from tests.fakes.loopback import Loopback, openai_routes, serve
from tests.unit.test_cli import cli
from tools.errors import SpecError
from tools.models import validate_model_spec

VISION_VERDICTS = {
    "schema": "Judged",
    "images": True,
    "response": {
        "verdicts": [
            {"item": "The mood is festive", "passed": True, "reason": "red lanterns glow"},
            {"item": "The text", "passed": True, "reason": "the words are legible"},
            {"item": "The pastry looks freshly baked", "passed": False, "reason": "no crust"},
            # the grounded answer's item, which compose adds to the planner's three
            {"item": "The image shows mooncake", "passed": True, "reason": "a round cake"},
        ]
    },
}
JOB: dict[str, Any] = {
    "prompt": "A mooncake on a red plate",
    "negative_prompt": "blurry",
    "width": 1200,
    "height": 800,
    "seed": 3,
}


@pytest.fixture
def server() -> Iterator[Loopback]:
    with serve(openai_routes(default_rules())) as loopback:
        yield loopback


@pytest.fixture
def openai_env(server: Loopback, monkeypatch: pytest.MonkeyPatch) -> Loopback:
    monkeypatch.setenv("OPENAI_BASE_URL", f"{server.url}/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.delenv("OPENAI_IMAGES_BASE_URL", raising=False)
    monkeypatch.setenv("IMAGE_AGENT_OPENAI_RETRIES", "1")
    return server


# ------------------------------------------------------------------ images


def test_map_size() -> None:
    assert map_size("gpt-image-1", 1024, 1024) == "1024x1024"
    assert map_size("gpt-image-1", 1200, 800) == "1536x1024"
    assert map_size("gpt-image-1", 800, 1200) == "1024x1536"
    assert map_size("dall-e-3", 1600, 900) == "1792x1024"
    assert map_size("dall-e-2", 300, 300) == "512x512"
    assert map_size("my-flux-server", 640, 480) == "640x480"


def test_images_generate_saves_the_b64_png(openai_env: Loopback, tmp_path: Path) -> None:
    result = OpenAIImagesRenderer("gpt-image-1").render(JOB, tmp_path, "round-1")  # type: ignore[arg-type]
    [call] = openai_env.calls("/v1/images/generations")
    body = call["body"]
    assert body["model"] == "gpt-image-1" and body["size"] == "1536x1024" and body["n"] == 1
    assert body["prompt"] == "A mooncake on a red plate\nAvoid: blurry"
    assert "response_format" not in body  # gpt-image models always answer in base64
    assert call["headers"]["authorization"] == "Bearer sk-test"
    [path] = result["images"]
    assert Path(path) == (tmp_path / "round-1.png").resolve()
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size == (1536, 1024)
    assert result["scene"]["size"] == "1536x1024" and result["scene"]["seed_honoured"] is False
    assert result["scene"]["revised_prompts"] == [body["prompt"]]


def test_compatible_endpoint_gets_exact_size_and_b64(openai_env: Loopback, tmp_path: Path) -> None:
    job = {**JOB, "width": 96, "height": 64, "n_images": 2}
    result = OpenAIImagesRenderer("flux-schnell").render(job, tmp_path, "r")  # type: ignore[arg-type]
    body = openai_env.calls("/v1/images/generations")[0]["body"]
    assert body["size"] == "96x64" and body["response_format"] == "b64_json" and body["n"] == 2
    assert [Path(p).name for p in result["images"]] == ["r-1.png", "r-2.png"]
    assert all(Image.open(p).size == (96, 64) for p in result["images"])


@pytest.mark.parametrize(
    ("mode", "times", "message", "requests"),
    [
        ("401", 1, r"HTTP 401: Incorrect API key provided\.", 1),  # not retried
        ("500", 5, r"HTTP 500: internal error", 2),  # retried once (IMAGE_AGENT_OPENAI_RETRIES)
        ("malformed", 1, r"malformed reply", 1),
    ],
)
def test_image_failures_raise_one_line_render_errors(
    openai_env: Loopback, tmp_path: Path, mode: str, times: int, message: str, requests: int
) -> None:
    openai_env.fail("/v1/images/generations", mode, times=times)
    with pytest.raises(RenderError, match=message) as info:
        OpenAIImagesRenderer("gpt-image-1").render(JOB, tmp_path, "x")  # type: ignore[arg-type]
    assert "\n" not in str(info.value)
    assert len(openai_env.calls("/v1/images/generations")) == requests
    assert not (tmp_path / "x.png").exists()


def test_image_timeout(
    openai_env: Loopback, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IMAGE_AGENT_OPENAI_TIMEOUT", "0.3")
    monkeypatch.setenv("IMAGE_AGENT_OPENAI_RETRIES", "0")
    openai_env.fail("/v1/images/generations", "timeout:1.5")
    with pytest.raises(RenderError, match="timed out"):
        OpenAIImagesRenderer("gpt-image-1").render(JOB, tmp_path, "x")  # type: ignore[arg-type]


def test_specs_need_a_key_or_an_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_IMAGES_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(SpecError, match="set OPENAI_API_KEY"):
        validate_renderer_spec("openai:gpt-image-1")
    with pytest.raises(SpecError, match="set OPENAI_API_KEY"):
        validate_model_spec("openai:gpt-4o-mini", "llm")
    with pytest.raises(SpecError, match="names no model"):
        validate_renderer_spec("openai:")
    with pytest.raises(SpecError, match="cannot see images"):
        validate_model_spec("local", "vlm")
    monkeypatch.setenv("OPENAI_IMAGES_BASE_URL", "http://127.0.0.1:9/v1")
    validate_renderer_spec("openai:gpt-image-1")


# ------------------------------------------------------------------ the whole CLI


def _data_url_image(request: dict[str, Any]) -> Image.Image:
    user = request["body"]["messages"][-1]
    blocks = user["content"]
    assert isinstance(blocks, list)
    [image] = [b for b in blocks if b["type"] == "image_url"]
    url = image["image_url"]["url"]
    assert url.startswith("data:image/png;base64,")
    return Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))


def test_cli_run_on_openai_chat_vision_and_images(tmp_path: Path) -> None:
    rules = [VISION_VERDICTS, *default_rules()]
    with serve(openai_routes(rules)) as server:
        home, work = tmp_path / "home", tmp_path / "work"
        work.mkdir()
        out = cli(
            [
                "run",
                'A poster of the Mid-Autumn pastry with the words "Happy Mid-Autumn"',
                "--llm",
                "openai:planner-model",
                "--vlm",
                "openai:vision-model",
                "--renderer",
                "openai:gpt-image-1",
                "--search",
                "none",
                "--no-input",
                "--json",
                "--max-rounds",
                "1",
            ],
            home,
            work,
            OPENAI_BASE_URL=f"{server.url}/v1",
            OPENAI_API_KEY="sk-test",
            IMAGE_AGENT_WIDTH="1024",
            IMAGE_AGENT_HEIGHT="1024",
        )
        chats = server.calls("/v1/chat/completions")
        images = server.calls("/v1/images/generations")
    assert out.returncode == 0, out.stderr
    info = json.loads(out.stdout)
    schemas = [c["body"]["response_format"]["json_schema"]["name"] for c in chats]
    assert schemas[0] == "PlanDraft" and "Composed" in schemas and "Judged" in schemas
    planner = [c for c in chats if c["body"]["model"] == "planner-model"]
    assert len(planner) == len(chats) - 1  # every call but the judge's went to the --llm
    [judge] = [c for c in chats if c["body"]["model"] == "vision-model"]
    assert _data_url_image(judge).size == (1024, 1024)  # the rendered image, as pixels
    text = next(b["text"] for b in judge["body"]["messages"][-1]["content"] if b["type"] == "text")
    assert "1. The mood is festive" in text and "3. The pastry looks freshly baked" in text
    assert '2. The text "Happy Mid-Autumn" is visible' in text  # the image API reports no text
    assert len(images) == 1 and images[0]["body"]["size"] == "1024x1024"
    assert Image.open(info["images"][0]).size == (1024, 1024)
    verdicts = {v["item"]: v for v in info["checklist"]}
    assert verdicts["The mood is festive"]["reason"] == "red lanterns glow"
    assert verdicts["The pastry looks freshly baked"]["passed"] is False
    assert verdicts['The text "Happy Mid-Autumn" is visible']["reason"] == "the words are legible"
    report = Path(info["report"]).read_text()
    assert "pixel-level: a vision model looked at the rendered image" in report
    assert info["model_calls"]["total"] == len(chats)


def test_cli_vision_judge_failure_falls_back_to_text(tmp_path: Path) -> None:
    rules = [{"model": "vision", "status": 401}, *default_rules()]
    with serve(openai_routes(rules)) as server:
        home, work = tmp_path / "home", tmp_path / "work"
        work.mkdir()
        out = cli(
            [
                "run",
                "A poster of the Mid-Autumn pastry",
                "--llm",
                "openai:planner",
                "--vlm",
                "openai:vision",
                "--renderer",
                "py:tests.fakes.slow_renderer:SlowRenderer",
                "--search",
                "none",
                "--no-input",
                "--json",
                "--max-rounds",
                "1",
            ],
            home,
            work,
            OPENAI_BASE_URL=f"{server.url}/v1",
            OPENAI_API_KEY="sk-test",
        )
        chats = server.calls("/v1/chat/completions")
    assert out.returncode == 0, out.stderr
    info = json.loads(out.stdout)
    judged = [c for c in chats if c["body"]["model"] == "vision"]
    assert len(judged) == 1  # a 401 is not retried
    context = json.loads((Path(info["report"]).parent / "context.json").read_text())
    problems = [e["message"] for e in context["state"]["errors"]]
    assert any("vision judge openai:vision failed" in p and "401" in p for p in problems)
    assert context["state"]["rounds"][0]["judge_mode"].startswith("context-level")
    assert context["state"]["rounds"][0]["judge"] == "openai:planner"
    assert len(info["checklist"]) == 4  # the planner's three and the answer's
