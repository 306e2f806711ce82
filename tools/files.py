"""Writing output files whole or not at all: a temp file beside the target, then a rename.

A process killed mid-write leaves at most a hidden temp file (`.NAME.PID.THREAD.tmp`),
never a partial `NAME`; the next write of the same target removes temp files left by
processes that are gone. Every image, report and context.json is written through here.
"""

from __future__ import annotations

import io
import os
import threading
from pathlib import Path
from typing import Any

from tools.crashpoints import reach


def process_alive(pid: int) -> bool:
    """Whether a process with this id runs (one we may not signal counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _sweep(path: Path) -> None:
    """Remove temp files of `path` whose writer process no longer runs."""
    for tmp in path.parent.glob(f".{path.name}.*.tmp"):
        pid = tmp.name[len(path.name) + 2 :].split(".", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not process_alive(int(pid)):
            tmp.unlink(missing_ok=True)


def write_atomic(path: Path, data: bytes | str) -> Path:
    """Write `data` to `path` so that readers see the old file or the whole new one."""
    path = Path(path)
    blob = data.encode("utf-8") if isinstance(data, str) else data
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with tmp.open("wb") as handle:
            half = len(blob) // 2
            handle.write(blob[:half])
            handle.flush()
            reach(f"half-written:{path.name}")  # tests kill the process here
            handle.write(blob[half:])
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    _sweep(path)
    return path


def save_image(image: Any, path: Path, format: str = "PNG", **params: Any) -> Path:
    """Encode a PIL image in memory, then write it atomically."""
    buffer = io.BytesIO()
    image.save(buffer, format=format, **params)
    return write_atomic(path, buffer.getvalue())
