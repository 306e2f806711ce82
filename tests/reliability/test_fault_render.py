"""Faults at the renderers: the OpenAI Images API on a loopback server (500, a
content-policy refusal, a timeout) and a diffusers pipeline that raises (out of memory, or
anything else). The pipeline is a tiny one built from configs; its UNet is made to fail by
a forward hook, the boundary where a real device runs out of memory."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import torch
from PIL import Image

from renderers.base import RenderError
from renderers.diffusers_renderer import DiffusersRenderer, _pipeline
from tests.conftest import default_rules
from tests.fakes.loopback import Loopback, openai_routes, serve
from tests.reliability.harness import cli, problems, run_args, status
from tests.unit.test_diffusers_renderer import build_tiny_pipeline, job

IMAGES = "/v1/images/generations"


@pytest.fixture
def images_api(home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Loopback]:
    with serve(openai_routes(default_rules())) as server:
        for name, value in {
            "OPENAI_IMAGES_BASE_URL": f"{server.url}/v1",
            "OPENAI_API_KEY": "sk-test",
            "IMAGE_AGENT_OPENAI_TIMEOUT": "1",
            "IMAGE_AGENT_OPENAI_RETRIES": "1",
            "IMAGE_AGENT_WIDTH": "64",
            "IMAGE_AGENT_HEIGHT": "64",
        }.items():
            monkeypatch.setenv(name, value)
        yield server


def image_args(out: Path, spec: str) -> list[str]:
    return run_args(
        out,
        "--llm",
        spec,
        "--search",
        "none",
        "--renderer",
        "openai:img-server",
        "--max-rounds",
        "1",
    )


@pytest.mark.parametrize("mode", ["500", "timeout:3"])
def test_one_image_api_fault_is_retried(
    images_api: Loopback,
    script: Callable[..., str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    mode: str,
) -> None:
    images_api.fail(IMAGES, mode)
    out = cli(capsys, *image_args(tmp_path / "out", script()))
    assert out.code == 0, out.stderr
    assert len(images_api.calls(IMAGES)) == 2
    assert Image.open(out.info["images"][0]).size == (64, 64)


@pytest.mark.parametrize(
    ("mode", "times", "says"),
    [
        ("500", 50, "HTTP 500: internal error"),
        ("timeout:3", 50, "the image request timed out"),
        ("policy", 1, "HTTP 400: Your request was rejected as a result of our safety system"),
    ],
)
def test_image_api_failure_ends_the_run_in_one_line_and_resume_finishes_it(
    images_api: Loopback,
    script: Callable[..., str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    mode: str,
    times: int,
    says: str,
) -> None:
    images_api.fail(IMAGES, mode, times=times)
    failed = cli(capsys, *image_args(tmp_path / "out", script()))
    assert failed.code == 1
    assert says in failed.failure_line()
    # the client's one retry for a server error or a timeout; a refusal is not retried
    assert len(images_api.calls(IMAGES)) == (1 if mode == "policy" else 2)
    assert status(capsys, failed.run_id) == "failed"
    assert not list((tmp_path / "out").rglob("*.png"))  # no partial image
    images_api.failures.clear()
    resumed = cli(capsys, "resume", failed.run_id, "--json")
    assert resumed.code == 0, resumed.stderr
    assert Image.open(resumed.info["images"][0]).size == (64, 64)
    assert status(capsys, failed.run_id) == "done"


# ------------------------------------------------------------------ diffusers


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_pipeline(tmp_path_factory.mktemp("diffusers"))


@pytest.fixture
def failing_unet(tiny: Path) -> Iterator[Callable[[Callable[[torch.Tensor], None]], None]]:
    """Install `check(sample)` before the tiny pipeline's UNet runs (it may raise)."""
    renderer = DiffusersRenderer(str(tiny))
    pipe, _ = _pipeline(renderer.key, renderer.local)
    handles: list[Any] = []

    def install(check: Callable[[torch.Tensor], None]) -> None:
        handles.append(pipe.unet.register_forward_pre_hook(lambda _m, args: check(args[0])))

    yield install
    for handle in handles:
        handle.remove()


def test_out_of_memory_retries_once_at_a_smaller_size(
    tiny: Path, tmp_path: Path, failing_unet: Callable[..., None]
) -> None:
    sizes: list[tuple[int, int]] = []

    def check(sample: torch.Tensor) -> None:
        sizes.append((int(sample.shape[-1]), int(sample.shape[-2])))
        if sizes[0] == sizes[-1]:  # only the first, full size is too big
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    failing_unet(check)
    result = DiffusersRenderer(str(tiny)).render(job(width=96, height=64), tmp_path, "r")
    scene = result["scene"]
    assert scene["generated_size"][0] * scene["generated_size"][1] <= 96 * 64 // 2
    assert scene["degraded"].startswith("out of memory at 96x64; generated at ")
    assert Image.open(result["images"][0]).size == (96, 64)  # resized to what was asked
    assert len(set(sizes)) == 2  # one retry, at one smaller size


@pytest.mark.parametrize(
    ("error", "says"),
    [
        (torch.OutOfMemoryError("CUDA out of memory."), "after a retry at a smaller size"),
        (RuntimeError("expected scalar type Half\nbut found Float"), "expected scalar type Half"),
    ],
)
def test_a_pipeline_that_keeps_failing_raises_one_line(
    tiny: Path,
    tmp_path: Path,
    failing_unet: Callable[..., None],
    error: Exception,
    says: str,
) -> None:
    calls: list[int] = []

    def check(sample: torch.Tensor) -> None:
        calls.append(1)
        raise error

    failing_unet(check)
    with pytest.raises(RenderError) as info:
        DiffusersRenderer(str(tiny)).render(job(width=96, height=64), tmp_path, "r")
    assert says in str(info.value) and "\n" not in str(info.value)
    assert len(calls) == (2 if isinstance(error, torch.OutOfMemoryError) else 1)
    assert not list(tmp_path.glob("*.png"))


def test_the_report_lists_an_out_of_memory_retry(
    tiny: Path,
    home: Path,
    tmp_path: Path,
    script: Callable[..., str],
    capsys: pytest.CaptureFixture[str],
    failing_unet: Callable[..., None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[int] = []

    def check(sample: torch.Tensor) -> None:
        seen.append(int(sample.shape[-1]))
        if seen[-1] == seen[0]:
            raise torch.OutOfMemoryError("CUDA out of memory.")

    failing_unet(check)
    for name, value in {"IMAGE_AGENT_WIDTH": "64", "IMAGE_AGENT_HEIGHT": "64"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("IMAGE_AGENT_STEPS", "2")
    args = run_args(tmp_path / "out", "--llm", script(), "--search", "none", "--max-rounds", "1")
    out = cli(capsys, *args, "--renderer", f"diffusers:{tiny}")
    assert out.code == 0, out.stderr
    [line] = [p for p in problems(out.info) if p.startswith("render:")]
    assert "round 1: out of memory at 64x64; generated at" in line
