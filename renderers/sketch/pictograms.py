"""OpenMoji pictogram picking: the candidate (name, emoji) list, its cached embeddings, matching.

An object name is matched to a pictogram by name first (whole words), then by embedding
similarity. The candidate names and their embeddings are cached under `data_dir()/sketch/`,
keyed by a sha256 of the name list.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import struct
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import ImageFont

from renderers.base import RenderError
from renderers.sketch.fonts import REFERENCE_SIZE, emoji_font, font_codepoints, openmoji_font_path
from tools.loads import loaded
from tools.paths import data_dir

EMBEDDING_MODEL = "all-MiniLM-L6-v2"


def _clean_name(name: str) -> str:
    return name.strip(":").replace("_", " ").strip()


def _has_glyph_by_mask(font: ImageFont.FreeTypeFont, char: str, missing: bytes) -> bool:
    try:
        return bytes(font.getmask(char)) != missing
    except Exception:
        return False


def candidate_pictograms() -> list[tuple[str, str]]:
    """(name, emoji) pairs: single-code-point emoji with a glyph in the OpenMoji font.

    Names are the emoji package's English names and word aliases, cleaned ("red apple").
    The emoji is the bare code point (a trailing U+FE0F is dropped for drawing).
    """
    import emoji

    font_path = openmoji_font_path()
    try:
        available: set[int] | None = font_codepoints(font_path)
    except (ValueError, struct.error):
        available = None
    font = emoji_font(REFERENCE_SIZE)
    missing = bytes(font.getmask("\U0010fffd"))
    fq = emoji.STATUS["fully_qualified"]
    pairs: dict[str, str] = {}
    for char, info in sorted(emoji.EMOJI_DATA.items()):
        if info.get("status") != fq:
            continue
        base = char.replace("\ufe0f", "")
        if len(base) != 1:
            continue
        if available is not None:
            if ord(base) not in available:
                continue
        elif not _has_glyph_by_mask(font, base, missing):
            continue
        names = [info.get("en", "")] + [a for a in info.get("alias", []) if not re.search(r"\d", a)]
        for raw in names:
            name = _clean_name(str(raw)).lower()
            if name and name not in pairs:
                pairs[name] = base
    return sorted(pairs.items())


@dataclass(frozen=True)
class PictogramIndex:
    names: list[str]
    chars: list[str]
    vectors: np.ndarray  # (n, 384) float32 unit rows
    tokens: list[frozenset[str]]


def _candidates_hash(names: list[str], chars: list[str]) -> str:
    payload = json.dumps({"model": EMBEDDING_MODEL, "names": names, "chars": chars})
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _tokens(text: str) -> frozenset[str]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return frozenset(
        w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in words
    )


def _load_cached(
    cache_dir: Path, digest: str, names: list[str], chars: list[str]
) -> np.ndarray | None:
    meta_path = cache_dir / f"pictograms-{digest[:16]}.json"
    npy_path = cache_dir / f"pictograms-{digest[:16]}.npy"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("sha256") != digest or meta.get("names") != names or meta.get("chars") != chars:
            return None
        vectors = np.load(npy_path, allow_pickle=False)
    except (OSError, ValueError, json.JSONDecodeError, EOFError):
        return None
    if (
        vectors.dtype != np.float32
        or vectors.shape != (len(names), meta.get("dims", -1))
        or not np.isfinite(vectors).all()
    ):
        return None
    return vectors


def _write_atomic(path: Path, write: Any) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with tmp.open("wb") as handle:
            write(handle)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def build_or_load_index(
    cache_dir: Path | None = None, pairs: list[tuple[str, str]] | None = None
) -> PictogramIndex:
    """The pictogram index, from the on-disk cache when it is valid, else rebuilt and saved.

    `pairs` (name, emoji) defaults to `candidate_pictograms()`; the cache file is keyed by
    their sha256, so a different candidate list never reads another list's vectors.
    """
    from tools.embeddings import embed

    pairs = candidate_pictograms() if pairs is None else pairs
    if not pairs:
        raise RenderError("no OpenMoji pictograms found for the emoji names")
    names = [n for n, _ in pairs]
    chars = [c for _, c in pairs]
    digest = _candidates_hash(names, chars)
    cache_dir = cache_dir or data_dir() / "sketch"
    cache_dir.mkdir(parents=True, exist_ok=True)
    vectors = _load_cached(cache_dir, digest, names, chars)
    if vectors is None:
        vectors = np.ascontiguousarray(embed(names), dtype=np.float32)
        meta = {
            "sha256": digest,
            "model": EMBEDDING_MODEL,
            "dims": int(vectors.shape[1]),
            "names": names,
            "chars": chars,
        }
        stem = f"pictograms-{digest[:16]}"
        _write_atomic(cache_dir / f"{stem}.npy", lambda h: np.save(h, vectors, allow_pickle=False))
        _write_atomic(
            cache_dir / f"{stem}.json",
            lambda h: h.write(json.dumps(meta, ensure_ascii=False).encode("utf-8")),
        )
    return PictogramIndex(names, chars, vectors, [_tokens(n) for n in names])


_index_lock = threading.Lock()
_index: PictogramIndex | None = None


def pictogram_index() -> PictogramIndex:
    """The process-wide pictogram index, loaded (or built) once on first use."""
    global _index
    with _index_lock:
        if _index is None:
            _index = build_or_load_index()
            loaded("pictogram-index")
        return _index


@dataclass(frozen=True)
class Match:
    emoji: str
    name: str
    similarity: float


def match_pictograms(object_names: list[str]) -> list[Match]:
    """The nearest pictogram for each object name: whole-word name match first, then cosine."""
    from tools.embeddings import embed

    if not object_names:
        return []
    index = pictogram_index()
    queries = [n.strip().lower() or "object" for n in object_names]
    sims = embed(queries) @ index.vectors.T
    matches: list[Match] = []
    for row, query in enumerate(queries):
        scores = sims[row]
        qtokens = _tokens(query)
        best = -1
        if query in index.names:
            best = index.names.index(query)
        elif qtokens:
            # Candidates whose words include all the object's words; fewest extra words wins,
            # then similarity (so "cat" prefers "cat" or "cat face" over "grinning cat ...").
            hits = [i for i, t in enumerate(index.tokens) if qtokens <= t]
            if hits:
                best = min(hits, key=lambda i: (len(index.tokens[i] - qtokens), -scores[i]))
        if best < 0:
            best = int(np.argmax(scores))
        matches.append(Match(index.chars[best], index.names[best], float(scores[best])))
    return matches
