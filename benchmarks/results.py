"""The bench's output folder: `bench.json` (its settings) and `results.jsonl` (one finished
case a line, flushed and synced, so an interrupted bench loses at most the case in flight
and `--resume` continues it, never mixing other settings into the same results)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from benchmarks.config import BenchConfig
from tools.errors import UserError

RESULTS = "results.jsonl"
META = "bench.json"
# what must match for --resume to add to earlier results (never mix judges in one table)
RESUME_KEYS = ("kind", "source", "mode", "judge", "llm", "renderer", "search", "baseline")


def load_results(path: Path) -> list[dict[str, Any]]:
    """The finished cases in results.jsonl (a line cut off by a crash is skipped)."""
    if not path.is_file():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(row, dict) and "id" in row:
            rows.append(row)
    return rows


def prepare_out(config: BenchConfig, resume: bool) -> list[dict[str, Any]]:
    """Create the output folder, or check that --resume continues the same bench."""
    config.out.mkdir(parents=True, exist_ok=True)
    meta_path = config.out / META
    earlier = load_results(config.out / RESULTS)
    if meta_path.is_file():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if not resume and earlier:
            raise UserError(
                f"{config.out} already has results; pass --resume to continue, or another --out"
            )
        if resume:
            changed = [k for k in RESUME_KEYS if meta.get(k) != config.meta().get(k)]
            if changed:
                raise UserError(
                    f"--resume: {config.out} was run with other settings ({', '.join(changed)}); "
                    "use another --out"
                )
    if not resume:
        (config.out / RESULTS).unlink(missing_ok=True)
        earlier = []
    meta_path.write_text(json.dumps(config.meta(), indent=2) + "\n", encoding="utf-8")
    return earlier


def append_result(path: Path, record: Mapping[str, Any]) -> None:
    """One line, flushed and synced: a crash later loses nothing written before."""
    needs_newline = path.is_file() and path.stat().st_size > 0
    if needs_newline:
        with path.open("rb") as handle:
            handle.seek(-1, os.SEEK_END)
            needs_newline = handle.read(1) != b"\n"
    with path.open("a", encoding="utf-8") as handle:
        if needs_newline:  # the line a crash cut off stays alone on its own line
            handle.write("\n")
        handle.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
