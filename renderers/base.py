"""The renderer interface every image generator implements.

A renderer turns one composed job into image files on disk and reports what it drew.
Everything crossing this boundary is JSON-like (the graph state stores it as is).
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Protocol, TypedDict, runtime_checkable


class LayoutBox(TypedDict, total=False):
    """One planned object: its name and a normalised box [x0, y0, x1, y1] in 0..1."""

    name: str
    box: list[float]


class RenderJob(TypedDict, total=False):
    prompt: str  # the composed, explicit generation prompt
    negative_prompt: str
    width: int
    height: int
    seed: int
    n_images: int
    style: str
    setting: str  # where the scene takes place (background)
    palette: list[str]  # colour names or #rrggbb
    layout: list[LayoutBox]
    text_to_render: str  # exact text that must appear in the image ("" for none)
    steps: int  # diffusion steps (0 or absent: the model's default)
    guidance: float  # guidance scale (0 or absent: the model's default)


class RenderResult(TypedDict):
    images: list[str]  # absolute file paths, one per image
    scene: dict[str, Any]  # what was drawn, JSON-like (renderer specific, may be {})


class RenderError(RuntimeError):
    """A renderer failed in a way the caller may retry or report."""


@runtime_checkable
class Renderer(Protocol):
    name: str

    def render(self, job: RenderJob, out_dir: Path, stem: str) -> RenderResult:
        """Render `job` into `out_dir`, naming files `{stem}.png` or `{stem}-{i}.png`.

        Re-running with the same stem overwrites the same files (renders are idempotent).
        """
        ...


StepReporter = Callable[[int, int], None]  # (steps done, steps in all; 0 when unknown)

# Set by the caller of `render` (the render node) to hear of each finished step of a long
# render; a renderer calls `report_step` and never needs to know who listens.
step_reporter: ContextVar[StepReporter | None] = ContextVar("step_reporter", default=None)


def report_step(done: int, total: int) -> None:
    reporter = step_reporter.get()
    if reporter is not None:
        reporter(done, total)
