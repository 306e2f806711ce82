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

import contextlib
import hashlib
import json
import logging
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
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
    """Assigns every call a slot of the in-process server and keeps prefix states in them
    through the server's `/slots` routes.

    Each call is pinned to a slot this class chose (`id_slot`), so it knows what every slot
    holds: a call goes to a free slot that already holds its prefix, else to the least
    recently used free slot, into which the prefix's file is restored first. Calls that
    share a prefix therefore run at once, each in its own slot, none evaluating the prefix.
    """

    def __init__(self, server: Any, folder: Path, slots: int) -> None:
        self.server = server
        self.folder = folder
        self._free = list(range(max(1, slots)))  # least recently used first
        self._held: dict[int, str] = {}  # slot -> the prefix key it holds
        self._slots = threading.Condition()
        self._files: dict[str, threading.Event] = {}  # prefixes whose file is made or known
        self._lock = threading.Lock()
        self.counts: Counter[str] = Counter()  # restored, evaluated, saved, broken

    @contextlib.contextmanager
    def slot_for(self, messages: list[dict[str, Any]]) -> Iterator[int]:
        """A slot for a call with `messages`, holding their prefix when it is worth one."""
        prefix = prefix_messages(messages)
        cacheable = sum(len(str(m.get("content") or "")) for m in prefix) >= MIN_CHARS
        key = prefix_key(prefix) if cacheable else ""
        if key:
            self._ensure_file(key, prefix)
        slot = self._acquire(key)
        try:
            if key and self._held.get(slot) != key:
                self._fill(slot, key, prefix)
            yield slot
        finally:
            self._release(slot, key)

    def _acquire(self, key: str) -> int:
        with self._slots:
            while not self._free:
                self._slots.wait()
            holding = [s for s in self._free if key and self._held.get(s) == key]
            slot = holding[0] if holding else self._free[0]
            self._free.remove(slot)
            return slot

    def _release(self, slot: int, key: str) -> None:
        with self._slots:
            self._held[slot] = key  # the call left its prefix (and more) in the slot
            self._free.append(slot)
            self._slots.notify()

    def _ensure_file(self, key: str, prefix: list[dict[str, Any]]) -> None:
        """The first call of a prefix in this process makes its file when there is none;
        the others wait for it."""
        with self._lock:
            done = self._files.get(key)
            first = done is None
            if first:
                done = self._files[key] = threading.Event()
        assert done is not None
        if not first:
            done.wait(timeout=600)
            return
        try:
            path = self.folder / (key + SUFFIX)
            if not path.exists():
                slot = self._acquire(key)
                try:
                    self._make(slot, key, prefix)
                finally:
                    self._release(slot, key)
        finally:
            done.set()

    def _fill(self, slot: int, key: str, prefix: list[dict[str, Any]]) -> None:
        """Put the prefix in `slot`: restore its file, or make it again if that fails."""
        path = self.folder / (key + SUFFIX)
        try:
            if path.exists() and self._restore(slot, path):
                return
            self._make(slot, key, prefix)
        except (OSError, ValueError, RuntimeError) as exc:  # a cache, never a failure
            log.warning("prefix cache: %s", exc)

    def _make(self, slot: int, key: str, prefix: list[dict[str, Any]]) -> None:
        try:
            self._evaluate(slot, prefix)
            self._save(slot, self.folder / (key + SUFFIX))
        except (OSError, ValueError, RuntimeError) as exc:
            log.warning("prefix cache: %s", exc)

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        request = urllib.request.Request(
            str(self.server.listening_address) + path,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=600) as response:
            result: dict[str, Any] = json.loads(response.read())
        return result

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
