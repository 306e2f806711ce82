"""The embedded model's fixed prompt prefixes, evaluated once per data dir and restored in
every new process (llama.cpp's slot save and restore).

Every node sends the same long instructions (the planner's are ~1,600 tokens) before a short
request. Evaluating them costs tens of seconds on a CPU, and a new CLI process used to pay
that on every run. The first process that meets a prefix evaluates it alone (the messages
before the last, then an empty user turn), saves the slot's state to
`DATA_DIR/models/prefixes/<model>-<ctx>/<sha256 of the prefix>.bin`, and every later process
restores that file into an idle slot before its first call with that prefix; the server then
picks that slot for the call by prompt similarity and evaluates only the request's own tokens.

Files are written under a temporary name and renamed, so a crash leaves no half state; a
file the server cannot restore is deleted and evaluated again. The folder keeps the most
recently used `KEEP` files.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

MIN_CHARS = 200  # shorter prefixes cost less to evaluate than to manage
KEEP = 24  # prefix files kept per folder (the most recently used)
SUFFIX = ".bin"


def prefix_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The fixed part of a chat: every message before the last user turn."""
    return messages[:-1] if len(messages) > 1 and messages[-1].get("role") == "user" else []


def prefix_key(prefix: list[dict[str, Any]]) -> str:
    text = json.dumps(prefix, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class PrefixCache:
    """Restores and saves prefix states through the in-process server's `/slots` routes."""

    def __init__(self, server: Any, folder: Path, slots: int) -> None:
        self.server = server
        self.folder = folder
        self.slots = max(1, slots)
        self._lock = threading.Lock()
        self._ready: dict[str, threading.Event] = {}  # prefixes put in a slot by this process
        self._next_slot = 0
        self.counts: Counter[str] = Counter()  # restored, evaluated, saved, broken

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        request = urllib.request.Request(
            str(self.server.listening_address) + path,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=600) as response:
            result: dict[str, Any] = json.loads(response.read())
        return result

    def _claim(self, key: str) -> int | None:
        """A slot for `key` if this caller is the first to meet it in this process; a later
        caller waits until the first has put the prefix in its slot."""
        with self._lock:
            done = self._ready.get(key)
            if done is None:
                self._ready[key] = threading.Event()
                slot = self._next_slot
                self._next_slot = (self._next_slot + 1) % self.slots
                return slot
        done.wait(timeout=600)
        return None

    def prepare(self, messages: list[dict[str, Any]]) -> None:
        """Make sure a slot holds the prefix of `messages` before they are sent."""
        prefix = prefix_messages(messages)
        if sum(len(str(m.get("content") or "")) for m in prefix) < MIN_CHARS:
            return
        key = prefix_key(prefix)
        slot = self._claim(key)
        if slot is None:
            return
        path = self.folder / (key + SUFFIX)
        try:
            if not (path.exists() and self._restore(slot, path)):
                self._evaluate(slot, prefix)
                self._save(slot, path)
        except (OSError, ValueError, RuntimeError) as exc:  # a cache, never a failure
            log.warning("prefix cache: %s", exc)
        finally:
            self._ready[key].set()

    def _restore(self, slot: int, path: Path) -> bool:
        try:
            result = self._post(f"/slots/{slot}?action=restore", {"filename": path.name})
        except urllib.error.HTTPError as exc:  # the server refused the file: a torn write
            result = {"error": f"HTTP {exc.code}"}
        if int(result.get("n_restored", 0)) <= 0:
            log.warning(
                "prefix cache: %s did not restore (%s); evaluating again", path.name, result
            )
            path.unlink(missing_ok=True)
            self.counts["broken"] += 1
            return False
        self.counts["restored"] += 1
        path.touch()  # most recently used
        log.debug("prefix cache: restored %d tokens into slot %d", result["n_restored"], slot)
        return True

    def _evaluate(self, slot: int, prefix: list[dict[str, Any]]) -> None:
        request = {
            "messages": [*prefix, {"role": "user", "content": ""}],
            "max_tokens": 1,
            "temperature": 0.0,
            "cache_prompt": True,
            "id_slot": slot,
        }
        response = self.server.handle_chat_completions(request)
        if isinstance(response, str):
            response = json.loads(response)
        if "error" in response:
            raise RuntimeError(f"evaluating a prefix failed: {response['error']}")
        self.counts["evaluated"] += 1

    def _save(self, slot: int, path: Path) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"part-{path.stem}-{threading.get_ident()}.tmp")
        result = self._post(f"/slots/{slot}?action=save", {"filename": tmp.name})
        if int(result.get("n_saved", 0)) <= 0 or not tmp.exists():
            tmp.unlink(missing_ok=True)
            raise RuntimeError(f"slot {slot} saved nothing ({result})")
        tmp.replace(path)
        self.counts["saved"] += 1
        self._prune()

    def _prune(self) -> None:
        files = sorted(self.folder.glob("*" + SUFFIX), key=lambda p: p.stat().st_mtime)
        for stale in files[:-KEEP]:
            stale.unlink(missing_ok=True)
        for part in self.folder.glob("part-*.tmp"):  # left by a process that died saving
            if time.time() - part.stat().st_mtime > 3600:
                part.unlink(missing_ok=True)
