"""Runtime configuration of a run (LangGraph `context_schema`).

Every field has a description (Studio renders a form from it) and an environment fallback.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langgraph.config import get_stream_writer
from langgraph.runtime import Runtime
from langgraph.store.base import BaseStore

from tools.errors import UserError
from tools.ids import validate_id
from tools.models import get_chat_model
from tools.redact import redact
from tools.search import resolve_search_spec

# Every field's environment variable, in one place (the README's configuration table).
ENV = {
    "llm": "IMAGE_AGENT_LLM",
    "vlm": "IMAGE_AGENT_VLM",
    "search": "IMAGE_AGENT_SEARCH",
    "renderer": "IMAGE_AGENT_RENDERER",
    "max_rounds": "IMAGE_AGENT_MAX_ROUNDS",
    "user_id": "IMAGE_AGENT_USER",
    "conversation": "IMAGE_AGENT_CONVERSATION",
    "output_dir": "IMAGE_AGENT_OUTPUT_DIR",
    "width": "IMAGE_AGENT_WIDTH",
    "height": "IMAGE_AGENT_HEIGHT",
    "seed": "IMAGE_AGENT_SEED",
    "steps": "IMAGE_AGENT_STEPS",
    "guidance": "IMAGE_AGENT_GUIDANCE",
    "interactive": "IMAGE_AGENT_INTERACTIVE",
    "sequential": "IMAGE_AGENT_SEQUENTIAL",
}


def from_env(name: str, default: Any) -> Callable[[], Any]:
    """A field default: its environment variable (`ENV`), cast to the default's type."""

    def read() -> Any:
        raw = os.environ.get(ENV[name], "").strip()
        if not raw:
            return default
        if isinstance(default, bool):
            return raw.lower() not in ("0", "false", "no", "off")
        try:
            return type(default)(raw)
        except ValueError:
            raise UserError(
                f"{ENV[name]}={raw!r} is not a valid {type(default).__name__}"
            ) from None

    return read


@dataclass(kw_only=True)
class Context:
    """How a run is carried out: which models, search, renderer, and limits."""

    llm: str = field(
        default_factory=from_env("llm", "local"),
        metadata={
            "description": "Chat model for planning, reasoning and composing: `local` (embedded "
            "Qwen2.5 1.5B GGUF), `openai:MODEL` (honours OPENAI_BASE_URL), `scripted:FILE.json`."
        },
    )
    vlm: str = field(
        default_factory=from_env("vlm", ""),
        metadata={
            "description": "Vision model that judges the checklist against the rendered image "
            "(`openai:MODEL`). Empty: the `llm` judges the rendered scene and the prompt as text "
            "(context-level checks, no pixels)."
        },
    )
    search: str = field(
        default_factory=from_env("search", "auto"),
        metadata={
            "description": "Search provider for factual gaps: `tavily` (web), `local:DIR`, "
            "`none`, or `auto`: tavily when TAVILY_API_KEY is set, else local:$IMAGE_AGENT_CORPUS "
            "when set, else none."
        },
    )
    renderer: str = field(
        default_factory=from_env("renderer", "sketch"),
        metadata={
            "description": "Image generator: `sketch` (embedded pictogram storyboard), "
            "`diffusers:PATH_OR_HUB_ID`, `openai:MODEL` (e.g. openai:gpt-image-1) or "
            "`py:module:attr` (your own Renderer)."
        },
    )
    max_rounds: int = field(
        default_factory=from_env("max_rounds", 3),
        metadata={"description": "Render attempts in all (compose, render, evaluate loops)."},
    )
    user_id: str = field(
        default_factory=from_env("user_id", "default"),
        metadata={"description": "Whose memory to read and write (when the input has none)."},
    )
    conversation: str = field(
        default_factory=from_env("conversation", ""),
        metadata={"description": "Conversation (thread) this turn belongs to, for history."},
    )
    output_dir: str = field(
        default_factory=from_env("output_dir", "outputs"),
        metadata={"description": "Folder for runs' images and reports (one subfolder a run)."},
    )
    width: int = field(
        default_factory=from_env("width", 1024),
        metadata={"description": "Image width in pixels."},
    )
    height: int = field(
        default_factory=from_env("height", 1024),
        metadata={"description": "Image height in pixels."},
    )
    seed: int = field(
        default_factory=from_env("seed", 0),
        metadata={"description": "Base seed; each feedback round adds its round number."},
    )
    steps: int = field(
        default_factory=from_env("steps", 0),
        metadata={"description": "Diffusion steps (0: the model's default)."},
    )
    guidance: float = field(
        default_factory=from_env("guidance", 0.0),
        metadata={"description": "Guidance scale (0: the model's default)."},
    )
    interactive: bool = field(
        default_factory=from_env("interactive", True),
        metadata={
            "description": "Ask the user (interrupt) for gaps only they can fill. Off: take "
            "the planner's best guess and record that it was a guess."
        },
    )
    sequential: bool = field(
        default_factory=from_env("sequential", False),
        metadata={
            "description": "Ground the gaps one after another in the plan's order (the "
            "paper's order; for comparison) instead of all at once."
        },
    )


def emit(stage: str, message: str, **extra: Any) -> None:
    """A custom stream event: `{"stage", "message", ...}` (silently dropped outside a run)."""
    try:
        writer = get_stream_writer()
    except RuntimeError:
        return
    writer({"stage": stage, "message": redact(message), **extra})


def chat_model(spec: str) -> BaseChatModel:
    return get_chat_model(spec)


def store_of(runtime: Runtime[Context]) -> BaseStore:
    """The store the server or caller gave the graph, else the persistent default one."""
    if runtime.store is not None:
        return runtime.store
    from tools.memory_store import default_store

    return default_store()


def user_of(state: Mapping[str, Any], runtime: Runtime[Context]) -> str:
    return validate_id(
        str(state.get("user_id") or context_of(runtime).user_id or "default"), "user id"
    )


def context_of(runtime: Runtime[Context]) -> Context:
    """The run's Context (a default one when the caller gave none)."""
    given: Any = runtime.context
    if isinstance(given, Context):
        ctx = given
    elif isinstance(given, Mapping):
        known = {f.name for f in fields(Context)}
        ctx = Context(**{k: v for k, v in given.items() if k in known})
    else:
        ctx = Context()
    search = resolve_search_spec(ctx.search)  # `auto` names the provider it stands for
    return ctx if search == ctx.search else replace(ctx, search=search)


def run_folder(output_dir: str, run_id: str) -> Path:
    """The run's output folder, refusing ids that would escape `output_dir`. Links planted
    inside it are removed (we never make any), so no write follows one out of the folder."""
    base = Path(output_dir).expanduser().resolve()
    folder = (base / run_id).resolve()
    if folder.parent != base:
        raise ValueError(f"run id {run_id!r} would write outside {base}")
    if folder.is_dir():
        for entry in folder.iterdir():
            if entry.is_symlink():
                entry.unlink()
    return folder
