"""One structured model call, with repair and bounded retries; every call is counted.

Nodes call models only through `ask()`, so malformed JSON is handled in one place:
1. the model answers under the schema (constrained where the backend supports it);
2. an unparsable reply is repaired (code fences, prose around the object, trailing commas);
3. still invalid: the model is asked again with the error, at most `retries` more times;
4. then `StructuredOutputError`: the calling node degrades and records why.

A reply whose HTTP body is not JSON at all (an empty, truncated or garbled body from a
model server) counts as an invalid reply: asked again, then `StructuredOutputError`.
Server errors, rate limits, timeouts and resets are retried by the client itself (a
bounded number of times, honouring Retry-After) and then raised: the run fails, resumable.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from typing import Any, TypeVar

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from pydantic import BaseModel, ValidationError

from tools.usage import record

log = logging.getLogger(__name__)
T = TypeVar("T", bound=BaseModel)


class StructuredOutputError(RuntimeError):
    """The model did not produce valid JSON for the schema after repair and retries."""


def repair_json(text: str) -> str:
    """Best-effort: pull the JSON object out of a reply and fix common small-model slips."""
    text = text.strip()
    fenced = re.search(r"```(?:json)?\s*(.*?)```", text, re.S)
    if fenced:
        text = fenced.group(1).strip()
    start, end = text.find("{"), text.rfind("}")
    if start != -1 and end > start:
        text = text[start : end + 1]
    text = re.sub(r",\s*([}\]])", r"\1", text)
    return text


def _usage(message: Any) -> tuple[int, int]:
    meta = getattr(message, "usage_metadata", None) or {}
    return int(meta.get("input_tokens", 0)), int(meta.get("output_tokens", 0))


def ask(
    model: BaseChatModel,
    schema: type[T],
    messages: list[BaseMessage],
    *,
    retries: int = 1,
    options: Mapping[str, Any] | None = None,
) -> T:
    """`schema` filled by `model`; `options` are passed with the call (`temperature`, `seed`)."""
    runnable = model.with_structured_output(schema, include_raw=True)
    conversation = list(messages)
    last_error = "no reply"
    for _attempt in range(retries + 1):
        try:
            out: dict[str, Any] = runnable.invoke(conversation, **dict(options or {}))  # type: ignore[assignment]
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:  # the body, not the answer
            last_error = f"malformed reply from the model server ({type(exc).__name__})"
            log.warning("%s: %s; retrying", schema.__name__, last_error)
            continue
        raw = out.get("raw")
        record(*_usage(raw))
        parsed = out.get("parsed")
        if isinstance(parsed, schema):
            return parsed
        if isinstance(parsed, dict):
            try:
                return schema.model_validate(parsed)
            except ValidationError as exc:
                last_error = str(exc).splitlines()[0]
        content = str(getattr(raw, "content", "") or "")
        if not content and getattr(raw, "tool_calls", None):
            content = json.dumps(raw.tool_calls[0].get("args", {}))  # type: ignore[union-attr]
        try:
            return schema.model_validate_json(repair_json(content))
        except (ValidationError, ValueError) as exc:
            last_error = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        log.warning("%s: invalid JSON from model (%s); retrying", schema.__name__, last_error)
        conversation = [
            *messages,
            AIMessage(content=content[:2000]),
            HumanMessage(
                content=f"That reply was not valid JSON for the schema ({last_error}). "
                "Reply again with only the JSON object."
            ),
        ]
    raise StructuredOutputError(f"{schema.__name__}: model gave invalid JSON ({last_error})")
