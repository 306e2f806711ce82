"""Repair and bounded retry of structured model output, through the scripted chat model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage
from pydantic import BaseModel

from tools.scripted import ScriptedChatModel
from tools.structured import StructuredOutputError, ask, repair_json
from tools.usage import track


class Answer(BaseModel):
    answer: str


@pytest.mark.parametrize(
    "raw",
    [
        '{"answer": "tulip"}',
        'Here you go:\n```json\n{"answer": "tulip"}\n```',
        'The JSON is {"answer": "tulip",} as asked.',
    ],
)
def test_repair_json(raw: str) -> None:
    assert json.loads(repair_json(raw)) == {"answer": "tulip"}


def test_ask_retries_then_succeeds() -> None:
    model = ScriptedChatModel(
        rules=[
            {"schema": "Answer", "times": 1, "response": "no json here"},
            {"schema": "Answer", "response": {"answer": "tulip"}},
        ]
    )
    with track() as usage:
        out = ask(model, Answer, [HumanMessage(content="flower of Holland?")])
    assert out.answer == "tulip"
    assert usage.calls == 2


def test_ask_gives_up_after_bounded_retries(tmp_path: Path) -> None:
    model = ScriptedChatModel(rules=[{"schema": "Answer", "response": "never json"}])
    with track() as usage, pytest.raises(StructuredOutputError):
        ask(model, Answer, [HumanMessage(content="?")], retries=2)
    assert usage.calls == 3


def test_scripted_model_supports_tool_binding() -> None:
    model = ScriptedChatModel(
        rules=[{"tool_calls": [{"name": "lookup", "args": {"q": "tulip"}}], "response": ""}]
    )

    def lookup(q: str) -> str:
        """Look something up."""
        return q

    reply = model.bind_tools([lookup]).invoke([HumanMessage(content="find tulips")])
    assert reply.tool_calls[0]["name"] == "lookup"  # type: ignore[attr-defined]
    assert reply.tool_calls[0]["args"] == {"q": "tulip"}  # type: ignore[attr-defined]
