"""`scripted:FILE.json`: a chat model that replays canned answers, for tests and offline demos.

The file holds `{"rules": [RULE, ...]}`. For each call the first rule that matches is used:
- `schema`: the name of the structured-output schema asked for (omit: any, or plain text)
- `match`: a substring that must occur in the conversation text (case-insensitive)
- `times`: use this rule at most N times in this process (then it stops matching)
- `delay`: seconds to sleep before answering (to make parallel calls overlap)
- `response`: a JSON object (for structured calls) or a string (returned as is, so a
  rule can return malformed JSON on purpose); `tool_calls`: [{name, args}] for tool binding.
Every call is appended to `FILE.calls.jsonl` (time, schema, matched rule, last message, the
temperature asked for) when the env var IMAGE_AGENT_SCRIPT_LOG is set, so tests can see
what ran and when.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from pydantic import PrivateAttr

from tools.chat_messages import JsonSchemaStructuredOutput


class ScriptedChatModel(JsonSchemaStructuredOutput, BaseChatModel):  # type: ignore[misc]
    rules: list[dict[str, Any]]
    log_path: str | None = None
    _used: dict[int, int] = PrivateAttr(default_factory=dict)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @classmethod
    def from_file(cls, path: Path) -> ScriptedChatModel:
        data = json.loads(path.read_text())
        log = str(path) + ".calls.jsonl" if os.environ.get("IMAGE_AGENT_SCRIPT_LOG") else None
        return cls(rules=list(data.get("rules", [])), log_path=log)

    @property
    def _llm_type(self) -> str:
        return "image-agent-scripted"

    def bind_tools(
        self, tools: Sequence[dict[str, Any] | type | BaseTool | Any], **kwargs: Any
    ) -> Runnable[Any, AIMessage]:
        names = [
            getattr(tool, "name", None) or getattr(tool, "__name__", str(tool)) for tool in tools
        ]
        return self.bind(tool_names=names, **kwargs)

    def _pick(self, schema: str | None, text: str) -> tuple[int, dict[str, Any]]:
        with self._lock:
            for index, rule in enumerate(self.rules):
                if rule.get("schema") not in (None, schema):
                    continue
                if rule.get("match") and str(rule["match"]).lower() not in text.lower():
                    continue
                if "times" in rule and self._used.get(index, 0) >= int(rule["times"]):
                    continue
                self._used[index] = self._used.get(index, 0) + 1
                return index, rule
        raise RuntimeError(f"scripted model: no rule matches schema={schema!r}")

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        fmt = kwargs.get("response_format") or {}
        schema = (fmt.get("json_schema") or {}).get("name")
        text = "\n".join(str(message.content) for message in messages)
        started = time.time()
        index, rule = self._pick(schema, text)
        if rule.get("delay"):
            time.sleep(float(rule["delay"]))
        response = rule.get("response", "")
        content = response if isinstance(response, str) else json.dumps(response)
        tool_calls = [
            {"name": call["name"], "args": call.get("args", {}), "id": uuid.uuid4().hex[:8]}
            for call in rule.get("tool_calls", [])
        ]
        if self.log_path:
            entry = {
                "start": started,
                "end": time.time(),
                "schema": schema,
                "rule": index,
                "text": str(messages[-1].content)[:2000] if messages else "",
                "temperature": kwargs.get("temperature"),
            }
            with open(self.log_path, "a") as handle:
                handle.write(json.dumps(entry) + "\n")
        message = AIMessage(
            content=content,
            tool_calls=tool_calls,
            usage_metadata={
                "input_tokens": len(text) // 4,
                "output_tokens": len(content) // 4,
                "total_tokens": (len(text) + len(content)) // 4,
            },
        )
        return ChatResult(generations=[ChatGeneration(message=message)])
