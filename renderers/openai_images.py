"""`openai:MODEL`: images from the OpenAI Images API or any endpoint that speaks it.

`openai` SDK `images.generate`; the base64 result (`b64_json`) is saved as PNG. Sizes map to
what the model accepts (gpt-image-*: 1024x1024, 1536x1024, 1024x1536; dall-e-3: 1024x1024,
1792x1024, 1024x1792; dall-e-2: 256/512/1024 squares; any other model gets WIDTHxHEIGHT
as asked), chosen by the job's aspect ratio. The API has no negative prompt or seed: the
negative prompt is appended as "Avoid: ...", the seed is recorded but cannot be honoured.
Failures (401, 5xx after the SDK's retries, timeouts, a malformed reply) raise RenderError
with one line that says what happened.

Environment: OPENAI_API_KEY; OPENAI_IMAGES_BASE_URL, else OPENAI_BASE_URL (an
OpenAI-compatible image server); IMAGE_AGENT_OPENAI_TIMEOUT (seconds, default 180).
"""

from __future__ import annotations

import base64
import binascii
import io
import os
from pathlib import Path
from typing import Any

from renderers.base import RenderError, RenderJob, RenderResult
from tools.errors import SpecError
from tools.files import save_image

_SIZES: dict[str, tuple[str, str, str]] = {  # square, landscape, portrait
    "gpt-image": ("1024x1024", "1536x1024", "1024x1536"),
    "dall-e-3": ("1024x1024", "1792x1024", "1024x1792"),
}


def base_url() -> str | None:
    return os.environ.get("OPENAI_IMAGES_BASE_URL") or os.environ.get("OPENAI_BASE_URL") or None


def validate_openai_images(model: str) -> None:
    """Raise SpecError unless a model is named and a key or an endpoint is configured."""
    if not model.strip():
        raise SpecError("renderer spec 'openai:' names no model (e.g. openai:gpt-image-1)")
    if not os.environ.get("OPENAI_API_KEY") and not base_url():
        raise SpecError(
            f"renderer spec 'openai:{model}': set OPENAI_API_KEY (OpenAI) or "
            "OPENAI_BASE_URL / OPENAI_IMAGES_BASE_URL (an OpenAI-compatible image server)"
        )


def map_size(model: str, width: int, height: int) -> str:
    """The size string the model accepts that is closest in aspect to width x height."""
    name = model.lower()
    ratio = width / max(1, height)
    shape = 1 if ratio > 1.2 else 2 if ratio < 1 / 1.2 else 0
    for prefix, sizes in _SIZES.items():
        if name.startswith(prefix):
            return sizes[shape]
    if name.startswith("dall-e-2"):
        side = max(width, height)
        return next(f"{s}x{s}" for s in (256, 512, 1024) if side <= s or s == 1024)
    return f"{width}x{height}"


class OpenAIImagesRenderer:
    """Renders through `client.images.generate`, saving each b64 result as a PNG."""

    def __init__(self, model: str) -> None:
        validate_openai_images(model)
        from openai import OpenAI

        self.model = model.strip()
        self.name = f"openai:{self.model}"
        self.client = OpenAI(
            api_key=os.environ.get("OPENAI_API_KEY") or "not-needed",
            base_url=base_url(),
            timeout=float(os.environ.get("IMAGE_AGENT_OPENAI_TIMEOUT", "180")),
            max_retries=int(os.environ.get("IMAGE_AGENT_OPENAI_RETRIES", "2")),
        )

    def render(self, job: RenderJob, out_dir: Path, stem: str) -> RenderResult:
        import openai
        from PIL import Image

        width, height = int(job.get("width") or 1024), int(job.get("height") or 1024)
        size = map_size(self.model, width, height)
        prompt = str(job.get("prompt", "")).strip()
        negative = str(job.get("negative_prompt") or "").strip()
        if negative:
            prompt = f"{prompt}\nAvoid: {negative}"
        n_images = max(1, min(int(job.get("n_images") or 1), 4))
        extra: dict[str, Any] = {}
        if not self.model.lower().startswith("gpt-image"):
            extra["response_format"] = "b64_json"  # gpt-image models always return base64
        try:
            reply = self.client.images.generate(
                model=self.model,
                prompt=prompt,
                n=n_images,
                size=size,
                **extra,
            )
        except openai.APIStatusError as exc:
            raise RenderError(
                f"{self.name}: HTTP {exc.status_code}: {_message(exc)}".splitlines()[0][:300]
            ) from exc
        except openai.APITimeoutError as exc:
            raise RenderError(f"{self.name}: the image request timed out") from exc
        except openai.APIConnectionError as exc:
            raise RenderError(f"{self.name}: cannot reach the image endpoint ({exc})") from exc
        except (openai.APIResponseValidationError, ValueError) as exc:
            raise RenderError(f"{self.name}: malformed reply ({type(exc).__name__})") from exc
        data = list(getattr(reply, "data", None) or [])
        if not data:
            raise RenderError(f"{self.name}: the reply holds no images")
        out_dir.mkdir(parents=True, exist_ok=True)
        paths: list[str] = []
        sizes: list[list[int]] = []
        for index, item in enumerate(data):
            encoded = getattr(item, "b64_json", None)
            if not encoded:
                raise RenderError(f"{self.name}: image {index + 1} has no b64_json")
            try:
                image = Image.open(io.BytesIO(base64.b64decode(encoded, validate=True)))
                image.load()
            except (binascii.Error, ValueError, OSError) as exc:
                raise RenderError(f"{self.name}: image {index + 1} is not a valid image") from exc
            name = f"{stem}.png" if len(data) == 1 else f"{stem}-{index + 1}.png"
            path = (out_dir / name).resolve()
            save_image(image, path)
            paths.append(str(path))
            sizes.append(list(image.size))
        revised = [str(getattr(item, "revised_prompt", "") or "") for item in data]
        scene: dict[str, Any] = {
            "renderer": "openai",
            "model": self.model,
            "prompt": prompt,
            "size": size,
            "image_sizes": sizes,
            "seed": int(job.get("seed", 0)),
            "seed_honoured": False,
        }
        if any(revised):
            scene["revised_prompts"] = revised
        return {"images": paths, "scene": scene}


def _message(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])
    return str(getattr(exc, "message", "") or exc)
