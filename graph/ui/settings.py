"""`GET /web-ui/settings`: the run settings form, built from the `Context` schema.

Each field of `nodes.context.Context` with its type, description, environment variable and
the default this server's environment gives it, so the page's form shows what a run gets
when the person changes nothing. The output folder is the server's: the page shows it but
cannot change it (images are served from it and nowhere else).
"""

from __future__ import annotations

from dataclasses import MISSING, fields
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from nodes.context import ENV, Context, from_env

# set by the page beside the request, or fixed by the server: not in the settings form
BESIDE_REQUEST = ("user_id", "conversation")
SERVER_ONLY = ("output_dir",)


def output_base() -> Path:
    """The server's output folder (its environment's default, resolved against its cwd)."""
    return Path(from_env("output_dir", "outputs")()).expanduser().resolve()


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return "string"


def schema() -> dict[str, Any]:
    """The form's fields and the defaults of this server's environment (errors per field)."""
    out: list[dict[str, Any]] = []
    for spec in fields(Context):
        entry: dict[str, Any] = {
            "name": spec.name,
            "description": str(spec.metadata.get("description", "")),
            "env": ENV.get(spec.name, ""),
            "placement": "request"
            if spec.name in BESIDE_REQUEST
            else "server"
            if spec.name in SERVER_ONLY
            else "form",
        }
        try:
            default = spec.default_factory() if spec.default_factory is not MISSING else None
        except ValueError as exc:  # a bad environment value: shown, not fatal
            default, entry["error"] = None, str(exc)
        entry["default"] = default
        entry["type"] = _kind(default) if default is not None else "string"
        out.append(entry)
    return {"fields": out, "output_dir": str(output_base())}


async def settings(request: Request) -> JSONResponse:
    return JSONResponse(schema())
