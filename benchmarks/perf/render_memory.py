"""Section 6: the sketch render cold (a fresh process: fonts, pictogram index, embedding
model) and warm (the same job again in that process), and memory recall p50/p99 at 100k
items (benchmarks/memory_recall.py's bench, its searches capped)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

SKETCH = """
import json, sys, tempfile, time
from pathlib import Path
from renderers.sketch import SketchRenderer
job = {"prompt": "A lighthouse on a rocky island at dusk, gulls overhead", "width": 1024,
       "height": 1024, "seed": 3, "n_images": 1, "setting": "rocky island at dusk",
       "palette": ["navy", "orange"], "text_to_render": "Harbour Light",
       "layout": [{"name": "lighthouse", "box": [0.35, 0.1, 0.65, 0.9]},
                  {"name": "gull", "box": [0.05, 0.05, 0.25, 0.2]}]}
out = Path(tempfile.mkdtemp())
times = []
for i in range(3):
    started = time.perf_counter()
    SketchRenderer().render(job, out, f"s{i}")
    times.append(time.perf_counter() - started)
print("SKETCH " + json.dumps(times))
"""


def sketch(root: Path, env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", SKETCH],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    for line in done.stdout.splitlines():
        if line.startswith("SKETCH "):
            times = json.loads(line[len("SKETCH ") :])
            return {"cold_s": round(times[0], 3), "warm_s": round(min(times[1:]), 3)}
    tail = (done.stderr or "no output").strip().splitlines()[-1:]
    return {"error": f"sketch exited {done.returncode}: {tail[0][:300] if tail else ''}"}


RECALL = """
import json, random, sys
random.seed(0)
from benchmarks import memory_recall
from tools.embeddings import embed
embed(["warm up the embedding model"])
print("RECALL " + json.dumps(memory_recall.bench(int(sys.argv[1]), searches=int(sys.argv[2]))))
"""


def recall(root: Path, env: dict[str, str], items: int, searches: int) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", RECALL, str(items), str(searches)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    for line in done.stdout.splitlines():
        if line.startswith("RECALL "):
            result: dict[str, Any] = json.loads(line[len("RECALL ") :])
            result["searches"] = searches
            return result
    tail = (done.stderr or "no output").strip().splitlines()[-1:]
    return {"error": f"recall exited {done.returncode}: {tail[0][:300] if tail else ''}"}
