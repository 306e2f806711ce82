"""How a `diffusers:` pipeline is placed and run: dtype, CPU offload, torch.compile, and the
per-step progress callback. Each setting is an environment variable, read when a pipeline
is loaded (one load per process):

| env var | values | default |
|---|---|---|
| `IMAGE_AGENT_DIFFUSERS_DTYPE` | `auto`, `bf16`, `fp16`, `fp32` | `auto`: bf16 (fp16 without bf16) on CUDA, fp16 on MPS, fp32 on the CPU |
| `IMAGE_AGENT_DIFFUSERS_OFFLOAD` | `none`, `model`, `sequential` | `none`; `model` keeps one sub-model at a time on the GPU, `sequential` one layer (slowest, least memory); both need a GPU and accelerate |
| `IMAGE_AGENT_DIFFUSERS_COMPILE` | `0`, `1` | `0`; `1` compiles the denoiser with `torch.compile` (the first image pays the compile) |

Attention runs through PyTorch's scaled-dot-product attention (diffusers' default processor
on torch 2), so no setting is needed for it. Weights load through accelerate (a dependency),
which diffusers uses for `low_cpu_mem_usage` loading and for offload.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from renderers.base import report_step
from tools.errors import SpecError

DTYPES = {"bf16": "bfloat16", "fp16": "float16", "fp32": "float32"}
OFFLOADS = ("none", "model", "sequential")


@dataclass(frozen=True)
class Settings:
    dtype: str  # "auto" or a DTYPES key
    offload: str
    compile: bool


def settings() -> Settings:
    """The settings from the environment; a value outside the choices is a SpecError."""
    dtype = os.environ.get("IMAGE_AGENT_DIFFUSERS_DTYPE", "auto").strip().lower() or "auto"
    if dtype != "auto" and dtype not in DTYPES:
        raise SpecError(f"IMAGE_AGENT_DIFFUSERS_DTYPE={dtype!r}: use auto, bf16, fp16 or fp32")
    offload = os.environ.get("IMAGE_AGENT_DIFFUSERS_OFFLOAD", "none").strip().lower() or "none"
    if offload not in OFFLOADS:
        raise SpecError(f"IMAGE_AGENT_DIFFUSERS_OFFLOAD={offload!r}: use none, model or sequential")
    compiled = os.environ.get("IMAGE_AGENT_DIFFUSERS_COMPILE", "0").strip()
    if compiled not in ("0", "1", ""):
        raise SpecError(f"IMAGE_AGENT_DIFFUSERS_COMPILE={compiled!r}: use 0 or 1")
    return Settings(dtype=dtype, offload=offload, compile=compiled == "1")


def torch_dtype(chosen: Settings, automatic: Any) -> Any:
    import torch

    return automatic if chosen.dtype == "auto" else getattr(torch, DTYPES[chosen.dtype])


def place(pipe: Any, device: str, chosen: Settings) -> Any:
    """Move `pipe` to `device`, or let accelerate offload it, then compile if asked."""
    if chosen.offload != "none":
        if not device.startswith(("cuda", "xpu")):
            raise SpecError(
                f"IMAGE_AGENT_DIFFUSERS_OFFLOAD={chosen.offload}: offload needs a GPU "
                f"(the device is {device})"
            )
        if chosen.offload == "model":
            pipe.enable_model_cpu_offload(device=device)
        else:
            pipe.enable_sequential_cpu_offload(device=device)
    else:
        pipe = pipe.to(device)
    if chosen.compile:
        import torch

        for name in ("unet", "transformer"):
            denoiser = getattr(pipe, name, None)
            if denoiser is not None:
                setattr(pipe, name, torch.compile(denoiser))
    return pipe


def step_callback(pipe: Any) -> Callable[..., dict[str, Any]]:
    """A `callback_on_step_end` that reports each finished denoising step."""

    def on_step_end(
        _pipe: Any, step: int, _timestep: Any, callback_kwargs: dict[str, Any]
    ) -> dict[str, Any]:
        report_step(step + 1, int(getattr(pipe, "num_timesteps", 0) or 0))
        return callback_kwargs

    return on_step_end
