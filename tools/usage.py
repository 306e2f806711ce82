"""Model-call accounting per graph node, through a context variable.

The graph wraps every node in `track()`; every model call made through `tools.structured`
records itself into the tracker of the node that made it (each node runs in its own context).
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Usage:
    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, input_tokens: int = 0, output_tokens: int = 0) -> None:
        with self._lock:
            self.calls += 1
            self.input_tokens += input_tokens
            self.output_tokens += output_tokens


_current: contextvars.ContextVar[Usage | None] = contextvars.ContextVar(
    "image_agent_usage", default=None
)


@contextmanager
def track() -> Iterator[Usage]:
    usage = Usage()
    token = _current.set(usage)
    try:
        yield usage
    finally:
        _current.reset(token)


def record(input_tokens: int = 0, output_tokens: int = 0) -> None:
    usage = _current.get()
    if usage is not None:
        usage.add(input_tokens, output_tokens)
