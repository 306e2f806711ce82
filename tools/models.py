"""Chat model specs: `local`, `openai:MODEL`, `scripted:FILE.json`, resolved to LangChain models.

One model object per spec per process. Validation is cheap and loads nothing.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from langchain_core.language_models import BaseChatModel

from tools.errors import SpecError

ACCEPTED = "`local`, `openai:MODEL` or `scripted:FILE.json`"
_lock = threading.Lock()
_models: dict[str, BaseChatModel] = {}


def validate_model_spec(spec: str, role: str = "llm") -> None:
    spec = spec.strip()
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
        return
    raise SpecError(f"--{role} {spec!r}: unknown model spec; use {ACCEPTED}")


def get_chat_model(spec: str) -> BaseChatModel:
    spec = spec.strip()
    with _lock:
        model = _models.get(spec)
        if model is None:
            model = _build(spec)
            _models[spec] = model
        return model


def _build(spec: str) -> BaseChatModel:
    validate_model_spec(spec)
    if spec == "local":
        from tools.local_llm import LocalChatModel

        return LocalChatModel()
    if spec.startswith("scripted:"):
        from tools.scripted import ScriptedChatModel

        return ScriptedChatModel.from_file(Path(spec[len("scripted:") :]).expanduser())
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model=spec[len("openai:") :],
        temperature=0,
        timeout=120,
        max_retries=2,
        api_key=os.environ.get("OPENAI_API_KEY") or "not-needed",  # type: ignore[arg-type]
    )
