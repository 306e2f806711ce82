"""A count of the heavy things this process has loaded (models, indexes), by name.

Every loader calls `loaded(name)` once it has loaded; `counts()` is what a bench or a server
reads to show that a second run in the same process loads nothing.
"""

from __future__ import annotations

import threading
from collections import Counter

_lock = threading.Lock()
_counts: Counter[str] = Counter()


def loaded(name: str) -> None:
    with _lock:
        _counts[name] += 1


def counts() -> dict[str, int]:
    with _lock:
        return dict(_counts)
