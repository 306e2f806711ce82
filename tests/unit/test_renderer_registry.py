"""Renderer specs: `sketch`, `py:` plugins, and clear errors for everything else."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from renderers.base import Renderer, RenderJob, RenderResult
from renderers.registry import get_renderer, validate_renderer_spec
from renderers.sketch import SketchRenderer
from tools.errors import SpecError, UserError


class EchoRenderer:
    """A plugin renderer: writes a tiny file and reports the prompt."""

    name = "echo"

    def render(self, job: RenderJob, out_dir: Path, stem: str) -> RenderResult:
        path = (out_dir / f"{stem}.png").resolve()
        path.write_bytes(b"echo")
        return {"images": [str(path)], "scene": {"prompt": job.get("prompt", "")}}


def make_echo() -> EchoRenderer:
    return EchoRenderer()


NOT_A_RENDERER = 42


class Nameless:
    def render(self, job: RenderJob, out_dir: Path, stem: str) -> RenderResult:
        return {"images": [], "scene": {}}


@pytest.fixture(autouse=True)
def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMAGE_AGENT_HOME", str(tmp_path / "home"))


def _spec(attr: str) -> str:
    return f"py:{__name__}:{attr}"


def test_sketch_spec_gives_one_sketch_renderer() -> None:
    validate_renderer_spec("sketch")
    renderer = get_renderer("sketch")
    assert isinstance(renderer, SketchRenderer)
    assert isinstance(renderer, Renderer)
    assert renderer.name == "sketch"
    assert get_renderer("sketch") is renderer


def test_sketch_instance_shared_across_threads() -> None:
    seen: list[Renderer] = []
    threads = [
        threading.Thread(target=lambda: seen.append(get_renderer("sketch"))) for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(r) for r in seen}) == 1


@pytest.mark.parametrize(
    "spec", ["", "sketchy", "local", "openai:gpt-image-1", "diffusers:/models/sd", "py:", "dall-e"]
)
def test_unknown_specs_raise_one_line_spec_error(
    spec: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_IMAGES_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(SpecError) as info:
        validate_renderer_spec(spec)
    message = str(info.value)
    assert "\n" not in message
    assert isinstance(info.value, UserError)
    with pytest.raises(SpecError):
        get_renderer(spec)


def test_unknown_spec_lists_accepted_forms() -> None:
    with pytest.raises(SpecError, match=r"'sketch'.*'py:package\.module:attribute'"):
        validate_renderer_spec("nope")
    with pytest.raises(SpecError, match=r"'diffusers:PATH_OR_HUB_ID'.*'openai:MODEL'"):
        validate_renderer_spec("nope")


@pytest.mark.parametrize("attr", ["EchoRenderer", "make_echo"])
def test_py_plugin_class_or_factory(attr: str, tmp_path: Path) -> None:
    spec = _spec(attr)
    validate_renderer_spec(spec)
    renderer = get_renderer(spec)
    assert isinstance(renderer, EchoRenderer)
    assert get_renderer(spec) is renderer
    result = renderer.render({"prompt": "hello"}, tmp_path, "x")
    assert result["scene"] == {"prompt": "hello"}
    assert Path(result["images"][0]).read_bytes() == b"echo"


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ("py:no_such_module_xyz:Thing", "cannot import"),
        (_spec("Missing"), "no attribute"),
        ("py:just_a_module", "malformed"),
        ("py:bad module:X", "malformed"),
    ],
)
def test_bad_py_specs_raise_spec_error(spec: str, fragment: str) -> None:
    with pytest.raises(SpecError, match=fragment):
        validate_renderer_spec(spec)
    with pytest.raises(SpecError, match=fragment):
        get_renderer(spec)


@pytest.mark.parametrize("attr", ["NOT_A_RENDERER", "Nameless"])
def test_py_attribute_that_is_not_a_renderer(attr: str) -> None:
    with pytest.raises(SpecError):
        get_renderer(_spec(attr))
