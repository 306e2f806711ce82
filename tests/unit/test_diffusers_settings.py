"""diffusers settings (dtype, offload, compile) and per-step progress, on a tiny pipeline."""

from __future__ import annotations

from pathlib import Path

import pytest

from renderers.base import step_reporter
from renderers.diffusers_renderer import DiffusersRenderer
from renderers.diffusers_settings import place, settings
from renderers.registry import validate_renderer_spec
from tests.unit.test_cli import cli
from tests.unit.test_diffusers_renderer import build_tiny_pipeline, job
from tools.errors import SpecError


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_pipeline(tmp_path_factory.mktemp("diffusers-settings"))


def test_each_denoising_step_is_reported(tiny: Path, tmp_path: Path) -> None:
    heard: list[tuple[int, int]] = []
    token = step_reporter.set(lambda done, total: heard.append((done, total)))
    try:
        DiffusersRenderer(str(tiny)).render(job(steps=3), tmp_path, "stepped")
    finally:
        step_reporter.reset(token)
    assert heard == [(1, 3), (2, 3), (3, 3)]
    DiffusersRenderer(str(tiny)).render(job(steps=2), tmp_path, "unheard")  # nobody listens
    assert len(heard) == 3


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("IMAGE_AGENT_DIFFUSERS_DTYPE", "half", "use auto, bf16, fp16 or fp32"),
        ("IMAGE_AGENT_DIFFUSERS_OFFLOAD", "disk", "use none, model or sequential"),
        ("IMAGE_AGENT_DIFFUSERS_COMPILE", "yes", "use 0 or 1"),
    ],
)
def test_a_bad_setting_is_refused_before_the_run(
    tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SpecError, match=message):
        validate_renderer_spec(f"diffusers:{tiny}")
    home, work = tmp_path / "home", tmp_path / "work"
    work.mkdir()
    out = cli(["run", "a cat", "--renderer", f"diffusers:{tiny}"], home, work, **{name: value})
    assert out.returncode == 2 and message in out.stderr
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr


def test_offload_without_a_gpu_says_so(monkeypatch: pytest.MonkeyPatch, tiny: Path) -> None:
    from diffusers import AutoPipelineForText2Image

    monkeypatch.setenv("IMAGE_AGENT_DIFFUSERS_OFFLOAD", "model")
    pipe = AutoPipelineForText2Image.from_pretrained(str(tiny), local_files_only=True)
    with pytest.raises(SpecError, match="offload needs a GPU"):
        place(pipe, "cpu", settings())


def test_an_explicit_dtype_is_used(monkeypatch: pytest.MonkeyPatch, tiny: Path) -> None:
    import torch

    from renderers.diffusers_settings import torch_dtype

    monkeypatch.setenv("IMAGE_AGENT_DIFFUSERS_DTYPE", "bf16")
    assert torch_dtype(settings(), torch.float32) is torch.bfloat16
    monkeypatch.setenv("IMAGE_AGENT_DIFFUSERS_DTYPE", "auto")
    assert torch_dtype(settings(), torch.float16) is torch.float16
