"""Section 4, cold and warm: each figure in fresh processes (the interpreter's own start
included in the `*_process_s` figures)."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.perf.common import median


def probe(root: Path, env: dict[str, str], *args: str, timeout: float = 900) -> dict[str, Any]:
    """Run benchmarks.perf.probe in a fresh interpreter in `root`; its JSON."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.perf.probe", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    for line in done.stdout.splitlines():
        if line.startswith("PROBE "):
            result: dict[str, Any] = json.loads(line[len("PROBE ") :])
            return result
    tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
    return {"error": f"probe {' '.join(args)} exited {done.returncode}: {tail[0][:300]}"}


def wall(root: Path, env: dict[str, str], code: str, times: int) -> float:
    walls = []
    for _ in range(times):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", code], cwd=root, env=env, capture_output=True, timeout=300
        )
        walls.append(time.perf_counter() - started)
    return round(statistics.median(walls), 3)


def run(root: Path, env: dict[str, str], *, repeat: int = 3, llm: bool = True) -> dict[str, Any]:
    env = {**env, "PYTHONPATH": str(root)}
    imports = [probe(root, env, "import") for _ in range(repeat)]
    good = [p for p in imports if "import_s" in p]
    out: dict[str, Any] = {
        "import_graph_agent_s": round(median([p["import_s"] for p in good]), 3),
        "import_graph_agent_process_s": round(median([p["process_s"] for p in good]), 3),
        "import_loads": good[0]["loads"] if good else {},
        "import_runtimes": good[0]["runtimes_imported"] if good else [],
        "help_process_s": wall(
            root,
            env,
            "import sys; from graph.cli import main; sys.argv=['image-agent','--help']; main()",
            repeat,
        ),
        "python_start_s": wall(root, env, "pass", repeat),
        "loads_counted": probe(root, env, "loads"),
    }
    if llm:
        first = probe(root, env, "llm", "--second")
        again = probe(root, env, "llm")
        out["model_load_s"] = first.get("model_load_s")
        out["first_call"] = first.get("first_call", first)
        out["second_call_same_process"] = first.get("second_call")
        out["first_call_second_process"] = again.get("first_call", again)
        out["model_load_second_process_s"] = again.get("model_load_s")
    return out


def bench_env(home: Path) -> dict[str, str]:
    """The environment of a bench subprocess: its own data dir (linked to the real one's
    model file and pictogram cache, so nothing is joined or built again), no search."""
    real = Path(os.environ.get("IMAGE_AGENT_HOME") or Path.home() / ".image-agent").expanduser()
    home.mkdir(parents=True, exist_ok=True)
    for name in ("models", "sketch"):
        (real / name).mkdir(parents=True, exist_ok=True)
        link = home / name
        if not link.exists():
            link.symlink_to(real / name, target_is_directory=True)
    return {**os.environ, "IMAGE_AGENT_HOME": str(home), "IMAGE_AGENT_SEARCH": "none"}
