"""Chat model specs: `local`, `openai:MODEL`, `scripted:FILE.json`, resolved to LangChain models.

One model object per spec per process. Validation is cheap and loads nothing.
`openai:MODEL` is langchain-openai's ChatOpenAI: OPENAI_API_KEY, OPENAI_BASE_URL (vLLM,
Ollama, LM Studio, llama.cpp servers), IMAGE_AGENT_OPENAI_TIMEOUT (seconds per request, 120),
IMAGE_AGENT_OPENAI_RETRIES (2) and IMAGE_AGENT_OPENAI_MAX_TOKENS (2048: a bound on each reply,
so a server whose grammar lets the model ramble cannot run to its context length). The judge (`--vlm`) must see images: `local` is refused.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel

from tools.errors import SpecError

ACCEPTED = "`local`, `openai:MODEL` or `scripted:FILE.json`"
_lock = threading.Lock()
_models: dict[str, BaseChatModel] = {}


def validate_model_spec(spec: str, role: str = "llm") -> None:
    spec = spec.strip()
    if spec == "local" and role == "vlm":
        raise SpecError(
            "--vlm local: the embedded model cannot see images; use --vlm openai:MODEL "
            "(a vision model), or leave --vlm out for text-only checks"
        )
    if spec == "local":
        return
    if spec.startswith("openai:") and spec[len("openai:") :].strip():
        if not os.environ.get("OPENAI_API_KEY") and not os.environ.get("OPENAI_BASE_URL"):
            raise SpecError(
                f"--{role} {spec}: set OPENAI_API_KEY (OpenAI) or OPENAI_BASE_URL "
                "(an OpenAI-compatible server)"
            )
        return
    if spec.startswith("scripted:"):
        path = Path(spec[len("scripted:") :]).expanduser()
        if not path.is_file():
            raise SpecError(f"--{role} {spec}: no such script file {path}")
        try:
            rules = json.loads(path.read_text("utf-8")).get("rules")
        except (OSError, ValueError, AttributeError) as exc:  # bad bytes, bad JSON, no object
            raise SpecError(f"--{role} {spec}: not a script file ({type(exc).__name__})") from exc
        if not isinstance(rules, list):
            raise SpecError(f'--{role} {spec}: the script file holds no "rules" list')
        return
    raise SpecError(f"--{role} {spec!r}: unknown model spec; use {ACCEPTED}")


def get_chat_model(spec: str) -> BaseChatModel:
    spec = spec.strip()
    key = spec
    if spec.startswith("openai:"):  # another endpoint or key gets its own client
        account = f"{os.environ.get('OPENAI_BASE_URL', '')}|{os.environ.get('OPENAI_API_KEY', '')}"
        key = f"{spec}|{hashlib.sha256(account.encode('utf-8')).hexdigest()}"
    with _lock:
        model = _models.get(key)
        if model is None:
            model = _build(spec)
            _models[key] = model
        return model


def _build(spec: str) -> BaseChatModel:
    validate_model_spec(spec)
    if spec == "local":
        from tools.local_llm import LocalChatModel

        return LocalChatModel()
    if spec.startswith("scripted:"):
        from tools.scripted import ScriptedChatModel

        return ScriptedChatModel.from_file(Path(spec[len("scripted:") :]).expanduser())
    return _openai_class()(
        model=spec[len("openai:") :],
        temperature=0,
        timeout=float(os.environ.get("IMAGE_AGENT_OPENAI_TIMEOUT", "120")),
        max_retries=int(os.environ.get("IMAGE_AGENT_OPENAI_RETRIES", "2")),
        max_tokens=int(os.environ.get("IMAGE_AGENT_OPENAI_MAX_TOKENS", "2048")),
        api_key=os.environ.get("OPENAI_API_KEY") or "not-needed",
    )


def _openai_class() -> Any:
    """ChatOpenAI whose structured output is a plain `response_format` json_schema dict.

    ChatOpenAI's own json_schema path validates the reply inside the SDK and raises on a
    reply that breaks the schema, before `tools.structured.ask` can repair or retry it; a
    dict response_format returns the raw reply, and every server (vLLM, Ollama, llama.cpp)
    gets the same request shape as the embedded model.
    """
    from langchain_openai import ChatOpenAI

    from tools.chat_messages import JsonSchemaStructuredOutput

    class OpenAIChatModel(JsonSchemaStructuredOutput, ChatOpenAI):  # type: ignore[misc]
        pass

    return OpenAIChatModel
