"""The Starlette app `langgraph dev` serves beside its API (`"http": {"app": ...}`).

`/ui/` is a static page (HTML, CSS and JS modules under static/, no build step) that talks to
the same server's API: threads, streamed runs, interrupts, state updates and the store, so
Studio and the SDK see the same threads. Two data routes add what the API has not: the
settings form built from the `Context` schema, and the images of the output folder.

Auth: with `enable_custom_route_auth` in langgraph.json, the server's auth handler (its
`"auth"` entry) covers these routes as it covers the API, with one exception LangGraph
makes: every GET under `/ui` passes unchecked (its own UI's assets). So the page and its
static files live under `/ui` (they hold no data), and the data routes under `/web-ui`,
where a request without the credential is refused exactly like one to the API.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from graph.ui.images import image
from graph.ui.settings import settings

STATIC = Path(__file__).resolve().parent / "static"
DATA = "/web-ui"  # not under /ui: LangGraph's auth lets every GET there through


class Static(StaticFiles):
    """The page's files, revalidated on every load (an edited module is never stale)."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = "no-cache"
        return response


async def page(request: Request) -> Response:
    return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})


async def not_found(request: Request) -> Response:
    """Anything else under /ui: else it falls through to LangGraph's own /ui mount (a 500
    here, where that folder does not exist)."""
    return JSONResponse({"detail": "not found"}, status_code=404)


async def to_page(request: Request) -> Response:
    return RedirectResponse(url=str(request.url_for("page")), status_code=307)


app = Starlette(
    routes=[
        Route("/ui", to_page, methods=["GET"]),
        Route("/ui/", page, methods=["GET"], name="page"),
        Route(f"{DATA}/settings", settings, methods=["GET"]),
        Route(f"{DATA}/image", image, methods=["GET"]),
        Mount("/ui/static", Static(directory=STATIC), name="static"),
        Route("/ui/{rest:path}", not_found),
    ]
)
