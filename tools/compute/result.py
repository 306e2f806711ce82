"""What every compute tool returns, and the one error they raise."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

MAX_ANSWER = 80
MAX_VISIBLE = 200
_ISO_DATE = r"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$"


class ToolError(ValueError):
    """The slots cannot be used: the caller falls back to the model's own reasoning."""


@dataclass(frozen=True)
class ToolResult:
    """What a tool computed, ready to become a resolved gap."""

    answer: str  # short, what the image must name: "night, 00:00 local time in London"
    visible: str  # what the image must show because of it
    inputs: dict[str, Any] = field(default_factory=dict)  # normalised inputs actually used
    tool: str = ""
    # where objects go, for the renderer's layout (arrange only): {"axis", "order", "scale"}
    placement: dict[str, Any] | None = None


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _result(tool: str, answer: str, visible: str, inputs: dict[str, Any]) -> ToolResult:
    return ToolResult(_clip(answer, MAX_ANSWER), _clip(visible, MAX_VISIBLE), inputs, tool)


def _parse_iso(text: str, what: str) -> date:
    text = text.strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ToolError(f"{what} must be an ISO date YYYY-MM-DD, got {text!r}")
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ToolError(f"{what} is not a real date: {text!r}") from exc
