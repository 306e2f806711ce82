"""`diffusers:` throughput and peak memory on a GPU, from architectures built from configs
with random weights (nothing is downloaded): an SD-1.5-class and an SDXL-class pipeline, at
512² and 1024², with and without `torch.compile` on the denoiser.

    python -m benchmarks.perf.gpu [--steps 20] [--repeats 3] [--out FILE.json]
    python -m benchmarks.perf.gpu --tiny      # the same code on tiny configs (CPU smoke test)

Each row: the first call's seconds (with compile: the compile), then the median seconds per
image over `--repeats` calls, denoising steps per second, and the peak memory that torch
allocated. Random weights draw noise, but cost exactly what trained weights cost.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

LETTERS = "abcdefghijklmnopqrstuvwxyz"
# (unet channels, vae channels, text widths, transformer depth per level, head dims) by size
SD: dict[str, Any] = {
    "unet": (320, 640, 1280, 1280),
    "vae": (128, 256, 512, 512),
    "text": 768,
    "heads": 8,
}
TINY_SD: dict[str, Any] = {"unet": (8, 16), "vae": (8, 16), "text": 16, "heads": 2}
XL: dict[str, Any] = {"unet": (320, 640, 1280), "vae": (128, 256, 512, 512), "depth": (1, 2, 10)}
TINY_XL: dict[str, Any] = {"unet": (8, 16), "vae": (8, 16), "depth": (1, 1)}


def _tokenizer(folder: Path, length: int) -> Any:
    from transformers import CLIPTokenizer

    vocab = ["<|startoftext|>", "<|endoftext|>", *LETTERS, *(c + "</w>" for c in LETTERS)]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.json").write_text(json.dumps({w: i for i, w in enumerate(vocab)}))
    (folder / "merges.txt").write_text("#version: 0.2\n")
    return CLIPTokenizer(
        str(folder / "vocab.json"), str(folder / "merges.txt"), model_max_length=length
    )


def _text(width: int, layers: int, length: int, projection: bool = False) -> Any:
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection

    config = CLIPTextConfig(
        vocab_size=49408 if layers > 1 else 2 + 2 * len(LETTERS),
        hidden_size=width,
        intermediate_size=width * 4,
        num_hidden_layers=layers,
        num_attention_heads=max(1, width // 64),
        max_position_embeddings=length,
        projection_dim=width,
        bos_token_id=0,
        eos_token_id=1,
        pad_token_id=1,
    )
    return (CLIPTextModelWithProjection if projection else CLIPTextModel)(config)


def _vae(channels: tuple[int, ...]) -> Any:
    from diffusers import AutoencoderKL

    return AutoencoderKL(
        block_out_channels=channels,
        down_block_types=("DownEncoderBlock2D",) * len(channels),
        up_block_types=("UpDecoderBlock2D",) * len(channels),
        latent_channels=4,
        norm_num_groups=min(32, channels[0]),
    )


def _scheduler() -> Any:
    from diffusers import EulerDiscreteScheduler

    return EulerDiscreteScheduler(beta_schedule="scaled_linear", beta_start=0.00085, beta_end=0.012)


def build_sd(tiny: bool, folder: Path) -> Any:
    from diffusers import StableDiffusionPipeline, UNet2DConditionModel

    arch = TINY_SD if tiny else SD
    unet_ch, text = arch["unet"], int(arch["text"])
    levels = len(unet_ch)
    unet = UNet2DConditionModel(
        block_out_channels=unet_ch,
        layers_per_block=1 if tiny else 2,
        down_block_types=("CrossAttnDownBlock2D",) * (levels - 1) + ("DownBlock2D",),
        up_block_types=("UpBlock2D",) + ("CrossAttnUpBlock2D",) * (levels - 1),
        cross_attention_dim=text,
        attention_head_dim=arch["heads"],
        norm_num_groups=min(32, unet_ch[0]),
    )
    return StableDiffusionPipeline(
        vae=_vae(arch["vae"]),
        text_encoder=_text(text, 1 if tiny else 12, 77),
        tokenizer=_tokenizer(folder / "sd-vocab", 77),
        unet=unet,
        scheduler=_scheduler(),
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )


def build_sdxl(tiny: bool, folder: Path) -> Any:
    from diffusers import StableDiffusionXLPipeline, UNet2DConditionModel

    arch = TINY_XL if tiny else XL
    unet_ch, depth = arch["unet"], arch["depth"]
    small, large = (16, 32) if tiny else (768, 1280)
    time_dim = 8 if tiny else 256
    unet = UNet2DConditionModel(
        block_out_channels=unet_ch,
        layers_per_block=1 if tiny else 2,
        down_block_types=("DownBlock2D",) + ("CrossAttnDownBlock2D",) * (len(unet_ch) - 1),
        up_block_types=("CrossAttnUpBlock2D",) * (len(unet_ch) - 1) + ("UpBlock2D",),
        transformer_layers_per_block=depth,
        attention_head_dim=tuple(max(1, c // 64) for c in unet_ch),
        cross_attention_dim=small + large,
        use_linear_projection=True,
        addition_embed_type="text_time",
        addition_time_embed_dim=time_dim,
        projection_class_embeddings_input_dim=time_dim * 6 + large,
        norm_num_groups=min(32, unet_ch[0]),
    )
    return StableDiffusionXLPipeline(
        vae=_vae(arch["vae"]),
        text_encoder=_text(small, 1 if tiny else 12, 77),
        text_encoder_2=_text(large, 1 if tiny else 32, 77, projection=True),
        tokenizer=_tokenizer(folder / "xl-vocab", 77),
        tokenizer_2=_tokenizer(folder / "xl-vocab-2", 77),
        unet=unet,
        scheduler=_scheduler(),
    )


def measure(pipe: Any, size: int, steps: int, repeats: int, compiled: bool) -> dict[str, Any]:
    import torch

    cuda = torch.cuda.is_available()
    if compiled:
        pipe.unet = torch.compile(pipe.unet)
    call = {"prompt": "a lighthouse", "height": size, "width": size, "num_inference_steps": steps}
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    started = time.perf_counter()
    pipe(**call, output_type="pil")
    first = time.perf_counter() - started
    walls = []
    for _ in range(repeats):
        started = time.perf_counter()
        pipe(**call, output_type="pil")
        if cuda:
            torch.cuda.synchronize()
        walls.append(time.perf_counter() - started)
    wall = statistics.median(walls)
    return {
        "size": size,
        "compiled": compiled,
        "first_s": round(first, 3),
        "s_per_image": round(wall, 3),
        "steps_per_s": round(steps / wall, 2),
        "peak_gib": round(torch.cuda.max_memory_allocated() / 2**30, 2) if cuda else None,
    }


def main(argv: list[str] | None = None) -> int:
    import torch

    parser = argparse.ArgumentParser(prog="python -m benchmarks.perf.gpu")
    parser.add_argument("--tiny", action="store_true", help="tiny configs on any device")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sizes", default="512,1024")
    parser.add_argument("--no-compile", action="store_true")
    parser.add_argument("--out", help="write the rows as JSON here")
    args = parser.parse_args(argv)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    dtype = torch.float16 if device == "cuda" else torch.float32
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, build in (("sd-class", build_sd), ("sdxl-class", build_sdxl)):
            for compiled in (False,) if args.no_compile else (False, True):
                torch.manual_seed(0)
                pipe = build(args.tiny, Path(tmp)).to(device, dtype)
                pipe.set_progress_bar_config(disable=True)
                for size in (int(s) for s in args.sizes.split(",")):
                    row = {"arch": name, "device": device, "dtype": str(dtype)}
                    row.update(measure(pipe, size, args.steps, args.repeats, compiled))
                    rows.append(row)
                    print(json.dumps(row), file=sys.stderr, flush=True)
                del pipe
                if device == "cuda":
                    torch.cuda.empty_cache()
    if args.out:
        Path(args.out).write_text(json.dumps(rows, indent=1) + "\n")
    print(json.dumps(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
