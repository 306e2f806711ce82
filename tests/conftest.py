"""Shared fixtures: an isolated data dir, and scripted models written to a file."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

# no test shares a warm model host unless it asks for one (tests/integration/test_model_host.py)
os.environ.setdefault("IMAGE_AGENT_MODEL_HOST", "0")

PLAN = {
    "subject": "a mooncake",
    "gaps": [
        {
            "question": "Which pastry is eaten at the Mid-Autumn Festival?",
            "kind": "commonsense",
            "best_guess": "mooncake",
        }
    ],
    "objects": [{"name": "mooncake", "position": "center", "size": "large"}],
    "setting": "night sky",
    "style": "poster",
    "palette": ["red", "gold"],
    "text": "Happy Mid-Autumn",
    "checklist": [
        "The mood is festive",
        'The text "Happy Mid-Autumn" is visible',
        "The pastry looks freshly baked",
    ],
    "n_images": 1,
}


def plan_with(gaps: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {**PLAN, "gaps": gaps, **extra}


def default_rules() -> list[dict[str, Any]]:
    return [
        {"schema": "PlanDraft", "response": PLAN},
        {
            "schema": "Reasoned",
            "response": {
                "question": "Which pastry?",
                "answer": "mooncake",
                "visible": "round pastry",
            },
        },
        {"schema": "Found", "response": {"found": True, "answer": "14 March", "passage": 1}},
        {
            "schema": "Composed",
            "response": {
                "prompt": "A festive poster: a freshly baked mooncake pastry under a full moon, "
                'the words "Happy Mid-Autumn"',
                "negative_prompt": "blurry",
            },
        },
        {
            "schema": "Judged",
            "response": {
                "verdicts": [
                    {"item": "x", "passed": True, "reason": "shown"},
                    {"item": "x", "passed": True, "reason": "shown"},
                ]
            },
        },
        {"schema": "Facts", "response": {"facts": []}},
    ]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh IMAGE_AGENT_HOME and output dir for one test."""
    data = tmp_path / "home"
    monkeypatch.setenv("IMAGE_AGENT_HOME", str(data))
    monkeypatch.setenv("IMAGE_AGENT_OUTPUT_DIR", str(tmp_path / "outputs"))
    monkeypatch.setenv("IMAGE_AGENT_SCRIPT_LOG", "1")
    return data


@pytest.fixture
def script(tmp_path: Path) -> Callable[..., str]:
    """Write scripted-model rules to a file and return the `scripted:FILE` spec."""
    counter = {"n": 0}

    def make(
        rules: list[dict[str, Any]] | None = None, first: list[dict[str, Any]] | None = None
    ) -> str:
        counter["n"] += 1
        path = tmp_path / f"script-{counter['n']}.json"
        path.write_text(json.dumps({"rules": [*(first or []), *(rules or default_rules())]}))
        return f"scripted:{path}"

    return make
