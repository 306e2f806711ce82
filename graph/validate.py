"""What the CLI and the bench check before any work starts: specs, ids, limits, the prompt
(nothing is loaded)."""

from __future__ import annotations

from nodes.context import Context
from nodes.state import MAX_REQUEST_CHARS
from tools.errors import UserError
from tools.text import clean


def validate_context(ctx: Context) -> None:
    """Every spec and limit, checked before any work starts (loads nothing)."""
    from renderers.registry import validate_renderer_spec
    from tools.ids import validate_id
    from tools.models import validate_model_spec
    from tools.search import validate_search_spec

    validate_model_spec(ctx.llm, "llm")
    if ctx.vlm:
        validate_model_spec(ctx.vlm, "vlm")
    validate_search_spec(ctx.search)
    validate_renderer_spec(ctx.renderer)
    validate_id(ctx.user_id, "user id")
    if ctx.conversation:
        validate_id(ctx.conversation, "thread id")
    if not 1 <= ctx.max_rounds <= 10:
        raise UserError(f"--max-rounds {ctx.max_rounds}: use 1 to 10")


def validate_prompt(prompt: str) -> str:
    text = clean(prompt).strip()  # no control or invisible characters; bad bytes as U+FFFD
    if not text:
        raise UserError("the prompt is empty: say what you want to see")
    if len(text) > MAX_REQUEST_CHARS:
        raise UserError(f"the prompt is {len(text)} characters; the limit is {MAX_REQUEST_CHARS}")
    return text
