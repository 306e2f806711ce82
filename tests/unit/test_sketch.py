"""The sketch renderer with the real font, emoji names and embedding model."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageColor

from renderers import sketch
from renderers.base import RenderJob
from renderers.sketch import SketchRenderer, pictograms

JOB: RenderJob = {
    "prompt": "A cat and a red paper lantern beside mooncakes in a moonlit garden, "
    "Mid-Autumn festival greeting card",
    "width": 512,
    "height": 384,
    "seed": 11,
    "n_images": 1,
    "setting": "garden at night",
    "palette": ["gold", "#c0392b", "not-a-colour"],
    "layout": [
        {"name": "cat", "box": [0.05, 0.45, 0.4, 0.95]},
        {"name": "mooncake", "box": [0.62, 0.5, 0.42, 0.9]},  # inverted x: fixed, not dropped
        {"name": "lantern", "box": [0.7, 0.05, 1.3, 0.45]},  # out of range: clamped
    ],
    "text_to_render": "Happy Mid-Autumn Festival",
}


@pytest.fixture(scope="session")
def sketch_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One data dir for the session, so the pictogram embeddings are built once."""
    return tmp_path_factory.mktemp("image-agent-home")


@pytest.fixture(autouse=True)
def _home(sketch_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("IMAGE_AGENT_HOME", str(sketch_home))
    yield sketch_home


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory, sketch_home: Path) -> dict[str, object]:
    mp = pytest.MonkeyPatch()
    mp.setenv("IMAGE_AGENT_HOME", str(sketch_home))
    try:
        out = tmp_path_factory.mktemp("render")
        result = SketchRenderer().render(JOB, out, "card")
    finally:
        mp.undo()
    return {"out": out, "result": result}


def test_renders_file_with_job_size(rendered: dict) -> None:
    result = rendered["result"]
    assert result["images"] == [str((rendered["out"] / "card.png").resolve())]
    path = Path(result["images"][0])
    assert path.is_absolute() and path.is_file()
    with Image.open(path) as image:
        assert image.size == (512, 384)
        assert image.mode == "RGB"


def test_scene_lists_objects_with_sensible_pictograms(rendered: dict) -> None:
    scene = rendered["result"]["scene"]
    json.dumps(scene)  # JSON-serialisable
    assert scene["renderer"] == "sketch"
    assert scene["size"] == [512, 384]
    assert scene["setting"] == "garden at night"
    names = [o["name"] for o in scene["objects"]]
    assert names == ["cat", "mooncake", "lantern"]
    by_name = {o["name"]: o for o in scene["objects"]}
    assert "cat" in by_name["cat"]["emoji_name"]
    assert "cake" in by_name["mooncake"]["emoji_name"]
    assert "lantern" in by_name["lantern"]["emoji_name"]
    for obj in scene["objects"]:
        assert len(obj["emoji"]) == 1
        assert -1.0 <= obj["similarity"] <= 1.0001
        x0, y0, x1, y1 = obj["box"]
        assert 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1
    assert by_name["mooncake"]["box"][0] == pytest.approx(0.42)
    assert by_name["lantern"]["box"][2] == pytest.approx(1.0)
    assert len(scene["background"]) == 2
    assert scene["palette"] == ["#ffd700", "#c0392b"]  # unknown colour ignored


def test_scene_records_text_caption_note_and_attribution(rendered: dict) -> None:
    scene = rendered["result"]["scene"]
    assert scene["text"] == "Happy Mid-Autumn Festival"
    assert scene["caption"].replace("\n", " ").startswith("A cat and a red paper lantern")
    assert "not a diffusion" in scene["note"]
    assert scene["attribution"] == sketch.ATTRIBUTION == sketch.attribution()
    assert "OpenMoji" in scene["attribution"] and "CC BY-SA 4.0" in scene["attribution"]


def test_glyph_drawn_in_colour_inside_object_box(rendered: dict) -> None:
    path = Path(rendered["result"]["images"][0])
    scene = rendered["result"]["scene"]
    arr = np.asarray(Image.open(path).convert("RGB")).astype(float)
    h = arr.shape[0]
    top, bottom = (np.array(ImageColor.getrgb(c), dtype=float) for c in scene["background"])
    t = np.linspace(0.0, 1.0, h)[:, None]
    blank = top * (1 - t) + bottom * t  # the background gradient, one colour per row
    cat = next(o for o in scene["objects"] if o["name"] == "cat")
    x0, y0, x1, y1 = cat["pixel_box"]
    assert 0 <= x0 < x1 <= 512 and 0 <= y0 < y1 <= 384
    region = arr[y0:y1, x0:x1]
    differs = np.abs(region - blank[y0:y1, None, :]).sum(axis=2) > 60
    assert differs.mean() > 0.1
    # Saturated pixels: a colour glyph (the orange cat), not only grey outlines or text.
    saturation = region.max(axis=2) - region.min(axis=2)
    assert (saturation > 100).mean() > 0.05


def test_render_is_deterministic_and_overwrites(rendered: dict, tmp_path: Path) -> None:
    first = Path(rendered["result"]["images"][0]).read_bytes()
    target = tmp_path / "card.png"
    target.write_bytes(b"stale")
    again = SketchRenderer().render(JOB, tmp_path, "card")
    assert again["images"] == [str(target.resolve())]
    assert target.read_bytes() == first
    assert again["scene"] == rendered["result"]["scene"]


def test_n_images_gives_numbered_files_with_jitter(tmp_path: Path) -> None:
    job: RenderJob = {**JOB, "n_images": 2}
    result = SketchRenderer().render(job, tmp_path, "multi")
    assert result["images"] == [str((tmp_path / f"multi-{i}.png").resolve()) for i in range(2)]
    assert not (tmp_path / "multi.png").exists()
    a, b = (Path(p).read_bytes() for p in result["images"])
    assert a != b  # positions jittered by seed
    variants = result["scene"]["variants"]
    assert [v["image"] for v in variants] == result["images"]
    again = SketchRenderer().render(job, tmp_path, "multi")
    assert [Path(p).read_bytes() for p in again["images"]] == [a, b]


def test_empty_layout_uses_prompt_words_centred(tmp_path: Path) -> None:
    job: RenderJob = {"prompt": "red apple on a wooden kitchen table", "seed": 1, "width": 256}
    result = SketchRenderer().render(job, tmp_path, "apple")
    (obj,) = result["scene"]["objects"]
    assert obj["name"] == "red apple on a"
    assert "apple" in obj["emoji_name"]
    assert result["scene"]["text"] == ""
    with Image.open(result["images"][0]) as image:
        assert image.size == (256, 1024)


def test_long_prompt_caption_truncated_with_ellipsis(tmp_path: Path) -> None:
    job: RenderJob = {
        "prompt": " ".join(["a very long and detailed prompt about a dog"] * 40),
        "layout": [{"name": "dog", "box": [0.3, 0.3, 0.6, 0.6]}],
        "width": 400,
        "height": 400,
    }
    scene = SketchRenderer().render(job, tmp_path, "long")["scene"]
    assert scene["caption"].endswith("…")
    assert scene["caption"].count("\n") <= 2
    assert "dog" in scene["objects"][0]["emoji_name"]


def test_setting_keywords_pick_backgrounds() -> None:
    assert sketch.background_colours("a kitchen at home") != sketch.background_colours("")
    assert sketch.background_colours("deep space") == sketch.background_colours("night sky")
    assert sketch.background_colours("something else") == ("#eeeeee", "#d6d6d6")
    assert sketch.parse_palette(["navy blue", "#00ff00", "nope"]) == [(0, 0, 128), (0, 255, 0)]


def test_normalise_box() -> None:
    assert sketch.normalise_box([0.9, 0.8, 0.1, 0.2]) == [0.1, 0.2, 0.9, 0.8]
    assert sketch.normalise_box([-1, -1, 2, 2]) == [0.0, 0.0, 1.0, 1.0]
    assert sketch.normalise_box("nonsense") == [0.25, 0.2, 0.75, 0.7]
    x0, _, x1, _ = sketch.normalise_box([0.5, 0.1, 0.5, 0.9])
    assert x1 - x0 == pytest.approx(0.04)


def test_font_cmap_has_emoji_and_lacks_others() -> None:
    points = sketch.font_codepoints(sketch.openmoji_font_path())
    assert 0x1F408 in points  # cat
    assert 0x1F96E in points  # moon cake
    assert 0x10FFFD not in points


def test_index_cache_is_verified_and_rebuilt_when_corrupt(tmp_path: Path) -> None:
    pairs = sketch.candidate_pictograms()
    assert len(pairs) > 1000 and ("cat", "\U0001f408") in pairs
    subset = pairs[:: len(pairs) // 24][:24]  # a small list keeps the rebuilds fast
    built = sketch.build_or_load_index(tmp_path, subset)
    (npy,) = tmp_path.glob("pictograms-*.npy")
    (meta_path,) = tmp_path.glob("pictograms-*.json")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    names, chars = meta["names"], meta["chars"]
    assert names == built.names == [n for n, _ in subset]
    assert len(meta["sha256"]) == 64 and meta["dims"] == 384
    assert built.vectors.shape == (len(subset), 384)

    assert np.array_equal(sketch.build_or_load_index(tmp_path, subset).vectors, built.vectors)
    assert pictograms._load_cached(tmp_path, meta["sha256"], names, chars) is not None
    assert pictograms._load_cached(tmp_path, meta["sha256"], names[:-1], chars[:-1]) is None

    meta_path.write_text(json.dumps({**meta, "sha256": "0" * 64}), encoding="utf-8")
    assert pictograms._load_cached(tmp_path, meta["sha256"], names, chars) is None
    sketch.build_or_load_index(tmp_path, subset)  # hash mismatch: rebuilt
    assert json.loads(meta_path.read_text(encoding="utf-8"))["sha256"] == meta["sha256"]

    npy.write_bytes(b"garbage")
    rebuilt = sketch.build_or_load_index(tmp_path, subset)  # corrupt vectors: rebuilt
    assert np.allclose(rebuilt.vectors, built.vectors, atol=1e-5)
    assert np.load(npy).shape == built.vectors.shape
