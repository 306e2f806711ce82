"""The diffusers renderer on a tiny pipeline built here from configs (random weights),
saved with `save_pretrained` and loaded back through the spec string (`local_files_only`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from renderers.base import RenderJob
from renderers.diffusers_renderer import DiffusersRenderer, load_count, parse_source, pick_device
from renderers.registry import get_renderer, validate_renderer_spec
from tests.conftest import PLAN, default_rules, plan_with
from tests.unit.test_cli import cli
from tools.errors import SpecError

LETTERS = "abcdefghijklmnopqrstuvwxyz"


def build_tiny_pipeline(folder: Path) -> Path:
    """A Stable Diffusion pipeline with a few thousand random weights and a hand-made vocab."""
    import torch
    from diffusers import (
        AutoencoderKL,
        DDIMScheduler,
        StableDiffusionPipeline,
        UNet2DConditionModel,
    )
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    torch.manual_seed(0)
    unet = UNet2DConditionModel(
        block_out_channels=(8, 16),
        layers_per_block=1,
        sample_size=16,
        in_channels=4,
        out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=16,
        norm_num_groups=4,
        attention_head_dim=2,
    )
    vae = AutoencoderKL(
        block_out_channels=(8, 16),
        in_channels=3,
        out_channels=3,
        down_block_types=("DownEncoderBlock2D",) * 2,
        up_block_types=("UpDecoderBlock2D",) * 2,
        latent_channels=4,
        norm_num_groups=4,
        sample_size=32,
    )
    vocab = ["<|startoftext|>", "<|endoftext|>", *LETTERS, *(c + "</w>" for c in LETTERS)]
    words = folder / "vocab"
    words.mkdir(parents=True)
    (words / "vocab.json").write_text(json.dumps({w: i for i, w in enumerate(vocab)}))
    (words / "merges.txt").write_text("#version: 0.2\n")
    tokenizer = CLIPTokenizer(
        str(words / "vocab.json"), str(words / "merges.txt"), model_max_length=16
    )
    text_encoder = CLIPTextModel(
        CLIPTextConfig(
            vocab_size=len(vocab),
            hidden_size=16,
            intermediate_size=32,
            num_hidden_layers=1,
            num_attention_heads=2,
            max_position_embeddings=16,
            bos_token_id=0,
            eos_token_id=1,
            pad_token_id=1,
        )
    )
    scheduler = DDIMScheduler(
        beta_start=0.00085,
        beta_end=0.012,
        beta_schedule="scaled_linear",
        clip_sample=False,
        set_alpha_to_one=False,
        steps_offset=1,
    )
    pipe = StableDiffusionPipeline(
        unet=unet,
        vae=vae,
        text_encoder=text_encoder,
        tokenizer=tokenizer,
        scheduler=scheduler,
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )
    target = folder / "tiny-sd"
    pipe.save_pretrained(target)
    return target


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_pipeline(tmp_path_factory.mktemp("diffusers"))


def job(**extra: Any) -> RenderJob:
    base: dict[str, Any] = {
        "prompt": "a red apple",
        "negative_prompt": "blurry",
        "width": 70,
        "height": 45,
        "seed": 0,
        "steps": 2,
        "guidance": 4.0,
    }
    return {**base, **extra}  # type: ignore[return-value]


def pixels(path: str) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"), dtype=np.int16)


def test_validation(tmp_path: Path, tiny: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    validate_renderer_spec(f"diffusers:{tiny}")
    assert parse_source(str(tiny)) == (str(tiny.resolve()), True)
    with pytest.raises(SpecError, match="no such folder"):
        validate_renderer_spec(f"diffusers:{tmp_path / 'missing'}")
    (tmp_path / "empty").mkdir()
    with pytest.raises(SpecError, match="holds no diffusers pipeline"):
        validate_renderer_spec(f"diffusers:{tmp_path / 'empty'}")
    with pytest.raises(SpecError, match="names no model"):
        validate_renderer_spec("diffusers:")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    with pytest.raises(SpecError, match="not in the local Hugging Face cache"):
        validate_renderer_spec("diffusers:stabilityai/sdxl-turbo")
    monkeypatch.delenv("HF_HUB_OFFLINE")
    assert parse_source("stabilityai/sdxl-turbo") == ("stabilityai/sdxl-turbo", False)


def test_cpu_device_and_dtype() -> None:
    import torch

    device, dtype = pick_device()
    assert (device, dtype) == ("cpu", torch.float32)  # no GPU on the test machines


def test_renders_once_loaded_and_seeded(tiny: Path, tmp_path: Path) -> None:
    spec = f"diffusers:{tiny}"
    renderer = get_renderer(spec)
    assert isinstance(renderer, DiffusersRenderer) and get_renderer(spec) is renderer
    before = load_count(str(tiny))
    first = renderer.render(job(seed=0), tmp_path, "round-1")
    again = renderer.render(job(seed=0), tmp_path, "again")
    other = renderer.render(job(seed=1), tmp_path, "round-2")
    assert load_count(str(tiny)) == before + 1 == 1  # loaded once, reused
    for result in (first, again, other):
        assert Image.open(result["images"][0]).size == (70, 45)  # resized back to the request
    assert np.array_equal(pixels(first["images"][0]), pixels(again["images"][0]))
    assert np.abs(pixels(first["images"][0]) - pixels(other["images"][0])).mean() > 1.0
    scene = first["scene"]
    assert scene["pipeline"] == "StableDiffusionPipeline"
    assert scene["generated_size"] == [64, 40]  # multiples of 8
    assert scene["size"] == [70, 45]
    assert scene["steps"] == 2 and scene["guidance"] == 4.0 and scene["seed"] == 0
    assert scene["negative_prompt"] == "blurry" and scene["device"] == "cpu"
    assert scene["load_seconds"] > 0 and again["scene"]["load_seconds"] == 0
    defaults = renderer.render(job(guidance=0, n_images=2, width=16, height=16), tmp_path, "d")
    assert defaults["scene"]["guidance"] == 7.5  # the pipeline's own default
    assert [Path(p).name for p in defaults["images"]] == ["d-1.png", "d-2.png"]


def test_cli_run_with_diffusers(tiny: Path, tmp_path: Path, script: Callable[..., str]) -> None:
    # its words sit in two clauses of the composed prompt: code leaves it to the judge
    scattered = "The pastry has a festive mood"
    text_item = 'The text "Happy Mid-Autumn" is visible'
    planned = plan_with(PLAN["gaps"], checklist=[scattered, text_item, "A mooncake is shown"])
    judged = {
        "schema": "Judged",
        "response": {"verdicts": [{"item": scattered, "passed": False, "reason": "not festive"}]},
    }
    spec = script(
        first=[{"schema": "PlanDraft", "response": planned}, judged], rules=default_rules()
    )
    home, work = tmp_path / "home", tmp_path / "work"
    work.mkdir()
    out = cli(
        [
            "run",
            "A poster of the Mid-Autumn pastry in a festive mood: it looks freshly baked, with "
            '"Happy Mid-Autumn" written on it',
            "--llm",
            spec,
            "--renderer",
            f"diffusers:{tiny}",
            "--search",
            "none",
            "--no-input",
            "--json",
            "--max-rounds",
            "2",
        ],
        home,
        work,
        IMAGE_AGENT_WIDTH="64",
        IMAGE_AGENT_HEIGHT="48",
        IMAGE_AGENT_STEPS="2",
        HF_HUB_OFFLINE="1",
    )
    assert out.returncode == 0, out.stderr
    assert "round 1: step 1/2" in out.stderr and "round 2: step 2/2" in out.stderr
    info = json.loads(out.stdout)
    assert info["rounds"] == 2
    context = json.loads((Path(info["report"]).parent / "context.json").read_text())
    rounds = context["state"]["rounds"]
    for number, record in enumerate(rounds, 1):
        [path] = record["images"]
        assert Path(path).name == f"round-{number}.png"
        with Image.open(path) as image:
            assert image.format == "PNG" and image.size == (64, 48)
        assert record["scene"]["pipeline_loads"] == 1  # one load for both renders
    assert [r["seed"] for r in rounds] == [0, 1]  # a different seed for the feedback round
    assert rounds[0]["scene"]["load_seconds"] > 0 and rounds[1]["scene"]["load_seconds"] == 0
    assert not np.array_equal(pixels(rounds[0]["images"][0]), pixels(rounds[1]["images"][0]))


def test_cli_bad_diffusers_path_exits_2(tmp_path: Path) -> None:
    home, work = tmp_path / "home", tmp_path / "work"
    work.mkdir()
    out = cli(["run", "a cat", "--renderer", f"diffusers:{tmp_path / 'nope'}"], home, work)
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and "no such folder" in out.stderr
    assert "Traceback" not in out.stderr and not home.exists()
