"""A renderer that draws nothing (`py:benchmarks.perf.null_renderer:NullRenderer`).

The overhead figure measures the agent's own work: rendering must cost nothing. It writes
a 1x1 PNG so the report and every later step find a file where they expect one.
"""

from __future__ import annotations

from pathlib import Path

from renderers.base import RenderJob, RenderResult

# a valid 1x1 white PNG, written as is (no image library on the measured path)
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
    "0000000c4944415408d763f8ffff3f0005fe02fea7d6a4d30000000049454e44ae426082"
)


class NullRenderer:
    name = "null"

    def render(self, job: RenderJob, out_dir: Path, stem: str) -> RenderResult:
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / f"{stem}.png"
        path.write_bytes(PNG)
        objects = [
            {"name": o.get("name", ""), "box": o.get("box", [])} for o in job.get("layout", [])
        ]
        return {
            "images": [str(path)],
            "scene": {"objects": objects, "text": job.get("text_to_render", "")},
        }
