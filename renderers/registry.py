"""Renderer specs: which strings name a renderer, and one renderer instance per spec.

Accepted:
- `sketch`: the embedded pictogram storyboard (renderers/sketch/).
- `diffusers:PATH_OR_HUB_ID`: a diffusers text-to-image pipeline (renderers/diffusers_renderer.py).
- `openai:MODEL`: the OpenAI Images API or a compatible endpoint (renderers/openai_images.py).
- `py:package.module:attribute`: a plugin hook for custom generators; the attribute is a
  Renderer class, a zero-argument factory returning a Renderer, or a Renderer instance.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import re
import threading
from typing import Any, TypeGuard

from renderers.base import Renderer
from tools.errors import SpecError

ACCEPTED = (
    "accepted renderer specs: 'sketch', 'diffusers:PATH_OR_HUB_ID', 'openai:MODEL', "
    "'py:package.module:attribute'"
)
_DOTTED = r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*"
_PY_SPEC = re.compile(rf"^py:(?P<module>{_DOTTED}):(?P<attr>{_DOTTED})$")

_lock = threading.Lock()
_renderers: dict[str, Renderer] = {}


def _reject(spec: str) -> SpecError:
    return SpecError(f"unknown renderer spec {spec!r}; {ACCEPTED}")


def _resolve_attr(spec: str) -> Any:
    match = _PY_SPEC.match(spec)
    if match is None:
        raise SpecError(f"malformed plugin spec {spec!r}; expected 'py:package.module:attribute'")
    module_name, attr_path = match.group("module"), match.group("attr")
    try:
        obj: Any = importlib.import_module(module_name)
    except Exception as exc:
        raise SpecError(
            f"renderer spec {spec!r}: cannot import module {module_name!r} "
            f"({type(exc).__name__}: {exc})".replace("\n", " ")
        ) from exc
    for part in attr_path.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError as exc:
            raise SpecError(
                f"renderer spec {spec!r}: module {module_name!r} has no attribute {attr_path!r}"
            ) from exc
    return obj


def _is_renderer(obj: Any) -> TypeGuard[Renderer]:
    return (
        not isinstance(obj, type)
        and isinstance(obj, Renderer)
        and isinstance(getattr(obj, "name", None), str)
        and callable(getattr(obj, "render", None))
    )


def validate_renderer_spec(spec: str) -> None:
    """Raise SpecError unless `spec` names a usable renderer.

    `sketch` and unknown specs are checked without importing anything heavy; a `py:` spec
    imports its module and checks that the attribute exists.
    """
    spec = spec.strip()
    if spec == "sketch":
        return
    if spec.startswith("diffusers:"):
        from renderers.diffusers_renderer import parse_source
        from renderers.diffusers_settings import settings

        parse_source(spec[len("diffusers:") :])
        settings()  # the IMAGE_AGENT_DIFFUSERS_* values, refused before the run
        return
    if spec.startswith("openai:"):
        from renderers.openai_images import validate_openai_images

        validate_openai_images(spec[len("openai:") :])
        return
    if spec.startswith("py:"):
        obj = _resolve_attr(spec)
        if not (_is_renderer(obj) or callable(obj)):
            raise SpecError(
                f"renderer spec {spec!r}: attribute is neither a Renderer class, "
                "a zero-argument factory nor a Renderer instance"
            )
        return
    raise _reject(spec)


def _build(spec: str) -> Renderer:
    if spec == "sketch":
        from renderers.sketch import SketchRenderer

        return SketchRenderer()
    if spec.startswith("diffusers:"):
        from renderers.diffusers_renderer import DiffusersRenderer

        return DiffusersRenderer(spec[len("diffusers:") :])
    if spec.startswith("openai:"):
        from renderers.openai_images import OpenAIImagesRenderer

        return OpenAIImagesRenderer(spec[len("openai:") :])
    if spec.startswith("py:"):
        obj = _resolve_attr(spec)
        if _is_renderer(obj):
            return obj
        if not callable(obj):
            raise SpecError(f"renderer spec {spec!r}: attribute is not callable")
        try:
            made = obj()
        except Exception as exc:
            raise SpecError(
                f"renderer spec {spec!r}: creating the renderer failed "
                f"({type(exc).__name__}: {exc})".replace("\n", " ")
            ) from exc
        if not _is_renderer(made):
            raise SpecError(
                f"renderer spec {spec!r}: {type(made).__name__} is not a Renderer "
                "(needs a str `name` and a `render(job, out_dir, stem)` method)"
            )
        return made
    raise _reject(spec)


def get_renderer(spec: str) -> Renderer:
    """The renderer for `spec`, created once per process (thread-safe); an `openai:` spec
    gets a new client when its endpoint or key changes (as chat models do)."""
    spec = spec.strip()
    key = spec
    if spec.startswith("openai:"):
        from renderers.openai_images import base_url

        account = f"{base_url() or ''}|{os.environ.get('OPENAI_API_KEY', '')}"
        key = f"{spec}|{hashlib.sha256(account.encode('utf-8')).hexdigest()}"
    with _lock:
        renderer = _renderers.get(key)
        if renderer is None:
            validate_renderer_spec(spec)
            renderer = _build(spec)
            _renderers[key] = renderer
        return renderer
