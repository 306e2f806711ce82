"""Shared plumbing for our own chat model classes (local and scripted)."""

from __future__ import annotations

import functools
import json
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.runnables import Runnable, RunnableLambda
from pydantic import BaseModel, ValidationError


def to_openai_messages(messages: list[BaseMessage]) -> list[dict[str, Any]]:
    roles = {"human": "user", "ai": "assistant", "system": "system", "tool": "tool"}
    out: list[dict[str, Any]] = []
    for message in messages:
        entry: dict[str, Any] = {
            "role": roles.get(message.type, "user"),
            "content": message.content,
        }
        out.append(entry)
    return out


@functools.lru_cache(maxsize=256)
def _schema_text(schema: type[BaseModel]) -> str:
    """A class's JSON schema, built once (pydantic builds it anew on every call)."""
    return json.dumps(schema.model_json_schema())


def response_format_for(schema: type[BaseModel]) -> dict[str, Any]:
    return {
        "type": "json_schema",
        "json_schema": {"name": schema.__name__, "schema": json.loads(_schema_text(schema))},
    }


class JsonSchemaStructuredOutput:
    """`with_structured_output` by a `response_format` json_schema bound to the call.

    The model receives the schema (the local server compiles it into a grammar, so the
    output is constrained); the reply is validated with pydantic.
    """

    def with_structured_output(
        self: Any, schema: type[BaseModel], *, include_raw: bool = False, **kwargs: Any
    ) -> Runnable[Any, Any]:
        bound = self.bind(response_format=response_format_for(schema))

        def parse(message: AIMessage) -> Any:
            parsed: BaseModel | None = None
            error: Exception | None = None
            try:
                parsed = schema.model_validate_json(str(message.content))
            except (ValidationError, json.JSONDecodeError, ValueError) as exc:
                error = exc
            if include_raw:
                return {"raw": message, "parsed": parsed, "parsing_error": error}
            if error is not None:
                raise error
            return parsed

        return bound | RunnableLambda(parse)
