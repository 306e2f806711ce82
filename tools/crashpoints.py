"""Named points where a test can stop this process, to kill it there (tests/reliability).

`IMAGE_AGENT_TEST_STOP_AT=POINT` (or `POINT#N`: its Nth arrival) and
`IMAGE_AGENT_TEST_STOP_MARKER=FILE`: on arriving at POINT the process writes FILE and waits
until it is killed. Without them (always, outside the tests) `reach` does nothing.

Points: `start:NODE` and `end:NODE` (a graph node began, or finished its work but its
result is not yet saved), `half-written:NAME` (an output file has half its bytes in its
temp file), and the few named inside nodes (`remember:profile-written`).
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

_lock = threading.Lock()
_arrivals: dict[str, int] = {}


def reach(point: str) -> None:
    wanted = os.environ.get("IMAGE_AGENT_TEST_STOP_AT", "")
    if not wanted:
        return
    name, _, nth = wanted.partition("#")
    if name != point:
        return
    with _lock:
        _arrivals[point] = _arrivals.get(point, 0) + 1
        arrival = _arrivals[point]
    if arrival != int(nth or 1):
        return
    marker = os.environ.get("IMAGE_AGENT_TEST_STOP_MARKER", "")
    if marker:
        Path(marker).write_text(f"{os.getpid()} {point}\n")
    while True:  # the test kills the process here
        time.sleep(60)
