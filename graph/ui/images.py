"""`GET /web-ui/image?path=...`: a run's image, served from the output folder and nowhere else.

The path must resolve (symlinks followed) inside the server's output folder, name a file
with an image suffix, and start with that image type's signature: anything else is a 404
(or 415 for a file that is there but not an image), never a file from elsewhere.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from graph.ui.settings import output_base

# content type by suffix, and the bytes such a file starts with
SIGNATURES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    ".webp": ("image/webp", (b"RIFF",)),
}


def resolve_image(raw: str, base: Path) -> tuple[Path | None, str]:
    """The file `raw` names inside `base` and its content type, or (None, why not)."""
    if not raw or "\x00" in raw:
        return None, "no path"
    candidate = Path(raw).expanduser()
    if not candidate.is_absolute():
        candidate = base / candidate
    try:
        path = candidate.resolve(strict=True)
    except (OSError, RuntimeError):
        return None, "no such image"
    if not path.is_relative_to(base) or not path.is_file():
        return None, "no such image"
    kind = SIGNATURES.get(path.suffix.lower())
    if kind is None:
        return None, "not an image"
    with path.open("rb") as handle:
        head = handle.read(16)
    if not any(head.startswith(magic) for magic in kind[1]):
        return None, "not an image"
    return path, kind[0]


async def image(request: Request) -> Response:
    path, kind = resolve_image(request.query_params.get("path", ""), output_base())
    if path is None:
        status = 415 if kind == "not an image" else 404
        return JSONResponse({"detail": kind}, status_code=status)
    return FileResponse(
        path,
        media_type=kind,
        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
    )
