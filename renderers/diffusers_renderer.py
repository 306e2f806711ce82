"""`diffusers:PATH_OR_HUB_ID`: any text-to-image pipeline diffusers can load.

`AutoPipelineForText2Image.from_pretrained` picks the pipeline class the folder's
`model_index.json` names (SD 1.x/2.x, SDXL, SD3, FLUX, Qwen-Image, ...). Files are read
locally only (`local_files_only`) when the source is a folder or HF_HUB_OFFLINE is set.
The device is picked automatically (cuda, then mps, then cpu; IMAGE_AGENT_DEVICE
overrides) with a dtype to match: bf16 (or fp16) on a GPU, fp32 on the CPU. Offload,
torch.compile and the dtype are settings (renderers/diffusers_settings.py); each denoising
step is reported to whoever renders (the CLI prints it, the stream carries it).

One pipeline per source per process: it is loaded on the first render and reused by every
later render and run (`load_count()` tells how often a source was loaded). Width and height
are rounded to what the model accepts and the image is resized back to the requested size;
steps and guidance come from the job or the pipeline's defaults; the negative prompt and the
number of images are passed when the pipeline takes them; the seed comes from the job (the
render node adds the round number, so each feedback round draws a different image).

Out of memory (CUDA, MPS or CPU): the device cache is emptied and the image is generated
once more at half the pixels, then resized to the requested size; the scene's `degraded`
says so (the report lists it under Problems). Any other failure, or a second out of
memory, raises RenderError with one line.
"""

from __future__ import annotations

import inspect
import logging
import math
import os
import re
import threading
import time
from pathlib import Path
from typing import Any

from renderers.base import RenderError, RenderJob, RenderResult
from renderers.diffusers_settings import place, settings, step_callback, torch_dtype
from tools.errors import SpecError
from tools.files import save_image
from tools.loads import loaded

log = logging.getLogger(__name__)

_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
_lock = threading.Lock()
_pipelines: dict[str, Any] = {}
_loads: dict[str, int] = {}
_call_locks: dict[str, threading.Lock] = {}


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def parse_source(source: str) -> tuple[str, bool]:
    """(what to load, whether it is a local folder); raises SpecError (one line).

    A local folder must hold a `model_index.json`; a hub id (`org/name`) must be in the local
    cache when HF_HUB_OFFLINE is set. Nothing is loaded.
    """
    text = source.strip()
    if not text:
        raise SpecError("renderer spec 'diffusers:' names no model (diffusers:PATH_OR_HUB_ID)")
    path = Path(text).expanduser()
    looks_local = text.startswith((".", "/", "~")) or path.exists() or not _HUB_ID.match(text)
    if looks_local:
        if not path.exists():
            raise SpecError(f"renderer spec 'diffusers:{text}': no such folder {str(path)!r}")
        if not path.is_dir() or not (path / "model_index.json").is_file():
            raise SpecError(
                f"renderer spec 'diffusers:{text}': {str(path)!r} holds no diffusers pipeline "
                "(no model_index.json)"
            )
        return str(path.resolve()), True
    if _offline():
        from huggingface_hub import try_to_load_from_cache

        cached = try_to_load_from_cache(text, "model_index.json")
        if not isinstance(cached, str):
            raise SpecError(
                f"renderer spec 'diffusers:{text}': not in the local Hugging Face cache "
                "and HF_HUB_OFFLINE is set"
            )
    return text, False


def pick_device() -> tuple[str, Any]:
    """(device, dtype): cuda with bf16 (fp16 without bf16), mps with fp16, else cpu fp32."""
    import torch

    wanted = os.environ.get("IMAGE_AGENT_DEVICE", "").strip().lower()
    if wanted:
        device = wanted
    elif torch.cuda.is_available():
        device = "cuda"
    elif getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        device = "mps"
    else:
        device = "cpu"
    if device.startswith("cuda"):
        return device, torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    if device == "mps":
        return device, torch.float16
    return device, torch.float32


def load_count(source: str) -> int:
    """How many times this process loaded the pipeline for `source`."""
    key, _ = parse_source(source)
    with _lock:
        return _loads.get(key, 0)


def _pipeline(key: str, local: bool) -> tuple[Any, float]:
    """The process-wide pipeline for `key` and the seconds spent loading it now (0: cached)."""
    with _lock:
        pipe = _pipelines.get(key)
        if pipe is not None:
            return pipe, 0.0
        from diffusers import AutoPipelineForText2Image

        chosen = settings()
        device, automatic = pick_device()
        dtype = torch_dtype(chosen, automatic)
        started = time.perf_counter()
        log.info("loading diffusers pipeline %s on %s (%s, %s)", key, device, dtype, chosen)
        try:
            pipe = AutoPipelineForText2Image.from_pretrained(
                key, dtype=dtype, local_files_only=local or _offline()
            )
            pipe = place(pipe, device, chosen)
        except SpecError:
            raise
        except Exception as exc:
            detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise RenderError(f"diffusers: cannot load {key!r}: {detail}") from exc
        pipe.set_progress_bar_config(disable=True)
        _pipelines[key] = pipe
        _loads[key] = _loads.get(key, 0) + 1
        loaded("diffusers")
        _call_locks[key] = threading.Lock()
        return pipe, time.perf_counter() - started


def _multiple(pipe: Any) -> int:
    """Sizes must be a multiple of this: 8 (SD, SDXL) and the VAE's scale factor times 2
    (packed latents: FLUX, Qwen-Image)."""
    factor = int(getattr(pipe, "vae_scale_factor", 8) or 8)
    return math.lcm(8, factor * 2)


def _snap(value: int, multiple: int) -> int:
    return max(multiple, (int(value) // multiple) * multiple)


class DiffusersRenderer:
    """Renders with a diffusers text-to-image pipeline (loaded once per process)."""

    def __init__(self, source: str) -> None:
        self.source = source.strip()
        self.key, self.local = parse_source(self.source)
        self.name = f"diffusers:{self.source}"

    def render(self, job: RenderJob, out_dir: Path, stem: str) -> RenderResult:
        import torch

        pipe, load_seconds = _pipeline(self.key, self.local)
        width, height = int(job.get("width") or 1024), int(job.get("height") or 1024)
        multiple = _multiple(pipe)
        gen_w, gen_h = _snap(width, multiple), _snap(height, multiple)
        seed = int(job.get("seed", 0))
        accepted = set(inspect.signature(pipe.__call__).parameters)
        kwargs: dict[str, Any] = {
            "prompt": job.get("prompt", ""),
            "width": gen_w,
            "height": gen_h,
            "generator": torch.Generator(device="cpu").manual_seed(seed),
        }
        negative = str(job.get("negative_prompt") or "").strip()
        if negative and "negative_prompt" in accepted:
            kwargs["negative_prompt"] = negative
        n_images = max(1, int(job.get("n_images") or 1))
        if n_images > 1 and "num_images_per_prompt" in accepted:
            kwargs["num_images_per_prompt"] = n_images
        if int(job.get("steps") or 0) > 0:
            kwargs["num_inference_steps"] = int(job.get("steps") or 0)
        if float(job.get("guidance") or 0) > 0:
            kwargs["guidance_scale"] = float(job.get("guidance") or 0)
        if "callback_on_step_end" in accepted:  # per-step progress for the CLI and the stream
            kwargs["callback_on_step_end"] = step_callback(pipe)
        started = time.perf_counter()
        degraded = ""
        try:
            images = self._generate(pipe, kwargs)
        except Exception as exc:
            smaller = _smaller(gen_w, gen_h, multiple)
            if not _out_of_memory(exc) or smaller == (gen_w, gen_h):
                raise _failed(exc) from exc
            _free_memory()
            log.warning(
                "diffusers: out of memory at %dx%d; retrying at %dx%d", gen_w, gen_h, *smaller
            )
            degraded = (
                f"out of memory at {gen_w}x{gen_h}; generated at {smaller[0]}x{smaller[1]} "
                f"and resized to {width}x{height}"
            )
            gen_w, gen_h = kwargs["width"], kwargs["height"] = smaller
            kwargs["generator"] = torch.Generator(device="cpu").manual_seed(seed)
            try:
                images = self._generate(pipe, kwargs)
            except Exception as again:
                raise _failed(again, "after a retry at a smaller size") from again
        seconds = time.perf_counter() - started
        out_dir.mkdir(parents=True, exist_ok=True)
        paths: list[str] = []
        for index, image in enumerate(images):
            if image.size != (width, height):
                from PIL import Image

                image = image.resize((width, height), Image.Resampling.LANCZOS)
            name = f"{stem}.png" if len(images) == 1 else f"{stem}-{index + 1}.png"
            path = (out_dir / name).resolve()
            save_image(image, path)
            paths.append(str(path))
        defaults = inspect.signature(pipe.__call__).parameters
        steps = kwargs.get("num_inference_steps", defaults.get("num_inference_steps"))
        guidance = kwargs.get("guidance_scale", defaults.get("guidance_scale"))
        scene = {
            "renderer": "diffusers",
            "model": self.source,
            "pipeline": type(pipe).__name__,
            "device": str(getattr(pipe, "device", "")),
            "dtype": str(getattr(pipe, "dtype", "")),
            "prompt": kwargs["prompt"],
            "negative_prompt": kwargs.get("negative_prompt", ""),
            "size": [width, height],
            "generated_size": [gen_w, gen_h],
            "steps": _plain(steps),
            "guidance": _plain(guidance),
            "seed": seed,
            "seconds": round(seconds, 3),
            "load_seconds": round(load_seconds, 3),
            "pipeline_loads": _loads.get(self.key, 0),
        }
        if degraded:
            scene["degraded"] = degraded
        return {"images": paths, "scene": scene}

    def _generate(self, pipe: Any, kwargs: dict[str, Any]) -> list[Any]:
        with _call_locks[self.key]:  # one call at a time per pipeline (not thread-safe)
            return list(pipe(**kwargs).images)


def _out_of_memory(exc: BaseException) -> bool:
    import torch

    return isinstance(exc, torch.OutOfMemoryError | MemoryError) or (
        "out of memory" in str(exc).lower()
    )


def _smaller(width: int, height: int, multiple: int) -> tuple[int, int]:
    """Half the pixels (each side over the square root of 2), on the model's grid."""
    return _snap(int(width / math.sqrt(2)), multiple), _snap(int(height / math.sqrt(2)), multiple)


def _free_memory() -> None:
    import gc

    import torch

    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
    mps = getattr(torch, "mps", None)
    if mps is not None and torch.backends.mps.is_available():
        mps.empty_cache()


def _failed(exc: BaseException, when: str = "") -> RenderError:
    detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return RenderError(f"diffusers: generation failed{' ' + when if when else ''}: {detail}")


def _plain(value: Any) -> Any:
    """A JSON-like value for the scene (a signature default is an inspect.Parameter)."""
    default = getattr(value, "default", value)
    return default if isinstance(default, int | float | str) or default is None else str(default)
