"""Benchmark inputs: the IA-Bench-style case file (WISE prompt files: benchmarks/wise.py).

A case file holds one JSON object a line (blank lines and lines starting with `#` are
skipped): `id`, `capability` (plan | reason | search | memory), `subtask`, `user`, `turns`
(earlier requests of the same conversation, oldest first), `prompt`, `expected_routes`
(subset of reason | search | memory | ask_user) and `checklist` (binary items). A folder
reads every `*.jsonl` file in it, in name order. Every error names the file and line.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, TypedDict

from tools.errors import UserError

CAPABILITIES = ("plan", "reason", "search", "memory")
SUBTASKS: dict[str, tuple[str, ...]] = {
    "plan": ("composition", "enumeration", "multi-panel"),
    "reason": ("math", "science", "commonsense", "maze", "map", "geometry"),
    "search": ("game", "movie", "anime", "celebrity", "stock", "weather"),
    "memory": ("user profile", "conversation history"),
}
ROUTES = ("reason", "search", "memory", "ask_user")
REQUIRED = ("id", "capability", "subtask", "prompt", "expected_routes", "checklist")
_ID = re.compile(r"[A-Za-z0-9_-]{1,48}")


class Case(TypedDict):
    id: str
    capability: str
    subtask: str
    user: str
    turns: list[str]
    prompt: str
    expected_routes: list[str]
    checklist: list[str]
    explanation: str  # WISE items only: what the image must show
    category: str  # WISE items only: one of WISE_WEIGHTS


def _files(path: Path, pattern: str) -> list[Path]:
    if path.is_dir():
        found = sorted(p for p in path.glob(pattern) if p.is_file())
        if not found:
            raise UserError(f"{path}: no {pattern} files in this folder")
        return found
    if not path.is_file():
        raise UserError(f"{path}: no such file or folder")
    return [path]


def _string_list(value: Any, where: str, name: str, *, allow_empty: bool) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise UserError(f"{where}: {name!r} must be a list of non-empty strings")
    if not value and not allow_empty:
        raise UserError(f"{where}: {name!r} is empty")
    return [v.strip() for v in value]


def parse_case(obj: Any, where: str) -> Case:
    """One case object, checked; `where` is `FILE:LINE` for error messages."""
    if not isinstance(obj, dict):
        raise UserError(f"{where}: expected a JSON object, got {type(obj).__name__}")
    missing = [name for name in REQUIRED if name not in obj]
    if missing:
        raise UserError(f"{where}: missing field(s) {', '.join(missing)}")
    case_id = str(obj["id"]).strip()
    if not _ID.fullmatch(case_id):
        raise UserError(f"{where}: id {case_id!r}: use letters, digits, - and _ (at most 48)")
    capability = str(obj["capability"]).strip().lower()
    if capability not in CAPABILITIES:
        raise UserError(
            f"{where}: unknown capability {obj['capability']!r} (use {', '.join(CAPABILITIES)})"
        )
    subtask = str(obj["subtask"]).strip().lower()
    if not subtask:
        raise UserError(f"{where}: 'subtask' is empty")
    prompt = obj["prompt"]
    if not isinstance(prompt, str) or not prompt.strip():
        raise UserError(f"{where}: 'prompt' must be a non-empty string")
    routes = _string_list(obj["expected_routes"], where, "expected_routes", allow_empty=True)
    unknown = sorted(set(routes) - set(ROUTES))
    if unknown:
        raise UserError(f"{where}: unknown route(s) {', '.join(unknown)} (use {', '.join(ROUTES)})")
    user = str(obj.get("user") or "bench").strip()
    if not _ID.fullmatch(user):
        raise UserError(f"{where}: user {user!r}: use letters, digits, - and _ (at most 48)")
    return {
        "id": case_id,
        "capability": capability,
        "subtask": subtask,
        "user": user,
        "turns": _string_list(obj.get("turns", []), where, "turns", allow_empty=True),
        "prompt": prompt.strip(),
        "expected_routes": sorted(set(routes)),
        "checklist": _string_list(obj["checklist"], where, "checklist", allow_empty=False),
        "explanation": "",
        "category": "",
    }


def read_cases(path: Path) -> list[Case]:
    """Every case of a `.jsonl` file, or of every `.jsonl` file in a folder."""
    cases: list[Case] = []
    seen: dict[str, str] = {}
    for file in _files(Path(path), "*.jsonl"):
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            where = f"{file}:{number}"
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as exc:
                raise UserError(f"{where}: not valid JSON ({exc.msg})") from None
            case = parse_case(obj, where)
            if case["id"] in seen:
                raise UserError(
                    f"{where}: duplicate id {case['id']!r} (first at {seen[case['id']]})"
                )
            seen[case["id"]] = where
            cases.append(case)
    if not cases:
        raise UserError(f"{path}: no cases")
    return cases
